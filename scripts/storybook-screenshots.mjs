// `npm run docs:screenshots`: the pictures in docs/theming.md, taken from Storybook so they
// show exactly what the stories show. Builds Storybook into a temporary folder, serves it on
// loopback, captures each story's canvas to docs/images/, and stops everything it started.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from './chromium.mjs';

const SHOTS = [
  { story: 'theming--light', file: 'theming-light.png' },
  { story: 'theming--dark', file: 'theming-dark.png' },
  { story: 'theming--brand-tokens', file: 'theming-brand-tokens.png' },
  { story: 'theming--parts', file: 'theming-parts.png' },
  { story: 'theming--dashboard-parts', file: 'theming-dashboard-parts.png' },
];
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};

const out = mkdtempSync(join(tmpdir(), 'fg-storybook-shots-'));
let server;
let browser;
try {
  const build = spawnSync('npm', ['run', '--silent', 'build-storybook', '--', '--output-dir', out], {
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('storybook build failed');

  server = http.createServer((req, res) => {
    const path = normalize(join(out, new URL(req.url, 'http://x').pathname));
    if (!path.startsWith(out) || !existsSync(path) || statSync(path).isDirectory()) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;

  browser = await chromium.launch(chromiumLaunchOptions());
  const page = await browser.newPage({ viewport: { width: 1120, height: 800 }, reducedMotion: 'reduce' });
  for (const shot of SHOTS) {
    await page.goto(`${base}/iframe.html?id=${shot.story}&viewMode=story`);
    await page.waitForFunction((id) => {
      const render = window.__STORYBOOK_PREVIEW__?.currentRender;
      return render?.id === id && render.phase === 'finished';
    }, shot.story);
    // The store notifies on an animation frame; two frames later every widget has painted.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // The story and a margin of the page around it.
    const box = await page.locator('.fg-story-frame').boundingBox();
    const margin = 24;
    await page.screenshot({
      path: join('docs/images', shot.file),
      clip: {
        x: Math.max(0, box.x - margin),
        y: Math.max(0, box.y - margin),
        width: box.width + 2 * margin,
        height: box.height + 2 * margin,
      },
    });
    console.log(
      `docs/images/${shot.file}: ${(statSync(join('docs/images', shot.file)).size / 1024).toFixed(0)} KB`,
    );
  }
} finally {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  rmSync(out, { recursive: true, force: true });
}
