// npm builds (unbundled ES modules, one file per source module, dependencies external) for
// every package, and one minified CDN bundle of the elements with everything inside, Lit included.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import esbuild from 'rollup-plugin-esbuild';
import { minifyLitLiterals } from './scripts/minify-literals.mjs';
import { privateNamesPattern } from './scripts/private-names.mjs';

const PACKAGES = ['protocol', 'realtime', 'elements', 'react'];

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Shipped modules: sources, not tests or test fixtures. */
const shipped = (file) =>
  file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts') && !file.includes('/test/');

const typescript = () =>
  esbuild({
    target: 'es2022',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });

function npmBuild(name) {
  const root = `packages/${name}/src`;
  const input = Object.fromEntries(
    walk(root)
      .filter(shipped)
      .map((file) => [relative(root, file).replace(/\.ts$/, ''), file]),
  );
  return {
    input,
    // Every bare import (lit, @lit/context, @fg/*, valibot, ...) stays a dependency.
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    plugins: [typescript()],
    output: {
      dir: `packages/${name}/dist`,
      format: 'es',
      sourcemap: true,
      preserveModules: true,
      preserveModulesRoot: root,
      entryFileNames: '[name].js',
    },
  };
}

const CDN_ENTRY = '\0fg-cdn-entry';

/** The packages the CDN bundle takes from node_modules: Lit's. */
const CDN_DEPENDENCIES = [
  'lit',
  'lit-html',
  'lit-element',
  ...readdirSync('node_modules/@lit').map((name) => `@lit/${name}`),
];

/**
 * `private` members of our classes that the CDN bundle renames (see scripts/private-names.mjs),
 * and a check that the bundle holds no module whose code the choice did not see.
 */
function privateNames() {
  const sources = ['protocol', 'realtime', 'elements'].flatMap((name) =>
    walk(`packages/${name}/src`).filter(shipped),
  );
  const dependencies = CDN_DEPENDENCIES.flatMap((name) =>
    walk(`node_modules/${name}`)
      .filter((file) => /\.[cm]?js$/.test(file))
      .map((file) => readFileSync(file, 'utf8')),
  );
  const found = privateNamesPattern(sources, dependencies);
  const plugin = {
    name: 'fg-private-names',
    buildEnd() {
      const scannedDirs = CDN_DEPENDENCIES.map((name) => `${resolve('node_modules', name)}/`);
      const scannedFiles = new Set(sources.map((file) => resolve(file)));
      for (const id of this.getModuleIds()) {
        if (id.startsWith('\0') || scannedFiles.has(id) || scannedDirs.some((dir) => id.startsWith(dir)))
          continue;
        this.error(`${id} is bundled but was not scanned for private names, which may clash with it`);
      }
    },
  };
  return { plugin, regex: found?.regex };
}

/** All elements defined, plus the client factories, for one `<script type="module">`. */
function cdnBuild() {
  const defines = walk('packages/elements/src/define').filter(shipped).sort();
  const names = privateNames();
  return {
    input: CDN_ENTRY,
    plugins: [
      {
        name: 'fg-cdn-entry',
        resolveId: (id) => (id === CDN_ENTRY ? id : null),
        load: (id) =>
          id === CDN_ENTRY
            ? [
                ...defines.map((file) => `import ${JSON.stringify('./' + file)};`),
                `export * from './packages/elements/src/index.ts';`,
                `export { createDashboardClient, createDashboardStore } from './packages/realtime/src/index.ts';`,
              ].join('\n')
            : null,
      },
      nodeResolve({
        exportConditions: ['fg-source', 'browser', 'module', 'import', 'default'],
        extensions: ['.ts', '.js'],
      }),
      typescript(),
      minifyLitLiterals(),
      names.plugin,
      // Public names (element classes, properties, events, the client's API) are never mangled;
      // private members are, where nothing else can mean the same name.
      terser({
        module: true,
        format: { comments: false },
        compress: { passes: 3 },
        mangle: names.regex ? { properties: { regex: names.regex } } : true,
      }),
    ],
    output: { file: 'packages/elements/dist/cdn/fg-dashboard.js', format: 'es', sourcemap: true },
  };
}

export default [
  ...PACKAGES.filter((name) => existsSync(`packages/${name}/src/index.ts`)).map(npmBuild),
  ...(existsSync('packages/elements/src/define') ? [cdnBuild()] : []),
];
