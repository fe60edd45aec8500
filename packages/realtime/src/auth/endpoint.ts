/**
 * Tokens go only where they cannot be read on the way: https/wss, or this machine.
 * Loopback is exempt so development and tests need no certificates.
 */
export function isSecureEndpoint(url: URL): boolean {
  if (url.protocol === 'https:' || url.protocol === 'wss:') return true;
  if (url.protocol !== 'http:' && url.protocol !== 'ws:') return false;
  return isLoopback(url.hostname);
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]' || host === '::1') return true;
  const octets = host.split('.');
  return (
    octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) < 256)
  );
}

/** The endpoint as a base URL; throws a TypeError for anything but an absolute http(s) URL. */
export function parseEndpoint(endpoint: string): URL {
  const base = typeof location === 'undefined' ? undefined : location.href;
  const url = new URL(endpoint, base);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`FG Live endpoint must be an http(s) URL, got ${url.protocol}`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** `path` is absolute in the protocol (`/api/...`); it is resolved under the endpoint's own path. */
export function endpointUrl(base: URL, path: string, protocol?: 'ws'): URL {
  const url = new URL(path.replace(/^\//, ''), base);
  if (protocol === 'ws') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}
