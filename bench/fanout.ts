// Fan-out: N dashboard connections from this process (the `ws` package, or SSE over node's
// http), events simulated at a fixed rate through the server's HTTP API, and the latency of
// every event from the server's commit (`at`) to its receipt here; with the rate the server
// actually committed them at, and every send that failed.
import { request, Agent } from 'node:http';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';
import {
  histogram,
  mintToken,
  percentiles,
  processUsage,
  type BenchServer,
  type Percentiles,
} from './lib.js';

export interface FanoutSettings {
  transport: 'websocket' | 'sse';
  /** What serves the load when it is not one node on SQLite, e.g. `2 nodes, PostgreSQL, nginx`. */
  setup?: string;
  connections: number;
  consultants: number;
  eventsPerSecond: number;
  seconds: number;
}

export interface FanoutResult extends FanoutSettings {
  setupSeconds: number;
  connectionsPerSecond: number;
  /** Simulate requests sent: every event of the load (`eventsPerSecond` x `seconds`). */
  eventsSent: number;
  /** Events the server committed (answered 200). Absent from older runs. */
  eventsCommitted?: number;
  /** From the first request sent to the last answer (or to the wait's end, for one never answered). Absent from older runs. */
  sendSeconds?: number;
  /** The rate the server committed events at: `eventsCommitted / sendSeconds`. Absent from older runs. */
  achievedEventsPerSecond?: number;
  /**
   * How late each request left against its schedule (ms): the sender keeps at most 512 in
   * flight and sends the rest when answers come. Absent from older runs.
   */
  sendLagMs?: Percentiles;
  /**
   * Every event of the load times the dashboards of its consultant, failed sends included
   * (older runs left failed sends out).
   */
  deliveriesExpected: number;
  deliveriesReceived: number;
  latency: Percentiles;
  histogram: number[];
  serverCpuPercent: number;
  serverRssMb: number;
  /** Growth of the server's RSS while the connections opened (before any event), per 1,000 connections. */
  serverRssMbPer1000: number;
  /** Simulate requests that failed: an error status, a socket error, or no answer in time. */
  sendErrors: number;
  /** What the failed simulate requests answered: a status code, the socket error's code, or `no answer`. */
  sendFailures?: Record<string, number>;
  /** CPU of the processes the server needs beside its own (PostgreSQL, nginx), when there are any. */
  supportCpuPercent?: number;
}

/** CPU and memory of several processes, summed; a process gone meanwhile counts nothing. */
function usageOf(pids: readonly number[]): { cpuSeconds: number; rssBytes: number } {
  let cpuSeconds = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    try {
      const usage = processUsage(pid);
      cpuSeconds += usage.cpuSeconds;
      rssBytes += usage.rssBytes;
    } catch {
      // exited
    }
  }
  return { cpuSeconds, rssBytes };
}

interface Connection {
  close(): void;
}

type OnFrame = (frame: { type: string; at?: number }) => void;

function openWebSocket(base: string, token: string, onFrame: OnFrame): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/ws`, {
      headers: { origin: base },
      perMessageDeflate: false,
    });
    let welcomed = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token, since: null })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; at?: number };
      if (!welcomed && frame.type === 'welcome') {
        welcomed = true;
        resolve({ close: () => ws.close() });
      }
      onFrame(frame);
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      if (!welcomed) reject(new Error(`closed ${code} before welcome`));
    });
  });
}

const sseAgent = new Agent({ keepAlive: false, maxSockets: Infinity });

function openSse(base: string, token: string, onFrame: OnFrame): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/stream`, {
      agent: sseAgent,
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });
    let welcomed = false;
    const parser = createParser({
      onEvent: (event) => {
        const frame = JSON.parse(event.data) as { type: string; at?: number };
        if (!welcomed && frame.type === 'welcome') {
          welcomed = true;
          resolve({ close: () => req.destroy() });
        }
        onFrame(frame);
      },
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) reject(new Error(`SSE answered ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.feed(chunk));
    });
    req.on('error', (error) => {
      if (!welcomed) reject(error);
    });
    req.end();
  });
}

export async function runFanout(
  server: BenchServer,
  settings: FanoutSettings,
  log = console.log,
): Promise<FanoutResult> {
  const { transport, connections, consultants, eventsPerSecond, seconds } = settings;
  const ids = Array.from({ length: consultants }, (_, i) => `c-load-${i}`);
  const tokens = await Promise.all(ids.map((id) => mintToken(id)));
  const latencies: number[] = [];
  let measuring = false;
  let received = 0;
  const onFrame: OnFrame = (frame) => {
    if (frame.type !== 'event' || !measuring) return;
    received++;
    latencies.push(Date.now() - frame.at!);
  };

  // Connect in waves, as many dashboards opening at once as the accept queue takes.
  const open = transport === 'websocket' ? openWebSocket : openSse;
  const opened: Connection[] = [];
  const serverPids = server.pids ?? [server.pid];
  const rssBefore = usageOf(serverPids).rssBytes;
  const setupStarted = performance.now();
  const wave = 250;
  for (let i = 0; i < connections; i += wave) {
    const batch = Array.from({ length: Math.min(wave, connections - i) }, (_, j) =>
      open(server.url, tokens[(i + j) % consultants]!, onFrame),
    );
    opened.push(...(await Promise.all(batch)));
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  const rssAfterSetup = usageOf(serverPids).rssBytes;
  log(`  ${connections} ${transport} connections open in ${setupSeconds.toFixed(2)} s`);

  // Events at a fixed rate, spread over consultants; each reaches connections/consultants dashboards.
  const perConsultant = connections / consultants;
  // Kept-alive sockets taken in turn (FIFO), so that none sits idle past the server's
  // keep-alive timeout (5 s) and is closed by it just as it is taken again (ECONNRESET): with
  // the default (LIFO), the sockets a burst opened wait unused until the next burst.
  const agent = new Agent({ keepAlive: true, maxSockets: 64, scheduling: 'fifo' });
  let sent = 0;
  let committed = 0;
  let sendErrors = 0;
  const sendFailures: Record<string, number> = {};
  const failed = (why: string) => {
    sendErrors++;
    sendFailures[why] = (sendFailures[why] ?? 0) + 1;
  };
  /** Requests not answered yet; each settles once (answer, error, or given up at the wait's end). */
  const pending = new Set<() => void>();
  let firstSentAt = NaN;
  let lastAnswerAt = NaN;
  const lags: number[] = [];
  const post = (consultantId: string) => {
    const body = JSON.stringify({
      consultantId,
      action: 'message',
      familyName: 'Load family',
      text: 'Load test',
    });
    let settled = false;
    const settle = (why: string | null) => {
      if (settled) return;
      settled = true;
      pending.delete(giveUp);
      lastAnswerAt = performance.now();
      if (why === null) committed++;
      else failed(why);
    };
    const giveUp = () => settle('no answer');
    pending.add(giveUp);
    const req = request(`${server.url}/api/demo/simulate`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => settle(res.statusCode === 200 ? null : String(res.statusCode)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    req.end(body);
  };

  measuring = true;
  const cpuBefore = usageOf(serverPids);
  const supportPids = server.supportPids?.() ?? [];
  const supportBefore = usageOf(supportPids);
  const started = performance.now();
  const total = eventsPerSecond * seconds;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - started) / 1000) * eventsPerSecond));
      while (sent < due && pending.size < 512) {
        if (sent === 0) firstSentAt = now;
        // Event number `sent` (from 0) is due once (sent + 1) / rate seconds have passed.
        lags.push(Math.max(0, now - started - ((sent + 1) / eventsPerSecond) * 1000));
        post(ids[sent++ % consultants]!);
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  // Every event is expected, failed sends too: a send that failed is a delivery missed.
  const deliveriesExpected = total * perConsultant;
  const deadline = performance.now() + 10_000;
  while ((received < committed * perConsultant || pending.size > 0) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Still unanswered at the wait's end: failed, and the load's time runs to here.
  for (const giveUp of [...pending]) giveUp();
  const elapsed = (performance.now() - started) / 1000;
  const sendSeconds = (lastAnswerAt - firstSentAt) / 1000;
  const achievedEventsPerSecond = committed / sendSeconds;
  log(
    `  ${committed}/${total} events committed in ${sendSeconds.toFixed(2)} s: ${achievedEventsPerSecond.toFixed(0)} events/s of ${eventsPerSecond}`,
  );
  if (sendErrors) log(`  ${sendErrors} simulate request(s) failed: ${JSON.stringify(sendFailures)}`);
  const cpuAfter = usageOf(serverPids);
  const supportAfter = usageOf(supportPids);
  measuring = false;
  for (const c of opened) c.close();
  agent.destroy();

  const rssMb = cpuAfter.rssBytes / 1024 / 1024;
  const connectionRssMb = (rssAfterSetup - rssBefore) / 1024 / 1024;
  return {
    ...settings,
    setupSeconds,
    connectionsPerSecond: connections / setupSeconds,
    eventsSent: sent,
    eventsCommitted: committed,
    sendSeconds,
    achievedEventsPerSecond,
    sendLagMs: percentiles(lags),
    deliveriesExpected,
    deliveriesReceived: received,
    latency: percentiles(latencies),
    histogram: histogram(latencies),
    serverCpuPercent: ((cpuAfter.cpuSeconds - cpuBefore.cpuSeconds) / elapsed) * 100,
    serverRssMb: rssMb,
    serverRssMbPer1000: (connectionRssMb / connections) * 1000,
    sendErrors,
    ...(sendErrors ? { sendFailures } : {}),
    ...(supportPids.length
      ? { supportCpuPercent: ((supportAfter.cpuSeconds - supportBefore.cpuSeconds) / elapsed) * 100 }
      : {}),
  };
}
