/**
 * The local interface for on-device applications: a Unix-socket HTTP/JSON
 * server with per-application access lists, and its client.
 *
 * @example
 * ```ts
 * import { tokenSha256 } from "./mod.ts";
 * console.log((await tokenSha256("app-token")).length); // 64
 * ```
 *
 * @module
 */
export * from "./access.ts";
export * from "./local_api.ts";
export * from "./local_client.ts";
export * from "./local_server.ts";
