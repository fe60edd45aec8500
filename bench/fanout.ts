// Fan-out: N dashboard connections from this process (the `ws` package, or SSE over node's
// http), events simulated at a fixed rate through the server's HTTP API, and the latency of
// every event from the server's commit (`at`) to its receipt here.
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
  eventsSent: number;
  deliveriesExpected: number;
  deliveriesReceived: number;
  latency: Percentiles;
  histogram: number[];
  serverCpuPercent: number;
  serverRssMb: number;
  /** Growth of the server's RSS while the connections opened (before any event), per 1,000 connections. */
  serverRssMbPer1000: number;
  sendErrors: number;
  /** What the failed simulate requests answered: a status code, or the socket error's code. */
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
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let sent = 0;
  let sendErrors = 0;
  const sendFailures: Record<string, number> = {};
  const failed = (why: string) => {
    sendErrors++;
    sendFailures[why] = (sendFailures[why] ?? 0) + 1;
  };
  let inflight = 0;
  const post = (consultantId: string) =>
    new Promise<void>((resolve) => {
      inflight++;
      const body = JSON.stringify({
        consultantId,
        action: 'message',
        familyName: 'Load family',
        text: 'Load test',
      });
      const req = request(`${server.url}/api/demo/simulate`, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        if (res.statusCode !== 200) failed(String(res.statusCode));
        res.resume();
        res.on('end', () => {
          inflight--;
          resolve();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        failed(error.code ?? error.message);
        inflight--;
        resolve();
      });
      req.end(body);
    });

  measuring = true;
  const cpuBefore = usageOf(serverPids);
  const supportPids = server.supportPids?.() ?? [];
  const supportBefore = usageOf(supportPids);
  const started = performance.now();
  const total = eventsPerSecond * seconds;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * eventsPerSecond));
      while (sent < due && inflight < 512) post(ids[sent++ % consultants]!);
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  const deliveriesExpected = (total - sendErrors) * perConsultant;
  const deadline = performance.now() + 10_000;
  while ((received < deliveriesExpected || inflight > 0) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const elapsed = (performance.now() - started) / 1000;
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
