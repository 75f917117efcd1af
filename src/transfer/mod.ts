/**
 * File transfers: the HTTP client for file servers (what a vendor may
 * reuse); the spool, the attempt, the windows and the worker stay the
 * agent's own.
 *
 * @example
 * ```ts
 * import { downloadFile } from "./mod.ts";
 * // await downloadFile("https://cdn.example.net/fw.bin", { username: "", password: "" }, write, 64 << 20, { caCerts });
 * ```
 *
 * @module
 */
export * from "./file_client.ts";
