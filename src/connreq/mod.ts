/**
 * The connection-request listener and what bounds it: the accepted-request
 * rate, per-source allowances for what does not authenticate, and the
 * counted, throttled log of refusals.
 *
 * @example
 * ```ts
 * import { startConnectionRequestServer } from "./mod.ts";
 * const server = await startConnectionRequestServer({
 *   port: 0,
 *   credentials: () => ({ username: "acs", password: "secret" }),
 *   onRequest: () => {},
 * });
 * await server.stop();
 * ```
 *
 * @module
 */
export * from "./server.ts";
export * from "./refusals.ts";
export * from "./rate_limit.ts";
export * from "./source_limit.ts";
