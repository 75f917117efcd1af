/**
 * A cookie jar for one session: ACSes track sessions with cookies, and the
 * CPE must return every cookie on every later POST of the session (digest
 * §1.5). Cookies never outlive the session.
 *
 * @module
 */

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly expires: number | undefined;
}

/** Most cookies kept; a hostile ACS cannot make the jar grow without bound. */
const MAX_COOKIES = 32;
/** Longest cookie (name + value) kept. */
const MAX_COOKIE_LENGTH = 4096;

/**
 * Cookies of one session.
 *
 * @example
 * ```ts
 * import { CookieJar } from "./cookies.ts";
 * const jar = new CookieJar(() => 0);
 * jar.store(["session=abc; Path=/; HttpOnly", "lb=2"]);
 * console.log(jar.header("/acs")); // "session=abc; lb=2"
 * ```
 */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();
  readonly #now: () => number;

  /** A jar with an injected clock (ms since the epoch). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Stores the cookies of `Set-Cookie` headers. */
  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (name.length + value.length > MAX_COOKIE_LENGTH) continue;
      let path = "/";
      let expires: number | undefined;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split("=");
        const v = rest.join("=").trim();
        switch (key.trim().toLowerCase()) {
          case "path":
            if (v.startsWith("/")) path = v;
            break;
          case "max-age":
            if (/^-?\d+$/.test(v)) expires = this.#now() + Number(v) * 1000;
            break;
          case "expires": {
            const t = Date.parse(v);
            if (!Number.isNaN(t) && expires === undefined) expires = t;
            break;
          }
        }
      }
      if (expires !== undefined && expires <= this.#now()) {
        this.#cookies.delete(name);
        continue;
      }
      if (!this.#cookies.has(name) && this.#cookies.size >= MAX_COOKIES) {
        continue;
      }
      this.#cookies.set(name, { name, value, path, expires });
    }
  }

  /** The `Cookie` header for a request to `path`, or undefined when there is none. */
  header(path: string): string | undefined {
    const now = this.#now();
    const matching = [...this.#cookies.values()].filter((c) =>
      (c.expires === undefined || c.expires > now) &&
      (path === c.path ||
        path.startsWith(c.path.endsWith("/") ? c.path : c.path + "/"))
    );
    return matching.length
      ? matching.map((c) => `${c.name}=${c.value}`).join("; ")
      : undefined;
  }
}
