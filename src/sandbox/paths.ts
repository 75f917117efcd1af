/**
 * POSIX path helpers for the run path, in place of node:path and node:url:
 * importing either loaded the Node compatibility layer into every agent
 * (~20 ms of start-up, ~6 MB) for one function each. The agent runs on
 * Linux CPEs, so POSIX semantics are the ones that matter.
 *
 * @module
 */

/**
 * `path` made absolute against `cwd` and normalized (no `.`, `..`, repeated
 * or trailing slashes), as node:path's `resolve(path)` does on POSIX.
 *
 * @example
 * ```ts
 * import { resolvePath } from "./paths.ts";
 * console.log(resolvePath("state/../run/", "/var/lib")); // "/var/lib/run"
 * ```
 */
export function resolvePath(path: string, cwd: string = Deno.cwd()): string {
  const joined = path.startsWith("/") ? path : `${cwd}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/**
 * The file-system path of a `file:` URL (percent-escapes decoded).
 *
 * @throws {TypeError} for a URL that is not a local `file:` URL.
 *
 * @example
 * ```ts
 * import { filePathOf } from "./paths.ts";
 * console.log(filePathOf(new URL("file:///opt/cwmp%20agent/main.ts"))); // "/opt/cwmp agent/main.ts"
 * ```
 */
export function filePathOf(url: URL): string {
  if (
    url.protocol !== "file:" || (url.host !== "" && url.host !== "localhost")
  ) {
    throw new TypeError(`Not a local file URL: ${url.href}`);
  }
  // As node:url: an escaped "/" would name another file than it shows.
  if (/%2f/i.test(url.pathname)) {
    throw new TypeError(
      `A file URL path must not hold an escaped "/": ${url.href}`,
    );
  }
  const path = decodeURIComponent(url.pathname);
  if (path.includes("\0")) throw new TypeError(`Not a file path: ${url.href}`);
  return path;
}
