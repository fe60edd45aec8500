/**
 * The Origin allow-list. Browsers send `Origin` on cross-origin requests and on every
 * WebSocket handshake; WebSockets are not covered by CORS, so the server itself must refuse
 * foreign pages before upgrading. Same-origin is always allowed; `*` allows every origin.
 */
export class OriginPolicy {
  private readonly any: boolean;
  private readonly allowed: Set<string>;

  constructor(allowedOrigins: readonly string[] = []) {
    this.any = allowedOrigins.includes('*');
    this.allowed = new Set(allowedOrigins.filter((o) => o !== '*').map(normalise));
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
