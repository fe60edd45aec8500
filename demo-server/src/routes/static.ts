/**
 * The demo page. HTML is read from `src/public/` at request time, so it can be replaced
 * without a rebuild; `/assets/*` serves the built demo bundle from `dist/public/`.
 */
import type { Context, Hono } from 'hono';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { notFound } from '../errors.js';
import { errorResponse } from '../http/respond.js';
import { SERVER_ROOT } from '../paths.js';

const PUBLIC_HTML = join(SERVER_ROOT, 'src', 'public');
/** Where `npm run build` puts the demo bundle. */
export const DEFAULT_ASSETS_DIR = resolve(SERVER_ROOT, 'dist', 'public');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The pages' policy: scripts, styles and connections from this origin only (its WebSocket
 * named too, for engines where `'self'` does not cover `ws:`), no inline script or style, no
 * plugins, never in a frame. The dashboard needs nothing more: Lit's styles are constructed
 * style sheets, and the rows' places are set through the CSSOM.
 */
export function contentSecurityPolicy(pageUrl: string): string {
  const url = new URL(pageUrl);
  // The host comes from the request: named only when it is a plain name or address (a `;`
  // in it would start a directive of its own).
  const ws = /^(?:[\w.-]+|\[[\da-f:.]+\])(?::\d+)?$/i.test(url.host)
    ? ` ${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`
    : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${ws}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

async function fileResponse(path: string, cacheControl: string): Promise<Response | undefined> {
  try {
    const body = await readFile(path);
    return new Response(body, {
      headers: {
        'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
        'Cache-Control': cacheControl,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return undefined;
  }
}

export function staticRoutes(app: Hono, assetsDir = DEFAULT_ASSETS_DIR): void {
  const assets = resolve(assetsDir);
  const page = (file: string) => async (c: Context) => {
    const response = await fileResponse(join(PUBLIC_HTML, file), 'no-cache');
    if (!response) return errorResponse(notFound(`The page ${file} is missing`));
    response.headers.set('Content-Security-Policy', contentSecurityPolicy(c.req.url));
    response.headers.set('Referrer-Policy', 'no-referrer');
    return response;
  };
  app.get('/', page('index.html'));
  app.get('/login', page('login.html'));

  app.get('/assets/*', async (c, next) => {
    let relative: string;
    try {
      relative = decodeURIComponent(c.req.path.slice('/assets/'.length));
    } catch {
      return next();
    }
    const path = resolve(assets, relative);
    // Never outside the assets folder, whatever `..` or encoded separators the path holds.
    if (!path.startsWith(assets + sep)) return next();
    return (await fileResponse(path, 'no-cache')) ?? next();
  });
}
