// Every way a token can be wrong, on every entry point, and each one counted in /metrics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { CloseCode } from '@fg/protocol';
import { bearer, poll, SECRET, SseClient, startTestServer, T0, WsClient } from './helpers.js';
import { CONSULTANT_KEPT_MS, type ConsultantRow } from '../src/db/consultants.js';

const key = (secret: string) => new TextEncoder().encode(secret);
const nowS = Math.floor(T0 / 1000);

async function forge(
  options: { sub?: string; exp?: number; secret?: string; alg?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt(nowS - 10);
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'c-story');
  jwt.setExpirationTime(options.exp ?? nowS + 7200);
  return jwt.sign(key(options.secret ?? SECRET));
}

const BAD: Record<string, () => Promise<string>> = {
  expired: () => forge({ exp: nowS - 1 }),
  'bad-signature': () => forge({ secret: 'another-secret-another-secret-another-1' }),
  'alg none': async () =>
    new UnsecuredJWT({})
      .setSubject('c-story')
      .setExpirationTime(nowS + 3600)
      .encode(),
  'alg HS512': () => forge({ alg: 'HS512' }),
  'unknown sub': () => forge({ sub: 'c-nobody' }),
  'no exp': async () =>
    new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('c-story').sign(key(SECRET)),
  garbage: async () => 'not.a.jwt',
};

const REASON: Record<string, string> = {
  expired: 'expired',
  'bad-signature': 'bad-signature',
  'alg none': 'bad-signature',
  'alg HS512': 'bad-signature',
  'unknown sub': 'unknown-consultant',
  'no exp': 'malformed',
  garbage: 'malformed',
};

describe('authentication', async () => {
  const server = await startTestServer();

  async function failures(): Promise<Record<string, number>> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const match of text.matchAll(/^fg_auth_failures_total\{reason="([^"]+)"\} (\d+)$/gm)) {
      counts[match[1]!] = Number(match[2]);
    }
    return counts;
  }

  it('accepts a good token', async () => {
    const res = await fetch(`${server.url}/api/dashboard`, { headers: bearer(await forge()) });
    assert.equal(res.status, 200);
  });

  it('refuses a missing or non-Bearer Authorization header with 401, counted', async () => {
    const before = await failures();
    const missing = await fetch(`${server.url}/api/dashboard`);
    assert.equal(missing.status, 401);
    assert.deepEqual(await missing.json(), {
      error: 'unauthenticated',
      message: 'A Bearer token is required',
    });
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
    const basic = await fetch(`${server.url}/api/dashboard`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    assert.equal(basic.status, 401);
    const after = await failures();
    assert.equal(after.missing, before.missing! + 1);
    assert.equal(after.malformed, before.malformed! + 1);
  });

  for (const [name, make] of Object.entries(BAD)) {
    it(`refuses a token with ${name} over HTTP (401) and counts it as ${REASON[name]}`, async () => {
      const before = await failures();
      const res = await fetch(`${server.url}/api/dashboard`, { headers: bearer(await make()) });
      assert.equal(res.status, 401);
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, name === 'expired' ? 'auth-expired' : 'unauthenticated');
      assert.equal(typeof body.message, 'string');
      const after = await failures();
      assert.equal(after[REASON[name]!], before[REASON[name]!]! + 1);
    });

    it(`refuses a token with ${name} on the WebSocket: error frame, then 4401`, async () => {
      const before = await failures();
      const client = await WsClient.open(server);
      client.send({ type: 'hello', token: await make(), since: null });
      const frame = await client.next();
      assert.equal(frame.type, 'error');
      assert.equal(
        frame.type === 'error' && frame.code,
        name === 'expired' ? 'auth-expired' : 'unauthenticated',
      );
      assert.equal((await client.closedWith()).code, CloseCode.unauthenticated);
      const after = await failures();
      assert.equal(after[REASON[name]!], before[REASON[name]!]! + 1);
    });
  }

  it('refuses a hello without a token: auth-failure error frame, 4401, counted as missing', async () => {
    const before = await failures();
    const client = await WsClient.open(server);
    client.send({ type: 'hello', since: null });
    assert.deepEqual(await client.next(), {
      type: 'error',
      code: 'unauthenticated',
      message: 'A token is required',
    });
    assert.equal((await client.closedWith()).code, CloseCode.unauthenticated);
    assert.equal((await failures()).missing, before.missing! + 1);
  });

  it('refuses bad tokens on SSE and long-poll with 401 before anything is streamed', async () => {
    const sse = await SseClient.connect(server, null);
    assert.equal(sse.status, 401);
    assert.equal(sse.response.headers.get('content-type'), 'application/json; charset=utf-8');
    const sseBad = await SseClient.connect(server, await BAD['alg none']!());
    assert.equal(sseBad.status, 401);
    const pollBad = await poll(server, await BAD.expired!());
    assert.equal(pollBad.status, 401);
    assert.deepEqual(pollBad.body, { error: 'auth-expired', message: 'The token has expired' });
  });

  it(`refuses the tokens of a consultant removed from the database within ${CONSULTANT_KEPT_MS / 1000} s, counted as unknown-consultant`, async () => {
    await server.storage.write(async (tx) => {
      await tx.run(
        "INSERT INTO consultants (id, name, timezone, currency, locale) VALUES ('c-leaving', 'Lee', 'UTC', 'USD', 'en-US')",
      );
      await server.domain.ensureConsultantState(tx, { id: 'c-leaving', timezone: 'UTC' } as ConsultantRow);
    });
    const token = await forge({ sub: 'c-leaving' });
    const markRead = () =>
      fetch(`${server.url}/api/messages/m-none/read`, { method: 'POST', headers: bearer(token) });
    assert.equal((await markRead()).status, 404, 'known: past the token check');
    // All of it, as whatever manages the accounts would remove one.
    await server.storage.write(async (tx) => {
      for (const table of ['events', 'event_logs', 'calendars', 'consultants'])
        await tx.run(
          `DELETE FROM ${table} WHERE ${table === 'consultants' ? 'id' : 'consultant_id'} = 'c-leaving'`,
        );
    });
    server.clock.advance(CONSULTANT_KEPT_MS);
    const before = await failures();
    assert.equal((await markRead()).status, 401);
    assert.equal((await failures())['unknown-consultant'], before['unknown-consultant']! + 1);
  });

  it('refuses reading or changing data with a bad token: marking a message read needs a good one', async () => {
    const res = await fetch(`${server.url}/api/messages/m-story-1/read`, {
      method: 'POST',
      headers: bearer(await BAD['bad-signature']!()),
    });
    assert.equal(res.status, 401);
  });
});
