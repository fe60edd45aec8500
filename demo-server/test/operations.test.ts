// Health, metrics, errors as JSON, a busy database, CORS and Origin checks, the demo page.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SnapshotFrame } from '@fg/protocol';
import { contentSecurityPolicy } from '../src/routes/static.js';
import {
  bearer,
  nextEvents,
  poll,
  post,
  simulate,
  SseClient,
  startTestServer,
  tokenFor,
  WsClient,
} from './helpers.js';

describe('operations', async () => {
  const assets = mkdtempSync(join(tmpdir(), 'fg-assets-'));
  after(() => rmSync(assets, { recursive: true, force: true }));
  writeFileSync(join(assets, 'app.js'), 'console.log("demo");');
  const server = await startTestServer({
    busyTimeoutMs: 20,
    allowedOrigins: ['https://host.example'],
    assetsDir: assets,
  });
  const token = await tokenFor(server, 'c-story');

  it('GET /healthz answers 200 {ok:true}', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  it('GET /metrics counts connections by transport, events by kind, and send latency', async () => {
    const ws = await WsClient.connect(server, token);
    await ws.next();
    const sse = await SseClient.connect(server, token);
    await sse.next();
    await sse.next();
    await simulate(server, 'c-story', { action: 'book' });
    await nextEvents(ws, 1);
    await nextEvents(sse, 1);
    const res = await fetch(`${server.url}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0.0.4/);
    const text = await res.text();
    assert.match(text, /^fg_connections\{transport="websocket"\} 1$/m);
    assert.match(text, /^fg_connections\{transport="sse"\} 1$/m);
    assert.match(text, /^fg_connections\{transport="polling"\} 0$/m);
    assert.match(text, /^fg_events_total\{kind="consultation.booked"\} 1$/m);
    assert.match(text, /^fg_commit_to_send_seconds_count\{transport="websocket"\} 1$/m);
    assert.match(text, /^fg_commit_to_send_seconds_bucket\{transport="sse",le="\+Inf"\} 1$/m);
    assert.match(text, /^fg_oldest_unsent_event_age_seconds 0$/m);
    assert.match(text, /^fg_auth_failures_total\{reason="expired"\} 0$/m);
    await ws.close();
    sse.close();
  });

  it('answers unknown routes with 404 JSON', async () => {
    const res = await fetch(`${server.url}/api/nothing-here`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'not-found', message: 'No route GET /api/nothing-here' });
    assert.equal((await fetch(`${server.url}/api/ws`)).status, 400, 'the WebSocket route needs an upgrade');
  });

  it('answers 503 with Retry-After when the database is locked, and writes nothing', async () => {
    const snapshot = (await poll(server, token)).frames[0] as SnapshotFrame;
    const before = snapshot.seq;
    const other = new Database(server.dbPath);
    other.exec('BEGIN IMMEDIATE');
    try {
      const res = await post(server, '/api/demo/simulate', { consultantId: 'c-story', action: 'book' });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(((await res.json()) as { error: string }).error, 'busy');
      const read = await fetch(`${server.url}/api/messages/m-story-1/read`, {
        method: 'POST',
        headers: bearer(token),
      });
      assert.equal(read.status, 503);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const after = (await poll(server, token)).frames[0] as SnapshotFrame;
    assert.equal(after.seq, before, 'no event was appended');
    assert.deepEqual(after.counts, snapshot.counts, 'no consultation was booked, no message read');
    assert.equal(
      (await simulate(server, 'c-story', { action: 'payment' })).seq,
      before + 1,
      'no seq was lost',
    );
  });

  it('lets allowed origins call the API (CORS) and refuses others', async () => {
    const preflight = await fetch(`${server.url}/api/dashboard`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://host.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,last-event-id',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://host.example');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Last-Event-ID/);
    const get = await fetch(`${server.url}/api/dashboard`, {
      headers: { ...bearer(token), origin: 'https://host.example' },
    });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), 'https://host.example');
    const foreign = await fetch(`${server.url}/api/dashboard`, {
      headers: { ...bearer(token), origin: 'https://evil.example' },
    });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    // Not the protocol's `forbidden`, which would end the consultant's session.
    assert.equal(((await foreign.json()) as { error: string }).error, 'origin-not-allowed');
    const same = await fetch(`${server.url}/api/dashboard`, {
      headers: { ...bearer(token), origin: server.url },
    });
    assert.equal(same.status, 200);
  });

  it('marks every kind of answer nosniff, and an API answer Vary: Origin, with or without an Origin', async () => {
    const answers = {
      'a JSON answer': await fetch(`${server.url}/api/dashboard`, { headers: bearer(token) }),
      'the same from a page': await fetch(`${server.url}/api/dashboard`, {
        headers: { ...bearer(token), origin: 'https://host.example' },
      }),
      'an error': await fetch(`${server.url}/api/dashboard`),
      'a simulated event': await fetch(`${server.url}/api/demo/simulate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ consultantId: 'c-story', action: 'payment' }),
      }),
      'no such route': await fetch(`${server.url}/api/nothing`),
      'the demo page': await fetch(`${server.url}/`),
    };
    for (const [what, answer] of Object.entries(answers)) {
      await answer.arrayBuffer();
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', what);
      if (what !== 'the demo page') assert.equal(answer.headers.get('vary'), 'Origin', what);
    }
    assert.equal(answers['a JSON answer'].status, 200);
    assert.equal(answers['a JSON answer'].headers.get('access-control-allow-origin'), null);
    assert.equal(answers['an error'].status, 401);
    assert.equal(answers['a simulated event'].status, 200);
  });

  it("answers only under loopback names and the allowed origins' hosts: another name pointed at it (DNS rebinding) is refused", async () => {
    const { port } = new URL(server.url);
    const ask = (host: string, method: string, path: string, origin?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path,
            method,
            headers: { host, 'content-type': 'application/json', ...(origin ? { origin } : {}) },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on('error', reject);
        req.end(method === 'POST' ? JSON.stringify({ consultantId: 'c-story' }) : undefined);
      });
    const rebound = `rebind.attacker.test:${port}`;
    assert.equal(await ask(rebound, 'POST', '/api/demo/token', `http://${rebound}`), 403, 'a token minted');
    assert.equal(await ask(rebound, 'GET', '/'), 403, 'the page');
    assert.equal(await ask(`localhost:${port}`, 'POST', '/api/demo/token', `http://localhost:${port}`), 200);
    assert.equal(await ask(`127.0.0.1:${port}`, 'GET', '/'), 200);
    // A proxy in front of it, passing the public host of an allowed origin.
    assert.equal(await ask('host.example', 'GET', '/'), 200);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`, { headers: { host: rebound } });
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
    assert.equal(response.statusCode, 403);
  });

  it('serves the demo page and the login page, and nothing outside the assets folder', async () => {
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await index.text(), /<html/);
    assert.equal((await fetch(`${server.url}/login`)).status, 200);
    const asset = await fetch(`${server.url}/assets/app.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(await asset.text(), 'console.log("demo");');
    assert.equal((await fetch(`${server.url}/assets/missing.js`)).status, 404);
    assert.equal((await fetch(`${server.url}/assets/..%2f..%2fpackage.json`)).status, 404);
    assert.equal((await fetch(`${server.url}/assets/%E0%A4%A`)).status, 404);
  });

  it('serves the pages under a strict content security policy', async () => {
    for (const path of ['/', '/login']) {
      const page = await fetch(`${server.url}${path}`);
      const policy = new Map(
        (page.headers.get('content-security-policy') ?? '').split('; ').map((directive) => {
          const [name, ...sources] = directive.split(' ');
          return [name!, sources.join(' ')];
        }),
      );
      assert.equal(policy.get('default-src'), "'none'", path);
      assert.equal(policy.get('script-src'), "'self'", path);
      assert.equal(policy.get('style-src'), "'self'", path);
      assert.equal(policy.get('connect-src'), `'self' ${server.url.replace(/^http/, 'ws')}`, path);
      assert.equal(policy.get('frame-ancestors'), "'none'", path);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer', path);
    }
    // A Host that is no plain name: refused by a server on a loopback address, and under any
    // other it cannot add a directive of its own.
    const forged = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/`, { headers: { host: 'evil.example;report-uri' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(forged, 403);
    const policy = contentSecurityPolicy('http://evil.example;report-uri/');
    assert.match(policy, /connect-src 'self';/);
    assert.doesNotMatch(policy, /evil|report-uri/);
  });

  it('GET /healthz answers 503 when the database does not answer', async () => {
    await server.storage.close();
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { ok: boolean }).ok, false);
  });
});
