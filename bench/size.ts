// Bundle sizes, min+gzip: the CDN bundle (everything, Lit included), @fg/realtime alone, and
// each element on its own (with Lit, since a page that uses one element pays for Lit once).
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface SizeResult {
  name: string;
  minBytes: number;
  gzipBytes: number;
}

async function bundleSize(name: string, contents: string, external: string[] = []): Promise<SizeResult> {
  const result = await build({
    external,
    stdin: { contents, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['fg-source', 'browser'],
    write: false,
    legalComments: 'none',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });
  const code = result.outputFiles[0]!.contents;
  return { name, minBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

export async function measureSizes(): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  const cdn = 'packages/elements/dist/cdn/fg-dashboard.js';
  if (existsSync(cdn)) {
    const code = readFileSync(cdn);
    results.push({
      name: 'CDN bundle (rollup)',
      minBytes: code.byteLength,
      gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    });
  }
  results.push(
    await bundleSize('@fg/realtime', `export { createDashboardClient } from '@fg/realtime';`),
    await bundleSize('lit (baseline)', `export { LitElement, html, css } from 'lit';`),
  );
  // What the CDN bundle is made of: each part built alone with the others left out, so each is
  // gzipped alone (the parts add up to more than the whole, whose gzip shares one dictionary).
  // Built by esbuild, not by the CDN build: the styles are not minified by Lightning CSS here,
  // and private members keep their names, so the elements' part reads a few hundred bytes high.
  const everything = [
    `import './packages/elements/src/define/fg-dashboard-provider.ts';`,
    `import './packages/elements/src/define/fg-dashboard.ts';`,
    `export * from './packages/elements/src/index.ts';`,
    `export { createDashboardClient, createDashboardStore } from '@fg/realtime';`,
  ].join('\n');
  const lit = ['lit', 'lit/*', '@lit/*', 'lit-html', 'lit-html/*', '@lit/reactive-element', 'lit-element'];
  const client = `export { createDashboardClient, createDashboardStore } from '@fg/realtime';`;
  /** `contents` built with and without `parts` left out: what those parts add. */
  const difference = async (name: string, contents: string, kept: string[], parts: string[]) => {
    const withParts = await bundleSize(name, contents, kept);
    const without = await bundleSize('', contents, [...kept, ...parts]);
    return {
      name,
      minBytes: withParts.minBytes - without.minBytes,
      gzipBytes: withParts.gzipBytes - without.gzipBytes,
    };
  };
  results.push(
    await bundleSize('part: elements (own code, styles; esbuild)', everything, [...lit, '@fg/*']),
    await difference('part: Lit, @lit/context, directives', everything, ['@fg/*'], lit),
    await bundleSize('part: @fg/realtime (own code)', client, ['@fg/protocol', '@fg/protocol/*']),
    await difference(
      'part: @fg/protocol/frames, as the client uses it',
      client,
      [],
      ['@fg/protocol', '@fg/protocol/*'],
    ),
  );
  const defineDir = 'packages/elements/src/define';
  if (existsSync(defineDir)) {
    for (const file of readdirSync(defineDir)
      .filter((f) => f.endsWith('.ts'))
      .sort()) {
      results.push(
        await bundleSize(`<${file.replace(/\.ts$/, '')}>`, `import './${join(defineDir, file)}';`),
      );
    }
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await measureSizes()) {
    console.log(
      `${r.name.padEnd(32)} ${(r.minBytes / 1024).toFixed(1).padStart(7)} KB min ${(r.gzipBytes / 1024).toFixed(1).padStart(6)} KB gzip`,
    );
  }
}
