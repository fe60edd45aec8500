import { createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy between the browser and the server, for real network faults:
 * `cut()` drops every open connection and refuses new ones until `restore()`; `stall()`
 * keeps connections open but silently stops carrying bytes (a dead Wi-Fi), until `restore()`.
 * A browser's offline emulation neither closes an open WebSocket nor loses its frames, so it
 * cannot stand in for either.
 */
export class FaultProxy {
  private server!: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private mode: 'open' | 'cut' | 'stalled' = 'open';
  port = 0;

  constructor(private targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(port = 0): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Points the proxy at another server port (a restarted server). */
  retarget(port: number): void {
    this.targetPort = port;
  }

  cut(): void {
    this.mode = 'cut';
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  stall(): void {
    this.mode = 'stalled';
    for (const [a, b] of this.pairs) {
      a.pause();
      b.pause();
    }
  }

  restore(): void {
    const wasStalled = this.mode === 'stalled';
    this.mode = 'open';
    if (wasStalled) {
      // The page has given up on connections that lived through a stall; drop them.
      for (const [a, b] of this.pairs) {
        a.destroy();
        b.destroy();
      }
      this.pairs.clear();
    }
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode !== 'open') {
      client.destroy();
      return;
    }
    const upstream = new (client.constructor as typeof Socket)();
    upstream.connect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    // A side that closes is passed on as a close (its last bytes flushed, then an end), as a
    // network would: destroying the other side at once could reset it under data its peer
    // has not read yet, such as a server's last close frame. An error drops both at once.
    const passOn = (other: Socket) => () => {
      this.pairs.delete(pair);
      other.end();
      setTimeout(() => other.destroy(), 5_000).unref();
    };
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', passOn(upstream));
    upstream.on('error', drop).on('close', passOn(client));
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
