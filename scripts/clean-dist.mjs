// Empties the packages' dist folders before a build, so a module that no longer exists in
// the sources is never packed or imported from a stale build.
import { readdirSync, rmSync } from 'node:fs';

for (const name of readdirSync('packages')) rmSync(`packages/${name}/dist`, { recursive: true, force: true });
