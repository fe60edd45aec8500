import { isLoopbackHost } from '@fg/protocol';

/**
 * The Origin allow-list. Browsers send `Origin` on cross-origin requests and on every
 * WebSocket handshake; WebSockets are not covered by CORS, so the server itself must refuse
 * foreign pages before upgrading. Same-origin is always allowed; `*` allows every origin.
 *
 * A server listening on a loopback address (`loopback`) also checks the `Host` of every
 * request: a loopback name, or the host of an allowed origin (a proxy in front of it). A page
 * on another name that its DNS points at 127.0.0.1 (DNS rebinding) would otherwise be
 * same-origin with the server, and could mint demo tokens and read dashboards.
 */
export class OriginPolicy {
  private readonly any: boolean;
  private readonly allowed: Set<string>;
  private readonly allowedHosts: Set<string>;

  constructor(
    allowedOrigins: readonly string[] = [],
    private readonly loopback = false,
  ) {
    this.any = allowedOrigins.includes('*');
    this.allowed = new Set(allowedOrigins.filter((o) => o !== '*').map(normalise));
    this.allowedHosts = new Set([...this.allowed].map((origin) => new URL(origin).host));
  }

  /** Whether a request whose `Host` header is `host` is served at all. */
  hostAllowed(host: string | undefined): boolean {
    // No Host (HTTP/1.0): no browser.
    if (!this.loopback || this.any || host === undefined) return true;
    try {
      const url = new URL(`http://${host}`);
      return isLoopbackHost(url.hostname) || this.allowedHosts.has(url.host);
    } catch {
      return false;
    }
  }

  /** `origin` is the request's Origin header; `requestUrl` its own URL (scheme and Host). */
  allows(origin: string | undefined, requestUrl: string): boolean {
    // No Origin: not a browser page (curl, a backend, the `ws` package). Tokens still apply.
    if (origin === undefined || origin === '') return true;
    if (this.any) return true;
    const normalised = normalise(origin);
    return normalised === new URL(requestUrl).origin || this.allowed.has(normalised);
  }
}

function normalise(origin: string): string {
  if (origin === 'null') return origin;
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}

/** Checks a configured origin: `*`, or scheme://host[:port] with nothing after. */
export function isValidOriginSetting(value: string): boolean {
  if (value === '*') return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
