// Written by `deno task profile`. The TLS profile compiled into the agent.
import type { TlsProfile } from "./profile.ts";

/** The build's TLS profile. */
export const BUILD_PROFILE: TlsProfile = {
  "name": "lab",
  "caCerts": [],
  "clientCertRequired": false,
  "pins": [],
  "minTlsVersion": "1.2",
};
