// Reconnect storm: the server restarts under N WebSocket dashboards; how long until every
// one of them is connected again and current (has the event appended after the restart)?
import WebSocket from 'ws';
import { mintToken, percentiles, startBenchServer, type BenchServer, type Percentiles } from './lib.js';

export interface ReconnectResult {
  connections: number;
  /** From the old process exiting to the new one listening. */
  restartSeconds: number;
  /** From the new server listening until every client is current again. */
  allCurrentSeconds: number;
  perClient: Percentiles;
  reconnectAttempts: number;
}

/** A dashboard in miniature: resumes from its cursor, backs off with full jitter from 0.5 s, like @fg/realtime. */
class ResumingClient {
  cursor: { epoch: string; seq: number } | null = null;
  currentAt = 0;
  attempts = 0;
  private ws: WebSocket | null = null;
  private failures = 0;
  private stopped = false;
  target = -1;

  constructor(
    private url: string,
    private origin: string,
    private token: string,
  ) {}

  connect(): void {
    this.attempts++;
    const ws = new WebSocket(this.url, { headers: { origin: this.origin }, perMessageDeflate: false });
    this.ws = ws;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: this.token, since: this.cursor })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; epoch: string; seq: number };
      if (frame.type === 'welcome') this.failures = 0;
      if (frame.type === 'event' || frame.type === 'snapshot') {
        this.cursor = { epoch: frame.epoch, seq: frame.seq };
        if (frame.seq >= this.target && this.target >= 0 && !this.currentAt)
          this.currentAt = performance.now();
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.stopped) return;
      const cap = Math.min(20_000, 500 * 2 ** this.failures++);
      setTimeout(() => this.connect(), Math.random() * cap);
    });
  }

  expect(seq: number): void {
    this.target = seq;
    if ((this.cursor?.seq ?? -1) >= seq && !this.currentAt) this.currentAt = performance.now();
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }
}

export async function runReconnect(connections: number, log = console.log): Promise<ReconnectResult> {
  let server: BenchServer = await startBenchServer({ FG_LOAD_CONSULTANTS: String(connections) });
  const port = new URL(server.url).port;
  const clients = await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const client = new ResumingClient(
        `${server.url.replace(/^http/, 'ws')}/api/ws`,
        server.url,
        await mintToken(`c-load-${i}`),
      );
      return client;
    }),
  );
  for (const c of clients) c.connect();
  while (clients.some((c) => !c.cursor)) await new Promise((resolve) => setTimeout(resolve, 20));
  log(`  ${connections} clients connected; restarting the server`);

  const stopped = performance.now();
  await server.stop({ keepDb: true });
  server = await startBenchServer({ FG_LOAD_CONSULTANTS: String(connections), PORT: port }, server.dbPath);
  const listening = performance.now();
  // One event per consultant after the restart: a client is current once it has it.
  for (let i = 0; i < connections; i++) {
    const res = await fetch(`${server.url}/api/demo/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        consultantId: `c-load-${i}`,
        action: 'associate-family',
        familyName: 'After restart',
      }),
    });
    clients[i]!.expect(((await res.json()) as { seq: number }).seq);
  }
  const deadline = performance.now() + 60_000;
  while (clients.some((c) => !c.currentAt) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const done = clients.filter((c) => c.currentAt).map((c) => (c.currentAt - listening) / 1000);
  for (const c of clients) c.stop();
  await server.stop();
  if (done.length < connections) log(`  ${connections - done.length} clients never caught up`);
  return {
    connections,
    restartSeconds: (listening - stopped) / 1000,
    allCurrentSeconds: Math.max(...done),
    perClient: percentiles(done),
    reconnectAttempts: clients.reduce((n, c) => n + c.attempts, 0),
  };
}
