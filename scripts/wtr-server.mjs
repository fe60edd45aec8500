// Services the browser tests run against: the real reference server and a loopback fault
// proxy in front of it (for faults a browser cannot cause itself); WebKit's driver is in
// webkit.mjs. Everything listens on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const READY_LINE = /FG Live reference server listening on (http:\/\/\S+)/;

/**
 * Starts `demo-server/src/main.ts` from source on a temporary SQLite file, with a manual
 * clock. `restart()` keeps the database and the port, as a real crash-and-restart would.
 */
export async function startReferenceServer({ allowedOrigins, heartbeatMs = 1000, cwd = process.cwd() }) {
  const dir = mkdtempSync(join(tmpdir(), 'fg-wtr-'));
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    FG_DB: join(dir, 'test.db'),
    FG_DEMO: '1',
    FG_CLOCK: 'manual',
    FG_HEARTBEAT_MS: String(heartbeatMs),
    FG_ALLOWED_ORIGINS: allowedOrigins.join(','),
  };
  let child = null;
  let port = 0;

  async function start() {
    const proc = spawn(
      process.execPath,
      ['--conditions=fg-source', '--import', 'tsx', 'demo-server/src/main.ts'],
      {
        cwd,
        env: { ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    const url = await new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk) => {
        output += chunk;
        const match = READY_LINE.exec(output);
        if (match) resolve(match[1]);
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', (chunk) => {
        output += chunk;
        if (process.env.FG_SERVER_LOG) process.stderr.write(chunk);
      });
      proc.once('exit', (code) =>
        reject(new Error(`reference server exited (${code}) before listening:\n${output}`)),
      );
      setTimeout(
        () => reject(new Error(`reference server did not start in 30 s:\n${output}`)),
        30_000,
      ).unref();
    });
    proc.stdout.resume();
    port = Number(new URL(url).port);
    return url;
  }

  async function stop(signal = 'SIGTERM') {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise((resolve) => {
      proc.once('exit', resolve);
      proc.kill(signal);
      setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
    });
  }

  const url = await start();
  return {
    url,
    get port() {
      return port;
    },
    get running() {
      return child !== null;
    },
    start,
    stop,
    /** Stops the server for good and deletes its database. */
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One unmasked WebSocket text frame, as a server sends it. */
function webSocketTextFrame(text) {
  const payload = Buffer.from(text);
  let head;
  if (payload.length < 126) head = Buffer.from([0x81, payload.length]);
  else if (payload.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x81;
    head[1] = 126;
    head.writeUInt16BE(payload.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([head, payload]);
}

/**
 * A loopback proxy in front of the reference server that can misbehave on request:
 * refuse, accept-then-close or forbid new connections, stall or cut open streams, inject raw
 * frames into open WebSocket and SSE streams. It also counts live WebSockets, which is
 * how tests see from the network side that a client never holds two at once.
 */
export async function startFaultProxy(targetPort) {
  /**
   * Per kind of connection: pass | refuse (drop it at once) | accept-close (answer, then drop
   * at once) | forbid (HTTP 403 in the protocol's words; a WebSocket is accepted, then closed
   * with 4403) | block (HTTP 403 from a proxy that blocks the route: not the protocol's words).
   */
  const modes = { websocket: 'pass', stream: 'pass', changes: 'pass' };
  /** Open upgraded sockets and SSE responses, each with its own controls. */
  const streams = new Set();
  const stats = {
    liveWebSockets: 0,
    maxLiveWebSockets: 0,
    webSocketsOpened: 0,
    sseOpened: 0,
    httpRequests: 0,
  };

  const target = () => (typeof targetPort === 'function' ? targetPort() : targetPort);

  const server = http.createServer((req, res) => {
    stats.httpRequests += 1;
    const path = new URL(req.url, 'http://proxy').pathname;
    const mode = path === '/api/stream' ? modes.stream : path === '/api/changes' ? modes.changes : 'pass';
    if (mode === 'refuse') {
      req.socket.destroy();
      return;
    }
    // As a backend refusing this consultant (not this origin): the page may read the answer.
    if ((mode === 'forbid' || mode === 'block') && req.method !== 'OPTIONS') {
      const forbid = mode === 'forbid';
      res.writeHead(403, {
        'Content-Type': forbid ? 'application/json' : 'text/html',
        'Access-Control-Allow-Origin': req.headers.origin ?? '*',
      });
      res.end(forbid ? JSON.stringify({ error: 'forbidden', message: 'Not allowed' }) : '<h1>Blocked</h1>');
      return;
    }
    const headers = { ...req.headers };
    delete headers['accept-encoding'];
    const upstream = http.request(
      { host: '127.0.0.1', port: target(), method: req.method, path: req.url, headers },
      (upstreamRes) => {
        const isStream = String(upstreamRes.headers['content-type'] ?? '').startsWith('text/event-stream');
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        if (isStream) stats.sseOpened += 1;
        if (mode === 'accept-close') {
          res.flushHeaders();
          upstreamRes.destroy();
          res.socket?.destroy();
          return;
        }
        if (!isStream) {
          upstreamRes.pipe(res);
          return;
        }
        const stream = {
          kind: 'sse',
          stalled: false,
          inject: (text) => res.write(text),
          stall: () => (stream.stalled = true),
          cut: () => {
            res.socket?.destroy();
            upstreamRes.destroy();
          },
        };
        streams.add(stream);
        upstreamRes.on('data', (chunk) => {
          if (!stream.stalled) res.write(chunk);
        });
        upstreamRes.on('end', () => res.end());
        const forget = () => {
          streams.delete(stream);
          upstreamRes.destroy();
        };
        res.on('close', forget);
        upstreamRes.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req, socket, head) => {
    if (modes.websocket === 'refuse') {
      socket.destroy();
      return;
    }
    const upstream = net.connect(target(), '127.0.0.1');
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      // No compression, so injected frames are plain text frames among plain text frames.
      if (req.rawHeaders[i].toLowerCase() === 'sec-websocket-extensions') continue;
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);

    let upgraded = false;
    const stream = {
      kind: 'websocket',
      stalled: false,
      inject: (text) => socket.write(webSocketTextFrame(text)),
      stall: () => (stream.stalled = true),
      cut: () => {
        socket.destroy();
        upstream.destroy();
      },
    };
    /** Set once the proxy has sent its own close frame: the browser then closes the socket. */
    let closing = false;
    const close = () => {
      if (streams.delete(stream) && upgraded) stats.liveWebSockets -= 1;
      upstream.destroy();
      if (!closing) socket.destroy();
    };
    upstream.on('data', (chunk) => {
      if (!upgraded) {
        upgraded = true;
        streams.add(stream);
        stats.webSocketsOpened += 1;
        stats.liveWebSockets += 1;
        stats.maxLiveWebSockets = Math.max(stats.maxLiveWebSockets, stats.liveWebSockets);
        socket.write(chunk);
        if (modes.websocket === 'accept-close') close();
        // A close frame with 4403 (forbidden), as a backend refusing this consultant sends, and
        // the closing handshake as a server does it: our side of the connection ends, and the
        // socket goes when the browser ends its side. Destroying it at once could reset the
        // connection under a frame the browser sends meanwhile, and a reset can discard the
        // close frame before the browser reads it: it would report 1006, not 4403.
        if (modes.websocket === 'forbid') {
          closing = true;
          stream.stalled = true;
          socket.end(Buffer.from([0x88, 2, 0x11, 0x33]));
          setTimeout(() => socket.destroy(), 5_000).unref();
          close();
        }
        return;
      }
      if (!stream.stalled) socket.write(chunk);
    });
    socket.on('data', (chunk) => {
      if (!stream.stalled) upstream.write(chunk);
    });
    socket.on('close', close);
    upstream.on('close', close);
    socket.on('error', close);
    upstream.on('error', close);
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    /** `{ websocket?, stream?, changes?, action?, kind?, frame?, reset? }` -> current modes and counters. */
    control(command = {}) {
      if (command.reset) {
        modes.websocket = 'pass';
        modes.stream = 'pass';
        modes.changes = 'pass';
        for (const stream of [...streams]) stream.cut();
        stats.maxLiveWebSockets = stats.liveWebSockets;
        stats.webSocketsOpened = 0;
        stats.sseOpened = 0;
        stats.httpRequests = 0;
      }
      for (const kind of Object.keys(modes)) if (command[kind]) modes[kind] = command[kind];
      const open = [...streams];
      const affected = open.filter((s) => !command.kind || s.kind === command.kind);
      if (command.action === 'inject') for (const s of affected) s.inject(command.frame);
      if (command.action === 'stall') for (const s of affected) s.stall();
      if (command.action === 'cut') for (const s of affected) s.cut();
      return {
        modes: { ...modes },
        ...stats,
        openStreams: open.map((s) => s.kind),
        affected: affected.length,
      };
    },
    stop() {
      for (const stream of [...streams]) stream.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
