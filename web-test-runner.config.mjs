// Browser tests: every `packages/*/src/**/*.test.ts`, in Chromium and in WebKit (Safari's
// engine), against the real reference server. FG_BROWSERS=chromium (or webkit) runs one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { a11ySnapshotPlugin } from '@web/test-runner-commands/plugins';
import { chromeLauncher } from '@web/test-runner-chrome';
import { webdriverLauncher } from '@web/test-runner-webdriver';
import { freePort } from './scripts/ports.mjs';
import { startFaultProxy, startReferenceServer } from './scripts/wtr-server.mjs';
import { WEBKIT_CAPABILITIES, startWebKitDriver } from './scripts/webkit.mjs';
import { chromiumLaunchOptions } from './scripts/chromium.mjs';

const browserNames = (process.env.FG_BROWSERS ?? 'chromium,webkit').split(',').map((b) => b.trim());

// The page origin must be known before the server starts: it goes into its Origin allow-list.
const port = await freePort();
const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];

const services = [];
const server = existsSync('demo-server/src/main.ts')
  ? await startReferenceServer({ allowedOrigins: origins, heartbeatMs: 1000 })
  : null;
if (server) services.push(() => server.dispose());
const proxy = server ? await startFaultProxy(() => server.port) : null;
if (proxy) services.push(() => proxy.stop());

let webkitDriver = null;
if (browserNames.includes('webkit')) {
  webkitDriver = await startWebKitDriver();
  services.push(() => webkitDriver.stop());
}

let stopped = false;
async function stopServices() {
  if (stopped) return;
  stopped = true;
  await Promise.allSettled(services.reverse().map((stop) => stop()));
}
process.once('exit', () => void stopServices());
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => stopServices().then(() => process.exit(1)));

/** What tests read from `globalThis.__FG_ENV__`. */
const testEnv = { serverUrl: server?.url ?? null, proxyUrl: proxy?.url ?? null };

async function readJson(ctx) {
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  return body ? JSON.parse(body) : {};
}

/** Test-only controls, same origin as the test page: the fault proxy and the server process. */
async function controlMiddleware(ctx, next) {
  if (ctx.method !== 'POST' || !ctx.path.startsWith('/__fg/')) return next();
  const command = await readJson(ctx);
  ctx.type = 'application/json';
  if (ctx.path === '/__fg/fault' && proxy) {
    ctx.body = JSON.stringify(proxy.control(command));
  } else if (ctx.path === '/__fg/server' && server) {
    if (command.action === 'kill') await server.stop('SIGKILL');
    if (command.action === 'stop') await server.stop();
    if (command.action === 'start' && !server.running) await server.start();
    ctx.body = JSON.stringify({ running: server.running, port: server.port });
  } else {
    ctx.status = 404;
    ctx.body = '{}';
  }
}

const browsers = [];
if (browserNames.includes('chromium')) {
  browsers.push(
    chromeLauncher({
      launchOptions: chromiumLaunchOptions(),
    }),
  );
}
if (webkitDriver) {
  browsers.push(
    webdriverLauncher({
      hostname: '127.0.0.1',
      port: webkitDriver.port,
      logLevel: 'error',
      capabilities: WEBKIT_CAPABILITIES,
    }),
  );
}

export default {
  rootDir: '.',
  files: ['packages/*/src/**/*.test.ts', '!**/node_modules/**'],
  hostname: 'localhost',
  port,
  nodeResolve: { exportConditions: ['fg-source', 'browser'] },
  // One file at a time: tests share the server's consultants, and tab-sync tests share the
  // origin's Web Locks and BroadcastChannels.
  concurrency: 1,
  concurrentBrowsers: 1,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 20_000 } },
  browsers,
  middleware: [controlMiddleware],
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
    // The accessibility tree as the browser exposes it (Chromium; the WebKit driver has none).
    a11ySnapshotPlugin(),
    { name: 'fg-services', serverStop: stopServices },
    // Windows' high-contrast themes (forced colors), in Chromium through the DevTools protocol:
    // `emulateMedia` has no such option for it. The WebKit driver cannot. The emulation lasts
    // as long as its DevTools session, so each page keeps its own.
    {
      name: 'fg-forced-colors',
      cdp: new Map(),
      async executeCommand({ command, payload, session }) {
        if (command !== 'fg-forced-colors') return undefined;
        if (session.browser.type !== 'puppeteer') throw new Error('forced colors: Chromium only');
        if (!this.cdp.has(session.id))
          this.cdp.set(session.id, await session.browser.getPage(session.id).createCDPSession());
        await this.cdp.get(session.id).send('Emulation.setEmulatedMedia', {
          features: [{ name: 'forced-colors', value: payload ? 'active' : 'none' }],
        });
        return true;
      },
    },
  ],
  testRunnerHtml: (testFramework) => `<!doctype html>
<html>
  <head><meta charset="utf-8" /></head>
  <body>
    <script>globalThis.__FG_ENV__ = ${JSON.stringify(testEnv)};</script>
    <script type="module" src="${testFramework}"></script>
  </body>
</html>`,
};
