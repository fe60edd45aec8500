import type { ServerFrame } from '@fg/protocol';
import type { CloseReason, Rung, Transport, TransportContext, TransportFactory } from '../transport/types.js';
import { booking, snapshotFrame } from './frames.js';

/** A transport the test drives by hand: what the server "sends", and how the connection ends. */
export class FakeTransport implements Transport {
  closedByClient = false;
  readonly pings: string[] = [];
  readonly cursorAtConnect;

  constructor(
    readonly rung: Rung,
    readonly context: TransportContext,
  ) {
    this.cursorAtConnect = context.cursor();
  }

  send(frame: ServerFrame | string): void {
    this.context.deliver(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** What a server sends on a good connection: welcome, then the snapshot or the replay. */
  welcome(seq = 10, epoch = 'e1', heartbeatMs = 1000, tokenMs = 3_600_000): void {
    const now = Date.now();
    this.send({
      type: 'welcome',
      consultantId: 'c-story',
      epoch,
      seq,
      heartbeatMs,
      tokenExpiresAt: now + tokenMs,
      serverTime: now,
    });
    const cursor = this.context.cursor();
    if (!cursor || cursor.epoch !== epoch) this.send(snapshotFrame({ seq, epoch }));
    else for (let next = cursor.seq + 1; next <= seq; next++) this.send(booking(next, next, epoch));
  }

  fail(reason: CloseReason = { kind: 'failed', detail: 'test' }): void {
    this.context.closed(reason.kind, reason.detail, reason.retryAfter);
  }

  close(): Promise<void> {
    this.closedByClient = true;
    return Promise.resolve();
  }

  ping(id: string): boolean {
    if (this.rung !== 'websocket') return false;
    this.pings.push(id);
    return true;
  }

  /** How long the transport may be quiet when all is well: a heartbeat, unless a test says longer (a poll's hold). */
  quietMs: number | undefined;

  livenessMs(heartbeatMs: number): number {
    return this.quietMs ?? heartbeatMs;
  }
}

/** Factories for every rung that record each transport created. */
export function fakeTransports() {
  const created: FakeTransport[] = [];
  const factory =
    (rung: Rung): TransportFactory =>
    (context) => {
      const transport = new FakeTransport(rung, context);
      created.push(transport);
      return transport;
    };
  return {
    created,
    get last(): FakeTransport {
      return created[created.length - 1]!;
    },
    /** Transports not closed by the client and not failed yet. */
    factories: {
      websocket: factory('websocket'),
      sse: factory('sse'),
      longpoll: factory('longpoll'),
      interval: factory('interval'),
    },
  };
}

/** An unsigned JWT naming `sub`: the client reads it, only the server would verify it. */
export function fakeJwt(sub: string, n = 0, exp = 2_000_000_000): string {
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${encode({ alg: 'none' })}.${encode({ sub, exp, n })}.x`;
}
