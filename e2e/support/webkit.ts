import { remote } from 'webdriverio';
import { WEBKIT_CAPABILITIES, retried, startWebKitDriver } from '../../scripts/webkit.mjs';

export type WebKitBrowser = Awaited<ReturnType<typeof remote>>;

/**
 * WebKit, Safari's engine: WebKitGTK's MiniBrowser driven through WebKitWebDriver under Xvfb.
 * Returns the webdriverio session and a function that ends it and the driver. A browser
 * that fails to start is started again (with a driver of its own), twice at most.
 */
export function launchWebKit(): Promise<{ browser: WebKitBrowser; quit: () => Promise<void> }> {
  return retried('WebKit', async () => {
    const driver = await startWebKitDriver();
    const browser = await remote({
      hostname: '127.0.0.1',
      port: driver.port,
      logLevel: 'error',
      connectionRetryCount: 0,
      capabilities: WEBKIT_CAPABILITIES as WebdriverIO.Capabilities,
    }).catch((error: unknown) => {
      driver.stop();
      throw error;
    });
    return {
      browser,
      quit: async () => {
        await browser.deleteSession().catch(() => undefined);
        driver.stop();
      },
    };
  });
}
