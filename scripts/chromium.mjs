// Debian's Chromium, launched the same way by every test, benchmark and script: no sandbox
// (CI runs as root), and none of the background traffic a closed network refuses.
export const CHROMIUM_PATH = process.env.FG_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Launch options for playwright-core's `chromium.launch` (and web-test-runner's launcher). */
export function chromiumLaunchOptions(extraArgs = []) {
  return { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] };
}
