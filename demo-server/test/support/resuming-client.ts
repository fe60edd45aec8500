/**
 * A WebSocket dashboard client in Node, as strict as the real one: it keeps the dashboard
 * (the snapshot with every event's patch applied), resumes from its cursor on every
 * reconnection, and records anything out of order (a duplicate, a gap, another epoch)
 * instead of repairing it, so a test can assert there was none.
 */
import { WebSocket } from 'ws';
import type { EventFrame, ServerFrame, Snapshot } from '@fg/protocol';

export class ResumingClient {
  state: Snapshot | undefined;
  readonly events: EventFrame[] = [];
  readonly duplicates: number[] = [];
  readonly gaps: { expected: number; got: number }[] = [];
  readonly snapshots: number[] = [];
  readonly closeCodes: number[] = [];
  /** Welcomes received: one per connection that got through. */
  welcomes = 0;
  private socket: WebSocket | undefined;
  private stopped = false;
  private failures = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {
    this.connect();
  }

  get seq(): number {
    return this.state?.seq ?? -1;
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url.replace(/^http/, 'ws') + '/api/ws');
    this.socket = ws;
    ws.on('open', () => {
      const since = this.state ? { epoch: this.state.epoch, seq: this.state.seq } : null;
      ws.send(JSON.stringify({ type: 'hello', token: this.token, since }));
    });
    ws.on('message', (data) => this.receive(JSON.parse(data.toString()) as ServerFrame));
    ws.on('error', () => undefined); // the close that follows reconnects
    ws.on('close', (code) => {
      this.closeCodes.push(code);
      this.wake();
      if (this.stopped) return;
      // At once after a connection that worked; a little later after one that did not.
      const delay = this.failures++ === 0 ? 0 : Math.min(50 * this.failures, 500);
      setTimeout(() => this.connect(), delay);
    });
  }

  private receive(frame: ServerFrame): void {
    if (frame.type === 'welcome') {
      this.welcomes++;
      this.failures = 0;
    } else if (frame.type === 'snapshot') {
      const { type: _type, ...snapshot } = frame;
      this.state = snapshot;
      this.snapshots.push(frame.seq);
    } else if (frame.type === 'event') {
      const state = this.state;
      if (!state) throw new Error('an event before any snapshot');
      if (frame.epoch !== state.epoch) throw new Error(`event of another epoch: ${frame.epoch}`);
      if (frame.seq <= state.seq) {
        this.duplicates.push(frame.seq);
      } else {
        if (frame.seq !== state.seq + 1) this.gaps.push({ expected: state.seq + 1, got: frame.seq });
        this.state = { ...state, ...frame.patch, seq: frame.seq };
        this.events.push(frame);
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves when `condition()` holds, checked after every frame and close. */
  until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${ms} ms waiting for ${what} (at seq ${this.seq})`));
      }, ms);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  untilSeq(seq: number, ms?: number): Promise<void> {
    return this.until(() => this.seq >= seq, `seq ${seq}`, ms);
  }

  /** Closes this connection; the client reconnects (through the balancer) as after any drop. */
  reconnect(): void {
    this.failures = 0;
    this.socket?.close();
  }

  close(): void {
    this.stopped = true;
    this.socket?.terminate();
  }
}
