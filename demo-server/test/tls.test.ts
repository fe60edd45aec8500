// HTTPS and WSS with FG_TLS_CERT / FG_TLS_KEY (here: the same options, given to startServer).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ConfigError, readConfig } from '../src/config.js';
import { startTestServer, tokenFor, within, WsClient } from './helpers.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('TLS', { skip: hasOpenssl ? false : 'openssl is not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-tls-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const ca = readFileSync(cert);
  const server = await startTestServer({ tls: { cert: ca, key: readFileSync(key) } });

  it('refuses at start, naming both variables, a file that is no PEM or a key of another certificate', () => {
    const other = join(dir, 'other-key.pem');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', other], {
      stdio: 'ignore',
    });
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    for (const [FG_TLS_CERT, FG_TLS_KEY, why] of [
      [garbage, key, /no start line/],
      [cert, other, /key values mismatch/],
      [key, cert, /./],
    ] as const) {
      assert.throws(
        () => readConfig({ FG_DEMO: '1', FG_TLS_CERT, FG_TLS_KEY }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.startsWith(
            `FG_TLS_CERT and FG_TLS_KEY (${FG_TLS_CERT}, ${FG_TLS_KEY}) cannot serve HTTPS: `,
          ) &&
          why.test(error.message),
      );
    }
    assert.ok(
      readConfig({ FG_DEMO: '1', FG_TLS_CERT: cert, FG_TLS_KEY: key }).tls,
      'the right pair is taken',
    );
  });

  it('serves HTTPS', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<string>((resolve, reject) => {
      request(`${server.url}/healthz`, { ca }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    assert.deepEqual(JSON.parse(body), { ok: true });
  });

  it('serves the real-time connection over WSS', async () => {
    const client = new WsClient(new WebSocket(server.url.replace(/^https/, 'wss') + '/api/ws', { ca }));
    await within(client.opened, 3000, 'the secure WebSocket to open');
    client.send({ type: 'hello', token: await tokenFor(server, 'c-story'), since: null });
    assert.equal((await client.next()).type, 'welcome');
    assert.equal((await client.next()).type, 'snapshot');
    await client.close();
  });
});
