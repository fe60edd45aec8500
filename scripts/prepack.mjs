// Run by `npm pack` and `npm publish` in a package's folder: refuses to pack a package whose
// built files are missing (dist/ and custom-elements.json are built, not committed), which
// would install and then fail at its first import; and puts the repository's licence beside
// the package's files (npm packs a package's own LICENSE).
import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** Every file the manifest points a consumer at, but the sources (`fg-source`, for this repository only). */
function targets(entry) {
  if (typeof entry === 'string') return [entry];
  if (!entry || typeof entry !== 'object') return [];
  return Object.entries(entry).flatMap(([key, value]) => (key === 'fg-source' ? [] : targets(value)));
}

const wanted = [pkg.main, pkg.module, pkg.types, pkg.customElements, ...targets(pkg.exports)].filter(Boolean);
const missing = [...new Set(wanted)].filter((target) => {
  if (!target.includes('*')) return !existsSync(target);
  // A pattern: its folder must hold a file of its kind.
  const [folder, suffix] = [dirname(target), target.slice(target.lastIndexOf('*') + 1)];
  return !existsSync(folder) || !readdirSync(folder).some((file) => file.endsWith(suffix));
});

if (missing.length) {
  console.error(
    `${pkg.name}: not built (missing ${missing.join(', ')}).\n` +
      `Run \`npm run build:packages\` at the repository's root, then pack again.`,
  );
  process.exit(1);
}

copyFileSync('../../LICENSE', 'LICENSE');
