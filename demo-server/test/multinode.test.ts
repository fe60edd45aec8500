// Several server nodes on one PostgreSQL database behind nginx, as real processes. A
// WebSocket client in Node and the demo page in Chromium, both connected through nginx,
// receive events committed on another node; the node holding their connections is killed
// while events keep coming, and both end equal to the server's snapshot, with nothing lost
// and nothing repeated. A node that loses its database sends its clients elsewhere and
// acknowledges no write; the scheduler runs on exactly one node, and another takes over
// when that one dies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SimulateResponse, Snapshot, TokenResponse } from '@fg/protocol';
import { startNginx, nginxBinary, type Nginx } from './support/nginx.js';
import { buildDemoAssets, leads, startNode, webSocketsOn, type ServerNode } from './support/nodes.js';
import { postgresBinDir, startPostgres, type PgServer } from './support/postgres.js';
import { ResumingClient } from './support/resuming-client.js';
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs';

const NODES = 3;

const withoutTime = ({ serverTime: _serverTime, ...rest }: Snapshot): Omit<Snapshot, 'serverTime'> => rest;

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  const res = await response;
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const postJson = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Polls a condition (a process, a metric) until it holds; fails after `ms`. */
async function eventually(
  condition: () => Promise<boolean> | boolean,
  what: string,
  ms = 15_000,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('several nodes on PostgreSQL behind nginx', () => {
  // Everything started is stopped after the suite, whatever happened. Setup is in a `before`
  // hook: node:test can attach what a suite's body registers after an await elsewhere.
  const stops: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
  });
  let pg: PgServer;
  let lb: Nginx;
  let token: string;
  let client: ResumingClient;
  let browser: Browser | undefined;
  let page: Page;
  const nodes: ServerNode[] = [];
  // One role per node, so a test can take the database away from one node alone.
  const roles = Array.from({ length: NODES }, (_, i) => `fg_node_${i}`);

  before(async () => {
    // Missing PostgreSQL or nginx fails here, saying what to install.
    postgresBinDir();
    nginxBinary();
    pg = await startPostgres();
    stops.push(() => pg.stop());
    const databaseUrl = await pg.createDatabase('fg_multinode');
    const assets = await buildDemoAssets();
    stops.push(async () => assets.remove());
    for (const role of roles) await pg.query(`CREATE ROLE ${role} LOGIN SUPERUSER`);
    stops.push(() => Promise.all(nodes.map((node) => node.kill('SIGKILL'))));
    const nodeEnv = (i: number): Record<string, string> => ({
      DATABASE_URL: databaseUrl.replace('postgres@', `${roles[i]}@`),
      FG_LEADER_CHECK_MS: '200',
      FG_DB_GRACE_MS: '300',
      FG_HEARTBEAT_MS: '2000',
      FG_ASSETS_DIR: assets.dir,
    });
    // The first node creates the schema and seeds; the others join it.
    nodes.push(await startNode('node-0', nodeEnv(0)));
    nodes.push(
      ...(await Promise.all(
        Array.from({ length: NODES - 1 }, (_, i) => startNode(`node-${i + 1}`, nodeEnv(i + 1))),
      )),
    );
    lb = await startNginx(nodes.map((node) => `127.0.0.1:${node.port}`));
    stops.push(() => lb.stop());
    ({ token } = await json<TokenResponse>(
      postJson(`${lb.url}/api/demo/token`, { consultantId: 'c-story', ttlSeconds: 3600 }),
    ));
    client = new ResumingClient(lb.url, token);
    stops.push(async () => client.close());
    stops.push(async () => browser?.close());
  });

  const alive = (): ServerNode[] => nodes.filter((node) => node.alive());
  const roleOf = (node: ServerNode): string => roles[nodes.indexOf(node)]!;
  const snapshot = (): Promise<Snapshot> =>
    json<Snapshot>(fetch(`${lb.url}/api/dashboard`, { headers: { authorization: `Bearer ${token}` } }));
  const simulate = (node: ServerNode, body: Record<string, unknown>): Promise<SimulateResponse> =>
    json<SimulateResponse>(postJson(`${node.url}/api/demo/simulate`, { consultantId: 'c-story', ...body }));
  const message = (node: ServerNode, text: string): Promise<SimulateResponse> =>
    simulate(node, { action: 'message', familyName: 'The Haddads', text });
  /** Which alive node holds how many WebSockets. */
  const holders = async (): Promise<Map<ServerNode, number>> => {
    const held = new Map<ServerNode, number>();
    for (const node of alive()) {
      const n = await webSocketsOn(node);
      if (n > 0) held.set(node, n);
    }
    return held;
  };

  /** The demo page's view of the dashboard and its client's counters. */
  const pageState = (): Promise<{
    status: string;
    snapshot: Snapshot | null;
    counters: Record<string, number>;
  }> =>
    page.evaluate(() => {
      const provider = document.querySelector('fg-dashboard-provider') as unknown as {
        client?: {
          state: { status: string; snapshot: unknown };
          metrics(): { counters: Record<string, number> };
        };
      } | null;
      const c = provider?.client;
      return {
        status: c?.state.status ?? 'none',
        snapshot: (c?.state.snapshot ?? null) as Snapshot | null,
        counters: c?.metrics().counters ?? {},
      };
    });
  const total = async (): Promise<number> => [...(await holders()).values()].reduce((a, b) => a + b, 0);
  /**
   * Puts the page and the client on the same node (round robin spreads them: the client
   * reconnects through nginx until it lands on the page's node), and answers that node.
   */
  const together = async (): Promise<ServerNode> => {
    await eventually(async () => (await total()) === 2, 'two WebSockets');
    let held = await holders();
    for (let attempt = 0; held.size > 1 && attempt < 10; attempt++) {
      const welcomes = client.welcomes;
      client.reconnect();
      await client.until(() => client.welcomes > welcomes, 'the client to reconnect');
      await eventually(async () => (await total()) === 2, 'two WebSockets');
      held = await holders();
    }
    assert.equal(held.size, 1, 'the page and the client share a node');
    return [...held.keys()][0]!;
  };
  const pageAt = async (seq: number): Promise<boolean> => {
    const state = await pageState();
    return state.status === 'live' && (state.snapshot?.seq ?? -1) >= seq;
  };

  it('runs the scheduler on exactly one node', async () => {
    const leading = await Promise.all(nodes.map(leads));
    assert.equal(leading.filter(Boolean).length, 1, `leaders: ${leading}`);
  });

  it("serves each node's /metrics at the node's own address only, not through nginx", async () => {
    assert.equal((await fetch(`${nodes[0]!.url}/metrics`)).status, 200);
    assert.equal((await fetch(`${lb.url}/metrics`)).status, 404);
  });

  it('the page and a client through nginx get events committed on another node, and lose nothing when their node is killed', async () => {
    browser = await chromium.launch(chromiumLaunchOptions());
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${lb.url}/?consultant=c-story&transports=websocket`);
    await page.waitForFunction(
      () =>
        (document.querySelector('fg-dashboard-provider') as unknown as { client?: { status: string } } | null)
          ?.client?.status === 'live',
      undefined,
      { timeout: 15_000 },
    );
    await client.until(() => client.state !== undefined, 'the first snapshot');
    const first = client.seq;

    // Both on one node, so killing it takes both connections down.
    const victim = await together();
    const writer = alive().find((node) => node !== victim)!;

    // Committed on another node, delivered through LISTEN/NOTIFY and the victim's hub.
    let last = 0;
    for (let i = 0; i < 5; i++) last = (await message(writer, `before ${i}`)).seq;
    await client.untilSeq(last);
    await eventually(() => pageAt(last), `the page at seq ${last}`);

    // Events keep coming; the victim dies in the middle of them.
    const before = { welcomes: client.welcomes, closes: client.closeCodes.length };
    for (let i = 0; i < 40; i++) {
      last = (await message(writer, `during ${i}`)).seq;
      if (i === 10) {
        await victim.kill('SIGKILL');
        assert.equal(victim.alive(), false);
      }
    }
    await client.until(
      () => client.welcomes > before.welcomes,
      'the client to reconnect to a surviving node',
    );
    assert.ok(client.closeCodes.length > before.closes, 'the connection was lost');
    // And some more once everybody is back.
    await eventually(() => pageAt(last), `the page at seq ${last}`);
    for (let i = 0; i < 5; i++) last = (await message(writer, `after ${i}`)).seq;

    const server = await snapshot();
    assert.equal(server.seq, last);
    await client.untilSeq(last);
    await eventually(() => pageAt(last), `the page at seq ${last}`);

    assert.deepEqual(client.duplicates, [], 'no event twice');
    assert.deepEqual(client.gaps, [], 'no event missing');
    assert.deepEqual(
      client.events.map((e) => e.seq),
      Array.from({ length: last - first }, (_, i) => first + 1 + i),
    );
    assert.deepEqual(client.snapshots, [first], 'resumed by replay, never by a new snapshot');
    assert.deepEqual(withoutTime(client.state!), withoutTime(server));

    const seen = await pageState();
    assert.deepEqual(withoutTime(seen.snapshot!), withoutTime(server));
    assert.equal(seen.counters.duplicates, 0);
    assert.equal(seen.counters.gaps, 0);
    assert.ok(seen.counters.reconnects! >= 1, `the page reconnected (${JSON.stringify(seen.counters)})`);
    assert.deepEqual(errors, []);
    // The killed node is out; nginx sends everything to the others.
    assert.equal((await holders()).has(victim), false);
  });

  it('a node that loses its database closes its clients with 1013, answers 503 and writes nothing; they move to another node', async () => {
    const cut = await together();
    const other = alive().find((node) => node !== cut)!;
    const closes = client.closeCodes.length;
    const reconnects = (await pageState()).counters.reconnects!;
    const head = (await snapshot()).seq;
    await pg.query(`ALTER ROLE ${roleOf(cut)} NOLOGIN`);
    try {
      await pg.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [
        roleOf(cut),
      ]);
      await eventually(
        async () => (await fetch(`${cut.url}/healthz`)).status === 503,
        'the node to say it is unhealthy',
      );
      const write = await postJson(`${cut.url}/api/demo/simulate`, {
        consultantId: 'c-story',
        action: 'payment',
      });
      assert.equal(write.status, 503);
      assert.equal((await snapshot()).seq, head, 'the refused write left nothing');
      await client.until(() => client.closeCodes.length > closes, 'the client to be closed');
      assert.equal(client.closeCodes[closes], 1013, 'told to try again elsewhere');
      await eventually(
        async () => (await total()) === 2 && !(await holders()).has(cut),
        'both to move to the other node',
      );
      assert.ok((await pageState()).counters.reconnects! > reconnects, 'the page moved too');
      // Served by the other node meanwhile.
      const during = (await message(other, 'while one node is cut off')).seq;
      await client.untilSeq(during);
      await eventually(() => pageAt(during), 'the page to follow on another node');
    } finally {
      await pg.query(`ALTER ROLE ${roleOf(cut)} LOGIN`);
    }
    await eventually(
      async () => (await fetch(`${cut.url}/healthz`)).status === 200,
      'the node to be healthy again',
    );
    // Its writes reach the clients on the other nodes.
    const back = (await message(cut, 'back')).seq;
    await client.untilSeq(back);
    const server = await snapshot();
    await eventually(() => pageAt(server.seq), 'the page to catch up');
    assert.deepEqual(client.duplicates, []);
    assert.deepEqual(client.gaps, []);
    assert.deepEqual(withoutTime(client.state!), withoutTime(server));
    assert.deepEqual(withoutTime((await pageState()).snapshot!), withoutTime(server));
  });

  it('runs time-driven changes once, and another node takes over the scheduler when its node dies', async () => {
    const leader = async (): Promise<ServerNode[]> => {
      const nodesNow = alive();
      const flags = await Promise.all(nodesNow.map(leads));
      return nodesNow.filter((_, i) => flags[i]);
    };
    await eventually(async () => (await leader()).length === 1, 'one leader among the nodes alive');
    const [first] = await leader();
    const started = (id: string): number =>
      client.events.filter((e) => e.kind === 'consultation.started' && e.subject.id === id).length;

    // Booked on a node that does not run the scheduler: its notification wakes the leader.
    const booker = alive().find((node) => node !== first) ?? first!;
    const booked = await simulate(booker, { action: 'book', startsInSeconds: 1 });
    await client.untilSeq(booked.seq);
    const id = client.events.at(-1)!.subject.id;
    await client.until(() => started(id) === 1, 'the consultation to start');

    if (alive().length >= 2) {
      await first!.kill('SIGKILL');
      await eventually(async () => (await leader()).length === 1, 'another node to take over', 10_000);
      const [next] = await leader();
      assert.notEqual(next, first);
      const again = await simulate(next!, { action: 'book', startsInSeconds: 1 });
      await client.untilSeq(again.seq);
      const second = client.events.at(-1)!.subject.id;
      await client.until(() => started(second) === 1, 'the next consultation to start');
      // A later event: anything committed before it has been delivered.
      const marker = (await message(next!, 'marker')).seq;
      await client.untilSeq(marker);
      assert.equal(started(second), 1, 'started once');
    }
    assert.equal(started(id), 1, 'started once');
    assert.deepEqual(client.duplicates, []);
    assert.deepEqual(client.gaps, []);
  });
});
