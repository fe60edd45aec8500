import { randomFillSync } from 'node:crypto';

/**
 * Random bytes, taken from a pool refilled 4 KiB at a time: one call to the system's generator
 * for hundreds of ids, where each id would otherwise make one (as `crypto.randomUUID` does).
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomBase64url(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('base64url', used - bytes, used);
}

/** A random id with a readable prefix, e.g. `k-3fZ9xQ2aLw`. Safe in URLs and SSE ids. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBase64url(8)}`;
}

/** A fresh event-log name: `[A-Za-z0-9_-]`, no `:` (it is joined with seq in SSE ids). */
export function newEpoch(): string {
  return randomBase64url(9);
}
