/**
 * The agent `agent run` starts, from the configuration and the build's TLS
 * profile: the ACS client's trust, pins and client certificate, the
 * session limits, and the connection-request listener.
 *
 * @module
 */
import { CwmpAgent } from "../agent/cwmp_agent.ts";
import type { LogRecord } from "../agent/options.ts";
import type { RefusalLog } from "../connreq/refusals.ts";
import type { AgentConfig } from "../config/agent_config.ts";
import type { RpcContext } from "../rpc/context.ts";
import {
  acsAllowList,
  stunServerList,
  udpHost,
  urlAllowed,
} from "../sandbox/permissions.ts";
import { transferUrlRefusal } from "./run_device.ts";
import {
  redirectAllowed,
  type TlsProfile,
  tlsSettings,
} from "../tls/profile.ts";

/**
 * Builds the agent (it is not started).
 *
 * @throws {Error} a file that cannot be read, or a profile that refuses the configuration.
 */
export async function createAgent(
  config: AgentConfig,
  profile: TlsProfile,
  context: RpcContext,
  parts: {
    readonly readFile: (path: string) => Promise<Uint8Array>;
    readonly log: (record: LogRecord) => void;
    readonly refusals: RefusalLog;
    readonly reportUdp?: (
      mapping: { readonly address: string; readonly natDetected: boolean },
    ) => void;
  },
): Promise<CwmpAgent> {
  const readPem = async (file: string | undefined) =>
    file === undefined
      ? undefined
      : new TextDecoder().decode(await parts.readFile(file));
  const caFile = await readPem(config["ca-file"]);
  const cert = await readPem(config["cert-file"]);
  const key = await readPem(config["key-file"]);
  const crCert = await readPem(config["cr-cert-file"]);
  const crKey = await readPem(config["cr-key-file"]);
  const crClientCa = await readPem(config["cr-client-ca-file"]);
  const tls = tlsSettings(profile, {
    acsUrl: context.device.managementServer("URL") || undefined,
    ...(caFile !== undefined ? { caFile } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
  });
  const allowList = acsAllowList(config);
  const trust = {
    caCerts: tls.caCerts,
    pins: tls.pins,
    minTlsVersion: tls.minTlsVersion,
    ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
  };
  return new CwmpAgent({
    context,
    log: parts.log,
    sessionLimits: {
      ...(config["session-max-requests"] !== undefined
        ? { maxRequests: config["session-max-requests"] }
        : {}),
      ...(config["session-max-duration"] !== undefined
        ? { maxDurationMs: config["session-max-duration"] * 1000 }
        : {}),
    },
    allowPlainHttp: profile.name === "lab",
    client: {
      ...trust,
      allowRedirect: (url) =>
        redirectAllowed(profile, url) && urlAllowed(allowList, url.href),
    },
    // File servers get the ACS's trust; a redirect must stay among them.
    transfers: {
      dir: `${config["state-dir"]}/transfers`,
      requestsDir: `${config["state-dir"]}/requests`,
      ...(config["upload-files"]
        ? { uploadFiles: config["upload-files"] }
        : {}),
      client: {
        ...trust,
        urlProblem: (url) => transferUrlRefusal(config, profile, url)?.reason,
        ...(config["transfer-idle-timeout"] !== undefined
          ? { idleTimeoutMs: config["transfer-idle-timeout"] * 1000 }
          : {}),
      },
    },
    connectionRequest: {
      ...(crCert && crKey
        ? {
          tls: {
            cert: crCert,
            key: crKey,
            ...(crClientCa ? { clientCa: [crClientCa] } : {}),
          },
        }
        : {}),
      hostname: config["cr-host"] ?? "127.0.0.1",
      port: config["cr-port"] ?? 7547,
      ...(config["cr-rate-burst"] !== undefined
        ? { rateLimit: config["cr-rate-burst"] }
        : {}),
      ...(config["cr-rate-interval"] !== undefined
        ? { rateIntervalMs: config["cr-rate-interval"] * 1000 }
        : {}),
      ...(config["cr-path"] ? { path: config["cr-path"] } : {}),
      refusals: parts.refusals,
    },
    ...(config["udp-cr-port"] !== undefined
      ? {
        udpConnectionRequest: {
          hostname: udpHost(config),
          port: config["udp-cr-port"],
          ...(parts.reportUdp ? { onPublished: parts.reportUdp } : {}),
          stunServerRefusal: (host, port) => {
            const servers = stunServerList(config);
            const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
            return urlAllowed(servers, `http://${target}/`)
              ? undefined
              : `${target} is not among the STUN servers this agent may use (${
                servers.join(", ") || "none"
              }; name it in stun-servers)`;
          },
        },
      }
      : {}),
  });
}
