// Back to current: N dashboards, each a real @fg/realtime client (its ladder, backoff, resume and
// apply rules) running in this process on the `ws` package, and three ways of losing them:
//
// - the network, announced: a loopback TCP proxy between the clients and the server cuts every
//   connection and refuses new ones (the browser says `offline`); meanwhile one event per
//   consultant commits; then the network returns (`online`). Time from the return until each
//   client holds its event. This is the bar.
// - the network, unannounced: the same cut and return on a fresh set of clients, but the
//   browser says nothing (no `offline`, no `online`), as when the loss is beyond the machine
//   (a router's uplink, a proxy): the clients find the network back by their own retries and
//   backoff. For information.
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
  /** How long the network (or the server) was gone, in seconds, as measured (older runs: as planned). */
  outageSeconds: number;
  /** Clients live when the outage began (older runs: absent). */
  liveBefore?: number;
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
  /** The bar: the network drops and returns, and the browser says so (`offline`, then `online`). */
  network: ReconnectScenario;
  /**
   * The network drops and returns with no `offline` or `online`: the clients' own retries find
   * it back. Fresh clients (no backoff grown from the first outage). Absent from older runs.
   */
  networkUnannounced?: ReconnectScenario;
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

const attemptsOf = (dashboards: Dashboard[]) => dashboards.reduce((n, d) => n + d.attempts, 0);

/** CPU seconds of the server and of this process since `start()`. */
function cpuMeter(server: BenchServer) {
  const serverCpu = processUsage(server.pid).cpuSeconds;
  const ownCpu = process.cpuUsage();
  const since = performance.now();
  return (): ReconnectScenario['cpuSeconds'] => {
    const used = process.cpuUsage(ownCpu);
    return {
      server: processUsage(server.pid).cpuSeconds - serverCpu,
      clients: (used.user + used.system) / 1e6,
      wallSeconds: (performance.now() - since) / 1000,
    };
  };
}

/** Opens the dashboards and waits until they are all live (at most the deadline); returns how many are. */
async function liveDashboards(dashboards: Dashboard[]): Promise<number> {
  await until(() => dashboards.every((d) => d.client.status === 'live'), DEADLINE_MS);
  return dashboards.filter((d) => d.client.status === 'live').length;
}

/**
 * The network drops (every connection cut, new ones refused) for `outageSeconds` or for as long
 * as one event per consultant takes to commit, whichever is longer; then it returns.
 * `announce`: the browser says so (`offline`, then `online`).
 */
async function networkOutage(
  server: BenchServer,
  proxy: { down(): void; up(): void },
  dashboards: Dashboard[],
  ids: string[],
  outageSeconds: number,
  announce: boolean,
): Promise<ReconnectScenario> {
  const liveBefore = dashboards.filter((d) => d.client.status === 'live').length;
  const attemptsBefore = attemptsOf(dashboards);
  const dropped = performance.now();
  proxy.down();
  if (announce)
    for (const d of dashboards) {
      d.online = false;
      d.window.dispatchEvent(new Event('offline'));
    }
  const expected = await simulateAll(server, ids);
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, outageSeconds * 1000 - (performance.now() - dropped))),
  );
  proxy.up();
  const returned = performance.now();
  const cpu = cpuMeter(server);
  if (announce)
    for (const d of dashboards) {
      d.online = true;
      d.window.dispatchEvent(new Event('online'));
    }
  const result = await timeUntilCurrent(
    dashboards,
    (state, i) => (state.snapshot?.seq ?? 0) >= expected[i]!,
    returned,
  );
  return {
    cpuSeconds: cpu(),
    outageSeconds: (returned - dropped) / 1000,
    liveBefore,
    ...catchUp(result),
    reconnectAttempts: attemptsOf(dashboards) - attemptsBefore,
  };
}

/** How long the clients took to be current: percentiles, the last one, and those that never were. */
const catchUp = ({ times, missed }: { times: number[]; missed: number }) => ({
  perClient: percentiles(times),
  allCurrentSeconds: times.length ? Math.max(...times) : NaN,
  missed,
});

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
  let dashboards = openDashboards(proxy.url, proxy.url, tokens);
  const summary = (name: string, r: ReconnectScenario) =>
    log(
      `  ${name}: ${r.liveBefore ?? '?'}/${connections} live before, ${r.outageSeconds.toFixed(2)} s out; p95 ${r.perClient.p95.toFixed(2)} s, ${r.missed} missed`,
    );
  try {
    log(
      `  ${await liveDashboards(dashboards)}/${connections} clients live; the network drops for ${outageSeconds} s`,
    );

    // 1. The network drops, events commit meanwhile, the network returns, and the browser says so.
    const network = await networkOutage(server, proxy, dashboards, ids, outageSeconds, true);
    summary('network back (online)', network);

    // 2. The server restarts on the same port and database.
    const liveBefore = dashboards.filter((d) => d.client.status === 'live').length;
    const heads = dashboards.map((d) => d.client.state.snapshot?.seq ?? 0);
    const attemptsBeforeRestart = attemptsOf(dashboards);
    const stopped = performance.now();
    await server.stop({ keepDb: true });
    await new Promise((resolve) => setTimeout(resolve, outageSeconds * 1000));
    server = await startBenchServer({ FG_LOAD_CONSULTANTS: String(connections), PORT: port }, server.dbPath);
    const listening = performance.now();
    const cpu = cpuMeter(server);
    const restart = await timeUntilCurrent(
      dashboards,
      (state, i) => state.status === 'live' && (state.snapshot?.seq ?? 0) >= heads[i]!,
      listening,
    );
    const restartScenario: ScenarioWithRestart = {
      cpuSeconds: cpu(),
      outageSeconds: (listening - stopped) / 1000,
      liveBefore,
      ...catchUp(restart),
      reconnectAttempts: attemptsOf(dashboards) - attemptsBeforeRestart,
      restartSeconds: (listening - stopped) / 1000,
    };
    summary('server back', restartScenario);

    // 3. The network again, on fresh clients (all on WebSocket, their backoff not grown by the
    // outages before), and the browser says nothing: their own retries find the network back.
    for (const d of dashboards) d.client.close();
    dashboards = openDashboards(proxy.url, proxy.url, tokens);
    await liveDashboards(dashboards);
    const networkUnannounced = await networkOutage(server, proxy, dashboards, ids, outageSeconds, false);
    summary('network back (no online)', networkUnannounced);

    return { connections, network, networkUnannounced, restart: restartScenario };
  } finally {
    for (const d of dashboards) d.client.close();
    await proxy.close();
    await server.stop();
  }
}
