import { fileURLToPath } from 'node:url';

/**
 * The demo-server folder. This module sits directly in `src/`, and the bundle in `dist/`,
 * so one level up is the same folder whether running from source or from the build.
 */
export const SERVER_ROOT = fileURLToPath(new URL('..', import.meta.url));
