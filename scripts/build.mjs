// `npm run build`: the reference server (and, once present, the demo page's bundle), with esbuild.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const started = Date.now();
const external = ['better-sqlite3', 'pg', 'hono', 'hono/*', '@hono/*', 'ws', 'jose', 'valibot'];

await build({
  entryPoints: ['demo-server/src/main.ts'],
  outfile: 'demo-server/dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['fg-source'],
  external,
  sourcemap: true,
  logLevel: 'warning',
});

if (existsSync('demo-server/src/public/app.ts')) {
  await build({
    entryPoints: ['demo-server/src/public/app.ts'],
    outdir: 'demo-server/dist/public',
    bundle: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['fg-source'],
    minify: true,
    sourcemap: true,
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    logLevel: 'warning',
  });
}
console.log(`built in ${Date.now() - started} ms`);
