// Back to current: N dashboards, each a real @fg/realtime client (its ladder, backoff, resume and
// apply rules) running in this process on the `ws` package, and two ways of losing them:
//
// - the network: a loopback TCP proxy between the clients and the server cuts every connection
//   and refuses new ones (the browser says `offline`); meanwhile one event per consultant commits;
//   then the network returns (`online`). Time from the return until each client holds its event.
//   This is the bar.
// - the server: it restarts on the same port and database under the clients, who hear nothing
//   but closed sockets (no `online` to hurry them). Time from the new process listening until
//   each client is live again on its cursor.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { createDashboardClient, type DashboardClient, type DashboardState } from '@fg/realtime';
import {
  mintToken,
  percentiles,
  processUsage,
  startBenchServer,
  type BenchServer,
  type Percentiles,
} from './lib.js';

export interface ReconnectScenario {
  /** How long the network (or the server) was gone, in seconds. */
  outageSeconds: number;
  /** Per client, seconds from the return until it is current again. */
  perClient: Percentiles;
  allCurrentSeconds: number;
  /** Clients not current within the deadline. */
  missed: number;
  reconnectAttempts: number;
  /**
   * CPU seconds spent from the return until every client was current, by the server and by
   * this process (the clients and the proxy): on one small machine the clients' own work
   * competes with the server's, which real browsers on their own machines would not.
   */
  cpuSeconds: { server: number; clients: number; wallSeconds: number };
}

export interface ReconnectResult {
  connections: number;
  /** The bar: the network drops and returns (`offline`, then `online`). */
  network: ReconnectScenario;
  /** The server restarts under the clients (no `online`: backoff alone). */
  restart: ScenarioWithRestart;
}

interface ScenarioWithRestart extends ReconnectScenario {
  /** From the old process exiting to the new one listening. */
  restartSeconds: number;
}

const DEADLINE_MS = 60_000;

/** A loopback TCP proxy that can drop the network: every connection cut, new ones refused. */
async function startProxy(
  target: () => number,
): Promise<{ url: string; down(): void; up(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let isDown = false;
  const server: Server = createServer((client) => {
    if (isDown) return client.destroy();
    const upstream = connect(target(), '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    down() {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up() {
      isDown = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Dashboard {
  client: DashboardClient;
  /** Where `online`/`offline` fire, as on a window. */
  window: EventTarget;
  online: boolean;
  attempts: number;
}

function openDashboards(endpoint: string, origin: string, tokens: string[]): Dashboard[] {
  return tokens.map((token) => {
    const dashboard: Dashboard = { client: null!, window: new EventTarget(), online: true, attempts: 0 };
    // A browser sends its Origin, which the server checks; `ws` sends none unless told.
    class BrowserLikeWebSocket extends WebSocket {
      constructor(url: string) {
        super(url, { headers: { origin }, perMessageDeflate: false });
        dashboard.attempts++;
        // A browser's socket reports failures as events; an EventEmitter throws them unheard.
        this.on('error', () => undefined);
      }
    }
    dashboard.client = createDashboardClient(
      { endpoint, getToken: () => token, tabSync: false, eventTarget: new EventTarget() },
      {
        WebSocket: BrowserLikeWebSocket as unknown as typeof globalThis.WebSocket,
        window: dashboard.window,
        document: null,
        isOnline: () => dashboard.online,
        locks: null,
        BroadcastChannel: null,
        navigate: () => undefined,
        // No views here, only the state: subscribers hear each change as soon as it is applied.
        requestFrame: (callback) => {
          let wanted = true;
          queueMicrotask(() => wanted && callback());
          return () => {
            wanted = false;
          };
        },
      },
    );
    return dashboard;
  });
}

async function until(done: () => boolean, deadlineMs: number): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  while (!done() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * Waits until each client is current by `isCurrent`, told by the client itself (its state
 * subscription), and returns seconds from `since` per client. Nothing polls: checking 1,000
 * clients every few milliseconds would take the CPU their reconnects need.
 */
function timeUntilCurrent(
  dashboards: Dashboard[],
  isCurrent: (state: DashboardState, i: number) => boolean,
  since: number,
): Promise<{ times: number[]; missed: number }> {
  return new Promise((resolve) => {
    const doneAt = new Array<number>(dashboards.length).fill(0);
    let pending = dashboards.length;
    const finish = () => {
      clearTimeout(deadline);
      for (const unsubscribe of unsubscribes) unsubscribe();
      const times = doneAt.filter(Boolean).map((t) => (t - since) / 1000);
      resolve({ times, missed: doneAt.filter((t) => !t).length });
    };
    const deadline = setTimeout(finish, DEADLINE_MS);
    const unsubscribes = dashboards.map((d, i) => {
      const mark = (current: boolean) => {
        if (!current || doneAt[i]) return;
        doneAt[i] = performance.now();
        if (--pending === 0) queueMicrotask(finish);
      };
      mark(isCurrent(d.client.state, i));
      return d.client.subscribe((state) => isCurrent(state, i), mark);
    });
  });
}

function simulateAll(server: BenchServer, ids: string[]): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  return Promise.all(
    ids.map(
      (consultantId) =>
        new Promise<number>((resolve, reject) => {
          const body = JSON.stringify({ consultantId, action: 'associate-family', familyName: 'Meanwhile' });
          const req = request(`${server.url}/api/demo/simulate`, {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          });
          req.on('response', (res) => {
            let data = '';
            res.on('data', (chunk) => (data += chunk));
            res.on('end', () =>
              res.statusCode === 200
                ? resolve((JSON.parse(data) as { seq: number }).seq)
                : reject(new Error(`simulate answered ${res.statusCode}: ${data}`)),
            );
          });
          req.on('error', reject);
          req.end(body);
        }),
    ),
  ).finally(() => agent.destroy());
}

export async function runReconnect(
  connections: number,
  options: { outageSeconds?: number } = {},
  log = console.log,
): Promise<ReconnectResult> {
  const outageSeconds = options.outageSeconds ?? 3;
  const ids = Array.from({ length: connections }, (_, i) => `c-load-${i}`);
  const tokens = await Promise.all(ids.map((id) => mintToken(id)));
  let server = await startBenchServer({ FG_LOAD_CONSULTANTS: String(connections) });
  const port = new URL(server.url).port;
  const proxy = await startProxy(() => Number(port));
  // The page and the API share an origin, reached through the proxy (the network in between).
  const dashboards = openDashboards(proxy.url, proxy.url, tokens);
  try {
    await until(() => dashboards.every((d) => d.client.status === 'live'), DEADLINE_MS);
    const live = dashboards.filter((d) => d.client.status === 'live').length;
    log(`  ${live}/${connections} clients live; the network drops for ${outageSeconds} s`);

    // 1. The network drops, events commit meanwhile, the network returns.
    const attemptsBefore = dashboards.reduce((n, d) => n + d.attempts, 0);
    proxy.down();
    for (const d of dashboards) {
      d.online = false;
      d.window.dispatchEvent(new Event('offline'));
    }
    const started = performance.now();
    const expected = await simulateAll(server, ids);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, outageSeconds * 1000 - (performance.now() - started))),
    );
    proxy.up();
    const returned = performance.now();
    const serverCpu = processUsage(server.pid).cpuSeconds;
    const ownCpu = process.cpuUsage();
    for (const d of dashboards) {
      d.online = true;
      d.window.dispatchEvent(new Event('online'));
    }
    const network = await timeUntilCurrent(
      dashboards,
      (state, i) => (state.snapshot?.seq ?? 0) >= expected[i]!,
      returned,
    );
    const networkCpu = {
      server: processUsage(server.pid).cpuSeconds - serverCpu,
      clients: (() => {
        const used = process.cpuUsage(ownCpu);
        return (used.user + used.system) / 1e6;
      })(),
      wallSeconds: (performance.now() - returned) / 1000,
    };
    const networkAttempts = dashboards.reduce((n, d) => n + d.attempts, 0) - attemptsBefore;
    log(`  network back: p95 ${percentiles(network.times).p95.toFixed(2)} s, ${network.missed} missed`);

    // 2. The server restarts on the same port and database.
    const heads = dashboards.map((d) => d.client.state.snapshot?.seq ?? 0);
    const attemptsBeforeRestart = dashboards.reduce((n, d) => n + d.attempts, 0);
    const stopped = performance.now();
    await server.stop({ keepDb: true });
    await new Promise((resolve) => setTimeout(resolve, outageSeconds * 1000));
    server = await startBenchServer({ FG_LOAD_CONSULTANTS: String(connections), PORT: port }, server.dbPath);
    const listening = performance.now();
    const restartServerCpu = processUsage(server.pid).cpuSeconds;
    const restartOwnCpu = process.cpuUsage();
    const restart = await timeUntilCurrent(
      dashboards,
      (state, i) => state.status === 'live' && (state.snapshot?.seq ?? 0) >= heads[i]!,
      listening,
    );
    const restartCpu = {
      server: processUsage(server.pid).cpuSeconds - restartServerCpu,
      clients: (() => {
        const used = process.cpuUsage(restartOwnCpu);
        return (used.user + used.system) / 1e6;
      })(),
      wallSeconds: (performance.now() - listening) / 1000,
    };
    const restartAttempts = dashboards.reduce((n, d) => n + d.attempts, 0) - attemptsBeforeRestart;
    log(`  server back: p95 ${percentiles(restart.times).p95.toFixed(2)} s, ${restart.missed} missed`);

    const scenario = (
      r: { times: number[]; missed: number },
      attempts: number,
      cpuSeconds: ReconnectScenario['cpuSeconds'],
    ): ReconnectScenario => ({
      cpuSeconds,
      outageSeconds,
      perClient: percentiles(r.times),
      allCurrentSeconds: r.times.length ? Math.max(...r.times) : NaN,
      missed: r.missed,
      reconnectAttempts: attempts,
    });
    return {
      connections,
      network: scenario(network, networkAttempts, networkCpu),
      restart: {
        ...scenario(restart, restartAttempts, restartCpu),
        outageSeconds: (listening - stopped) / 1000,
        restartSeconds: (listening - stopped) / 1000,
      },
    };
  } finally {
    for (const d of dashboards) d.client.close();
    await proxy.close();
    await server.stop();
  }
}
