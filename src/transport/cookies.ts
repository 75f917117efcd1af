/**
 * A cookie jar for one session: ACSes track sessions with cookies, and the
 * CPE must return every cookie on every later POST of the session (digest
 * §1.5). Cookies never outlive the session, and stay with the host that set
 * them (RFC 6265 §5.3): a redirect to another host does not carry them.
 *
 * @module
 */

interface Cookie {
  readonly name: string;
  readonly value: string;
  /** The host that set it, or the domain it names (with `hostOnly` false). */
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  readonly secure: boolean;
  readonly expires: number | undefined;
}

/** Most cookies kept; a hostile ACS cannot make the jar grow without bound. */
const MAX_COOKIES = 32;
/** Longest cookie (name + value) kept. */
const MAX_COOKIE_LENGTH = 4096;

/** RFC 6265 §5.1.3: `host` is `domain` or a name under it (not for IP addresses). */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  const ip = /^[\d.]+$/.test(host) || host.includes(":");
  return !ip && host.endsWith("." + domain);
}

/** The host of a URL as cookies see it (lower case, no brackets). */
function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
}

/**
 * Cookies of one session.
 *
 * @example
 * ```ts
 * import { CookieJar } from "./cookies.ts";
 * const jar = new CookieJar(() => 0);
 * const acs = new URL("https://acs.example.net/acs");
 * jar.store(["session=abc; Path=/; HttpOnly", "lb=2"], acs);
 * console.log(jar.header(acs)); // "session=abc; lb=2"
 * console.log(jar.header(new URL("https://other.example.org/acs"))); // undefined
 * ```
 */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();
  readonly #now: () => number;

  /** A jar with an injected clock (ms since the epoch). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Stores the cookies of `Set-Cookie` headers of a response from `url`. */
  store(setCookies: readonly string[], url: URL): void {
    const host = hostOf(url);
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (name.length + value.length > MAX_COOKIE_LENGTH) continue;
      let path = "/";
      let expires: number | undefined;
      let domain: string | undefined;
      let secure = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split("=");
        const v = rest.join("=").trim();
        switch (key.trim().toLowerCase()) {
          case "path":
            if (v.startsWith("/")) path = v;
            break;
          case "domain":
            if (v !== "") domain = v.replace(/^\./, "").toLowerCase();
            break;
          case "secure":
            secure = true;
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
      // A host may set cookies for itself or a domain it is under, never
      // for another host (RFC 6265 §5.3 step 6).
      if (domain !== undefined && !domainMatches(host, domain)) continue;
      const cookie: Cookie = {
        name,
        value,
        domain: domain ?? host,
        hostOnly: domain === undefined,
        path,
        secure,
        expires,
      };
      const key = `${cookie.domain}\u0000${cookie.path}\u0000${name}`;
      if (expires !== undefined && expires <= this.#now()) {
        this.#cookies.delete(key);
        continue;
      }
      if (!this.#cookies.has(key) && this.#cookies.size >= MAX_COOKIES) {
        continue;
      }
      this.#cookies.set(key, cookie);
    }
  }

  /** The `Cookie` header for a request to `url`, or undefined when there is none. */
  header(url: URL): string | undefined {
    const now = this.#now();
    const host = hostOf(url);
    const path = url.pathname;
    const matching = [...this.#cookies.values()].filter((c) =>
      (c.expires === undefined || c.expires > now) &&
      (c.hostOnly ? host === c.domain : domainMatches(host, c.domain)) &&
      (!c.secure || url.protocol === "https:") &&
      (path === c.path ||
        path.startsWith(c.path.endsWith("/") ? c.path : c.path + "/"))
    );
    return matching.length
      ? matching.map((c) => `${c.name}=${c.value}`).join("; ")
      : undefined;
  }
}
