// Tokens verified once are remembered (a reconnect storm must not verify every signature
// again), yet time still decides: a remembered token expires like any other.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { Auth } from '../src/auth.js';
import type { Clock } from '../src/clock.js';
import type { Metrics } from '../src/metrics.js';

const SECRET = 'auth-cache-secret-auth-cache-secret-42';

describe('verified-token cache', () => {
  it('answers a known token from memory until it expires, then refuses it as expired', async () => {
    let now = 1_800_000_000_000;
    const failures: string[] = [];
    const auth = new Auth(SECRET, { now: () => now } as Clock, async (id) => id === 'c-story', {
      authFailed: (reason: string) => failures.push(reason),
    } as unknown as Metrics);
    const exp = now / 1000 + 60;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('c-story')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));
    for (let i = 0; i < 3; i++) {
      const result = await auth.verify(token);
      assert.deepEqual(result, { ok: true, principal: { consultantId: 'c-story', expiresAt: exp * 1000 } });
    }
    now = exp * 1000;
    const late = await auth.verify(token);
    assert.equal(late.ok, false);
    assert.deepEqual(failures, ['expired']);
    // A token differing in one byte of its signature is verified afresh, and refused.
    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    now = 1_800_000_000_000;
    assert.equal((await auth.verify(forged)).ok, false);
    assert.deepEqual(failures, ['expired', 'bad-signature']);
  });
});
