import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newEpoch, newId } from '../src/ids.js';

describe('ids', () => {
  it('are distinct and URL-safe across many refills of the random pool', () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => (i % 7 ? newId('m') : newEpoch()));
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^(m-[A-Za-z0-9_-]{11}|[A-Za-z0-9_-]{12})$/);
  });
});
