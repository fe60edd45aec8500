// npm builds (unbundled ES modules, one file per source module, dependencies external) for
// every package, and one minified CDN bundle of the elements with everything inside, Lit included.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import esbuild from 'rollup-plugin-esbuild';
import { minifyLitLiterals } from './scripts/minify-literals.mjs';

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
    // Rollup drops a module's 'use client' (React Server Components), with a warning its
    // source map cannot place: the React components get it back as a banner.
    onwarn: (warning, warn) =>
      warning.code === 'MODULE_LEVEL_DIRECTIVE' ||
      (warning.code === 'SOURCEMAP_ERROR' && warning.loc?.line === 1)
        ? undefined
        : warn(warning),
    output: {
      ...(name === 'react' ? { banner: "'use client';" } : {}),
      dir: `packages/${name}/dist`,
      format: 'es',
      sourcemap: true,
      preserveModules: true,
      preserveModulesRoot: root,
      entryFileNames: '[name].js',
    },
  };
}

/** All elements defined, plus the client factories, for one `<script type="module">` (src/cdn.ts). */
function cdnBuild() {
  return {
    input: 'packages/elements/src/cdn.ts',
    plugins: [
      nodeResolve({
        exportConditions: ['fg-source', 'browser', 'module', 'import', 'default'],
        extensions: ['.ts', '.js'],
      }),
      typescript(),
      minifyLitLiterals(),
      // Public names (element classes, properties, events, the client's API) are never mangled;
      // private members are, by their names: `_` and a lowercase letter (never Lit's `_$`).
      terser({
        module: true,
        format: { comments: false },
        // Unused parameters go (nothing here reads a function's `length`).
        compress: { passes: 3, keep_fargs: false },
        mangle: { properties: { regex: /^_[a-z]/ } },
      }),
    ],
    output: { file: 'packages/elements/dist/cdn/fg-dashboard.js', format: 'es', sourcemap: true },
  };
}

export default [
  ...PACKAGES.filter((name) => existsSync(`packages/${name}/src/index.ts`)).map(npmBuild),
  ...(existsSync('packages/elements/src/cdn.ts') ? [cdnBuild()] : []),
];
