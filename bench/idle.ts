import WebSocket from 'ws';
import { mintToken, type BenchServer } from './lib.js';

/** N other dashboards (c-load-*), connected over WebSocket and kept open. */
export async function runFanoutConnections(server: BenchServer, count: number): Promise<{ close(): void }> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 250) {
    await Promise.all(
      Array.from({ length: Math.min(250, count - i) }, async (_, j) => {
        const token = await mintToken(`c-load-${i + j}`);
        const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/ws`, {
          headers: { origin: server.url },
        });
        sockets.push(ws);
        await new Promise<void>((resolve, reject) => {
          ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token, since: null })));
          ws.on('message', () => resolve());
          ws.on('error', reject);
        });
      }),
    );
  }
  return { close: () => sockets.forEach((ws) => ws.close()) };
}
