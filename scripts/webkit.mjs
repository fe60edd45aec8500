// WebKit, Safari's engine, as the browser tests and the end-to-end tests drive it:
// WebKitGTK's MiniBrowser through WebKitWebDriver, under an Xvfb display of its own.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { freePort } from './ports.mjs';

export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** What a WebDriver session asks for to open MiniBrowser. */
export const WEBKIT_CAPABILITIES = {
  browserName: 'MiniBrowser',
  'wdio:enforceWebDriverClassic': true,
  'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
};

/**
 * `start()`, started again when it fails, twice at most: Xvfb, the driver and the browser
 * all have to start, and a busy machine's hiccup should not fail a suite.
 */
export async function retried(what, start) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt === 3) throw error;
      console.warn(`${what} did not start (attempt ${attempt} of 3): ${error.message}`);
    }
  }
}

/** WebKitWebDriver on a free loopback port, once it answers; `stop()` ends it and its Xvfb. */
export function startWebKitDriver() {
  if (!existsSync(MINIBROWSER)) throw new Error(`WebKit needs ${MINIBROWSER} (Debian webkit2gtk-driver)`);
  return retried('WebKitWebDriver', startWebKitDriverOnce);
}

async function startWebKitDriverOnce() {
  const port = await freePort();
  const child = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', process.env.FG_DRIVER_LOG ? 'inherit' : 'ignore'],
  });
  // xvfb-run starts Xvfb and the driver as children: end the whole group.
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${child.exitCode}`);
    const ready = await new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/status', timeout: 1000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (ready) break;
    if (Date.now() > deadline) {
      stop();
      throw new Error('WebKitWebDriver did not answer in 20 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, stop };
}
