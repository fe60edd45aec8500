// The library as integrators get it: the npm tarballs installed into an empty project (Node,
// TypeScript and a bundled page), and the dashboard embedded in a React app (on React 19 and
// on React 18), a Vue 3 app
// and an Angular 21 app built with Vite, and in a plain HTML page with only the CDN bundle.
// Every page runs against the real reference server and must show a booking made after it loaded.
import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { DemoApi } from './support/api.js';
import { launchChromium, listItems } from './support/browser.js';
import { run } from './support/run.js';
import { startServerProcess, type ServerProcess } from './support/server.js';
import { serveStatic, type StaticServer } from './support/static-server.js';

const ROOT = resolve(import.meta.dirname, '..');
const HOSTS = join(ROOT, 'e2e/hosts');
const PACKAGES = [
  { dir: 'protocol', name: '@fg/protocol' },
  { dir: 'realtime', name: '@fg/realtime' },
  { dir: 'elements', name: '@fg/dashboard-elements' },
  { dir: 'react', name: '@fg/react' },
] as const;
const SITES = ['packed', 'react', 'react18', 'vue', 'angular', 'cdn'] as const;
type Site = (typeof SITES)[number];

/** Every file under `dir`, relative to it. */
function walk(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(dir, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}

describe('embedding', () => {
  let work: string;
  let server: ServerProcess;
  let api: DemoApi;
  let browser: Browser;
  const sites = {} as Record<Site, { dir: string; static: StaticServer }>;
  const tarballs = new Map<string, string>();

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'fg-embedding-'));
    // Each host app is served from its own origin, as it would be in production.
    for (const site of SITES) {
      const dir = join(work, 'sites', site);
      mkdirSync(dir, { recursive: true });
      sites[site] = { dir, static: await serveStatic(dir) };
    }
    await run('npm', ['run', '--silent', 'build:packages']);
    await run(process.execPath, ['scripts/build.mjs']);
    server = await startServerProcess({
      env: { FG_ALLOWED_ORIGINS: SITES.map((site) => sites[site].static.url).join(',') },
    });
    api = new DemoApi(server.url);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    for (const site of Object.values(sites)) await site.static.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /**
   * Opens a host page for a consultant, checks it shows server data, then books a
   * consultation "in a separate session" and waits for it to appear, without a reload.
   */
  async function expectLiveUpdate(site: Site, consultantId: string, familyName: string): Promise<Page> {
    const { token } = await api.token(consultantId);
    const context = await browser.newContext();
    await context.addInitScript(
      ({ endpoint, token }) => Object.assign(window, { FG_HOST: { endpoint, token } }),
      { endpoint: server.url, token },
    );
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${sites[site].static.url}/`);
    await page.getByRole('region', { name: 'Welcome' }).waitFor();
    await page.getByRole('group', { name: 'Connection' }).getByText('Live').waitFor();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    await api.simulate(consultantId, { action: 'book', startsInSeconds: 300, familyName });
    await page.getByRole('list', { name: 'Upcoming Consultations' }).getByText(familyName).waitFor();
    assert.ok((await listItems(page, 'Upcoming Consultations')).some((item) => item.includes(familyName)));
    assert.equal(navigations, 0, 'the page reloaded');
    assert.deepEqual(problems, []);
    return page;
  }

  /** A family writes; the host app's own handler sees the widget's `fg-mark-read` when it is marked read. */
  async function expectMarkReadEvent(
    page: Page,
    consultantId: string,
    familyName = 'The Event family',
  ): Promise<void> {
    await api.simulate(consultantId, { action: 'message', familyName, text: 'Hello from the tests' });
    const messages = page.getByRole('list', { name: 'Recent Messages' });
    const item = messages.getByRole('listitem').filter({ hasText: familyName });
    await item.getByRole('button', { name: /Mark as read/ }).click();
    const output = page.getByRole('status', { name: 'Marked read' });
    await page.waitForFunction(
      (el) => (el?.textContent ?? '').trim().length > 0,
      await output.elementHandle(),
    );
    // The server's `message.read` event comes back and the action goes away.
    await item.getByRole('button', { name: /Mark as read/ }).waitFor({ state: 'detached' });
  }

  describe('npm packages', () => {
    let project: string;

    before(async () => {
      const packs = join(work, 'packs');
      mkdirSync(packs);
      for (const { dir, name } of PACKAGES) {
        const out = await run('npm', ['pack', '--silent', '--pack-destination', packs], {
          cwd: join(ROOT, 'packages', dir),
        });
        tarballs.set(name, join(packs, out.trim().split('\n').at(-1)!));
      }
      project = join(work, 'consumer');
      mkdirSync(project);
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
      );
      // The tarballs, and their dependencies from npm (the local cache first).
      await run(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values()],
        { cwd: project },
      );
    });

    it('ship built modules, declarations and sources, and no tests', async () => {
      for (const { dir, name } of PACKAGES) {
        const installed = join(project, 'node_modules', name);
        const files = walk(installed);
        const sources = walk(join(ROOT, 'packages', dir, 'src')).filter(
          (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('test/'),
        );
        for (const source of sources) {
          const base = source.replace(/\.ts$/, '');
          for (const built of [`dist/${base}.js`, `dist/${base}.d.ts`, `src/${source}`]) {
            assert.ok(files.includes(built), `${name}: ${built} is missing`);
          }
        }
        const strays = files.filter((f) => /\.test\.|(^|\/)test\//.test(f));
        assert.deepEqual(strays, [], `${name} ships tests`);
        for (const f of files.filter(
          (f) => f.startsWith('dist/') && f.endsWith('.js') && !f.startsWith('dist/cdn/'),
        )) {
          assert.ok(
            sources.includes(f.slice(5).replace(/\.js$/, '.ts')),
            `${name}: ${f} has no source (stale build?)`,
          );
        }
        assert.ok(files.includes('README.md'), `${name} has no README`);
        assert.match(
          readFileSync(join(installed, 'LICENSE'), 'utf8'),
          /^MIT License/,
          `${name}: its licence`,
        );
      }
      const elements = join(project, 'node_modules/@fg/dashboard-elements');
      const pkg = JSON.parse(readFileSync(join(elements, 'package.json'), 'utf8'));
      const manifest = JSON.parse(readFileSync(join(elements, pkg.customElements), 'utf8'));
      const declared = manifest.modules
        .flatMap((m: { declarations?: { tagName?: string; summary?: string }[] }) => m.declarations ?? [])
        .filter((d: { tagName?: string }) => d.tagName);
      const tags = declared.map((d: { tagName: string }) => d.tagName);
      // Each tag's definition, and each re-export, points at a module the manifest has.
      const modules = new Set(manifest.modules.map((m: { path: string }) => m.path));
      const exported: { kind: string; name: string; declaration: { module?: string } }[] =
        manifest.modules.flatMap((m: { exports?: [] }) => m.exports ?? []);
      const definitions = exported.filter((e) => e.kind === 'custom-element-definition');
      assert.ok(definitions.length >= tags.length, 'a definition for every tag');
      assert.deepEqual(
        exported.filter((e) => e.declaration.module && !modules.has(e.declaration.module)),
        [],
        'exports of modules not in the manifest',
      );
      assert.ok(tags.includes('fg-dashboard') && tags.includes('fg-stats-cards'), 'custom-elements.json');
      // Each element's JSDoc reached the manifest (tools and Storybook read its API there).
      const undescribed = declared.filter((d: { summary?: string }) => !d.summary);
      assert.deepEqual(
        undescribed.map((d: { tagName: string }) => d.tagName),
        [],
      );
    });

    it('declare every module they import as a dependency', async () => {
      for (const { name } of PACKAGES) {
        const installed = join(project, 'node_modules', name);
        const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
        const declared = new Set([
          ...Object.keys(pkg.dependencies ?? {}),
          ...Object.keys(pkg.peerDependencies ?? {}),
        ]);
        const entryPoints = walk(installed)
          .filter((f) => f.startsWith('dist/') && f.endsWith('.js') && !f.startsWith('dist/cdn/'))
          .map((f) => join(installed, f));
        const result = await esbuild({
          entryPoints,
          bundle: true,
          write: false,
          metafile: true,
          outdir: join(work, 'unused'),
          format: 'esm',
          logLevel: 'silent',
          plugins: [
            {
              name: 'bare-imports-external',
              setup(b) {
                b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
              },
            },
          ],
        });
        // Declarations count too: a type a consumer compiles against must resolve.
        const typeImports = walk(installed)
          .filter((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))
          .flatMap((f) => [
            ...readFileSync(join(installed, f), 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g),
          ])
          .map((match) => match[1]!);
        const imported = new Set(
          [
            ...Object.values(result.metafile.inputs)
              .flatMap((input) => input.imports)
              .filter((i) => i.external)
              .map((i) => i.path),
            ...typeImports.filter((path) => !path.startsWith('.')),
          ].map((path) =>
            path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]!,
          ),
        );
        assert.deepEqual(
          [...imported].filter((dep) => !declared.has(dep)),
          [],
          `${name}: undeclared imports`,
        );
        assert.deepEqual(
          [...declared].filter((dep) => !imported.has(dep)),
          [],
          `${name}: unused dependencies`,
        );
      }
    });

    it('load in plain Node, with the store applying real frames', async () => {
      cpSync(join(HOSTS, 'packed/check.mjs'), join(project, 'check.mjs'));
      const snapshot = await api.snapshot('c-story');
      const out = await run(process.execPath, ['check.mjs', JSON.stringify(snapshot)], { cwd: project });
      assert.match(out, /^ok$/m);
    });

    it('type-check for a TypeScript user (NodeNext resolution; the source condition never wins)', async () => {
      for (const file of ['consumer.ts', 'tsconfig.json'])
        cpSync(join(HOSTS, 'packed', file), join(project, file));
      const resolved = await run(
        process.execPath,
        [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--traceResolution'],
        { cwd: project },
      );
      for (const { name } of PACKAGES) {
        assert.ok(
          resolved.includes(
            `Module name '${name}' was successfully resolved to '${project}/node_modules/${name}/dist/`,
          ),
          `${name} did not resolve to its declarations`,
        );
      }
      assert.doesNotMatch(resolved, /node_modules\/@fg\/[^/]+\/src\//, 'a consumer resolved to sources');
    });

    it('type-check with the older node10 resolution, and in a Node tool without the DOM library', async () => {
      for (const file of ['consumer.ts', 'tsconfig.json', 'server-tool.ts', 'tsconfig.node.json'])
        cpSync(join(HOSTS, 'packed', file), join(project, file));
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      // Subpaths (`@fg/protocol/frames`, `define/*`) need `typesVersions` there: no `exports`.
      // (`esModuleInterop` as `tsc --init` sets it: @lit/react's declarations need it.)
      await run(
        process.execPath,
        [
          tsc,
          '-p',
          'tsconfig.json',
          '--module',
          'commonjs',
          '--moduleResolution',
          'node10',
          '--esModuleInterop',
        ],
        {
          cwd: project,
        },
      );
      await run(process.execPath, [tsc, '-p', 'tsconfig.node.json'], { cwd: project });
    });

    it('bundle into a page that shows live updates from the reference server', async () => {
      cpSync(join(HOSTS, 'packed/main.ts'), join(project, 'main.ts'));
      await esbuild({
        absWorkingDir: project,
        entryPoints: ['main.ts'],
        bundle: true,
        format: 'esm',
        minify: true,
        outdir: sites.packed.dir,
        logLevel: 'warning',
      });
      cpSync(join(HOSTS, 'packed/index.html'), join(sites.packed.dir, 'index.html'));
      const page = await expectLiveUpdate('packed', 'c-story', 'The Npm family');
      await page.context().close();
    });
  });

  describe('host apps', () => {
    for (const { site, major, familyName, writer } of [
      { site: 'react', major: '19', familyName: 'The React family', writer: undefined },
      // The same app on React 18 (@fg/react's peer range), which sets a custom element's
      // unknown props as attributes and knows nothing of its events: @lit/react bridges both.
      { site: 'react18', major: '18', familyName: 'The React 18 family', writer: 'The Older React family' },
    ] as const) {
      it(`a React ${major} app (Vite) with @fg/react: live update and an fg- event through a React prop`, async () => {
        const { build } = await import('vite');
        const react = (await import('@vitejs/plugin-react')).default;
        // React 18 is installed in its own host folder, beside the repository's React 19.
        const modules = join(HOSTS, 'react18/node_modules');
        await build({
          configFile: false,
          root: join(HOSTS, 'react'),
          base: './',
          logLevel: 'warn',
          plugins: [react()],
          resolve:
            site === 'react18'
              ? { alias: [{ find: /^react(-dom)?(?=\/|$)/, replacement: `${modules}/react$1` }] }
              : {},
          build: { outDir: sites[site].dir, emptyOutDir: true },
        });
        const page = await expectLiveUpdate(site, 'c-story', familyName);
        assert.equal(
          (await page.evaluate(() => document.documentElement.dataset.react))?.split('.')[0],
          major,
        );
        await expectMarkReadEvent(page, 'c-story', writer);
        await page.context().close();
      });
    }

    it('a Vue 3 app (Vite) using the elements directly: live update and an fg- event through @fg-mark-read', async () => {
      const { build } = await import('vite');
      const vue = (await import('@vitejs/plugin-vue')).default;
      await build({
        configFile: false,
        root: join(HOSTS, 'vue'),
        base: './',
        logLevel: 'warn',
        plugins: [
          vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('fg-') } } }),
        ],
        build: { outDir: sites.vue.dir, emptyOutDir: true },
      });
      const page = await expectLiveUpdate('vue', 'c-other', 'The Vue family');
      await expectMarkReadEvent(page, 'c-other');
      await page.context().close();
    });

    it('an Angular 21 app (Vite, zoneless) using the elements directly: property bindings, live update and (fg-mark-read)', async () => {
      const { build } = await import('vite');
      await build({
        configFile: false,
        root: join(HOSTS, 'angular'),
        base: './',
        logLevel: 'warn',
        build: { outDir: sites.angular.dir, emptyOutDir: true },
      });
      const page = await expectLiveUpdate('angular', 'c-busy', 'The Angular family');
      await expectMarkReadEvent(page, 'c-busy');
      await page.context().close();
    });

    it('a plain HTML page with only the CDN bundle, and a script of its own that sets getToken', async () => {
      const bundle = join(ROOT, 'packages/elements/dist/cdn/fg-dashboard.js');
      cpSync(bundle, join(sites.cdn.dir, 'fg-dashboard.js'));
      const { token } = await api.token('c-empty');
      const html = readFileSync(join(HOSTS, 'cdn/index.html'), 'utf8')
        .replace('%ENDPOINT%', server.url)
        .replace('%TOKEN%', token);
      // The bundle, and the page's script giving the session, as docs/embedding.md shows.
      assert.equal((html.match(/<script/g) ?? []).length, 2);
      writeFileSync(join(sites.cdn.dir, 'index.html'), html);
      const page = await expectLiveUpdate('cdn', 'c-empty', 'The Cdn family');
      await page.context().close();
      const size = statSync(bundle).size;
      console.log(
        `CDN bundle: ${(size / 1024).toFixed(1)} KB minified, ${(gzipSync(readFileSync(bundle)).length / 1024).toFixed(1)} KB gzip`,
      );
    });
  });
});
