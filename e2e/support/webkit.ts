import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { remote } from 'webdriverio';

export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

export type WebKitBrowser = Awaited<ReturnType<typeof remote>>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts connections on the port (the driver has started). */
async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not start on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * WebKit, Safari's engine: WebKitGTK's MiniBrowser driven through WebKitWebDriver under Xvfb.
 * Returns the webdriverio session and a function that ends it and the driver. Three
 * processes have to start (Xvfb, the driver, the browser): one that fails to is started
 * again, twice at most, so a busy machine's hiccup does not fail a suite.
 */
export async function launchWebKit(): Promise<{ browser: WebKitBrowser; quit: () => Promise<void> }> {
  if (!existsSync(MINIBROWSER))
    throw new Error(`WebKit MiniBrowser not found at ${MINIBROWSER} (Debian webkit2gtk-driver)`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce();
    } catch (error) {
      if (attempt === 3) throw error;
      console.warn(`WebKit did not start (attempt ${attempt} of 3): ${(error as Error).message}`);
    }
  }
}

async function launchOnce(): Promise<{ browser: WebKitBrowser; quit: () => Promise<void> }> {
  const port = await freePort();
  const driver: ChildProcess = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], {
    stdio: 'ignore',
    detached: true,
  });
  const kill = () => {
    try {
      process.kill(-driver.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  await waitForPort(port).catch((error) => {
    kill();
    throw error;
  });
  const browser = await remote({
    hostname: '127.0.0.1',
    port,
    logLevel: 'error',
    connectionRetryCount: 0,
    capabilities: {
      browserName: 'MiniBrowser',
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    } as WebdriverIO.Capabilities,
  }).catch((error) => {
    kill();
    throw error;
  });
  return {
    browser,
    quit: async () => {
      await browser.deleteSession().catch(() => undefined);
      kill();
    },
  };
}
