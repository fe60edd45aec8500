import { isLoopbackHost } from '@fg/protocol/frames';

/**
 * The endpoint as a base URL. Throws a TypeError for anything but an absolute http(s) URL, and
 * for one that would carry the token in clear text: tokens go only where they cannot be read
 * on the way, https or this machine (loopback is exempt so development and tests need no
 * certificates).
 */
export function parseEndpoint(endpoint: string): URL {
  const url = new URL(endpoint, globalThis.location?.href);
  if (!/^https?:$/.test(url.protocol)) {
    throw new TypeError(`FG Live endpoint must be an http(s) URL, got ${url.protocol}`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new TypeError(
      `FG Live refuses to send a token to ${url.origin}: use https, or a loopback address in development`,
    );
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/**
 * `url` as it is when, resolved against the page, it is a web page's address (http or
 * https); else `undefined`. A sign-in page is navigated to and linked: a `javascript:` or
 * `data:` URL, from wherever a host page took it, must never run.
 */
export function webPage(url: string | undefined): string | undefined {
  try {
    const page = url ? new URL(url, globalThis.location?.href) : undefined;
    return page && /^https?:$/.test(page.protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** `path` is absolute in the protocol (`/api/...`); it is resolved under the endpoint's own path. */
export const endpointUrl = (base: URL, path: `/${string}`): URL => new URL(`.${path}`, base);
