/**
 * Fan-out on this node. The hub knows every open connection (for shutdown and metrics)
 * and, per consultant, the subscribed ones. An event is serialised once, when it is
 * appended; the same string goes to every connection of its consultant and to nobody
 * else's. Which events reach the hub, in seq order, is the relay's business (`relay.ts`);
 * the hub tells it which consultants have subscribers here.
 */
import { ErrorCode, TRANSPORTS, type TransportName } from '@fg/protocol';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import type { LogHead, OutEvent } from './db/eventlog.js';

export interface Connection {
  readonly transport: TransportName;
  /** `performance.now()` commit time of the oldest event accepted but not yet written, if any. */
  oldestUnsent(): number | undefined;
  /** Ends the connection because the server is stopping (WebSocket: close 1001). */
  shutdown(): void;
  /** Ends the connection because this node lost its database (WebSocket: close 1013). */
  unavailable(): void;
}

export interface Subscriber extends Connection {
  readonly consultantId: string;
  /**
   * A committed event of this subscriber's consultant, in seq order. Delivery starts when
   * the subscriber subscribes, before it reads where its client stands, so the first events
   * may be ones it has read already: it drops them by seq.
   */
  deliver(event: OutEvent): void;
  /**
   * The shared heartbeat tick; `json` is the heartbeat frame, built once per consultant. It
   * names the head of the log as the hub knows it, which may be ahead of what this subscriber
   * has sent (a read of the log saw commits not yet delivered): where the subscriber stands is
   * its own to say.
   */
  heartbeat(json: string): void;
  /** The consultant's log was reset: the subscriber must move its client to the new log. */
  resync(head: LogHead): void;
}

export function heartbeatJson(head: LogHead, serverTime: number): string {
  return `{"type":"heartbeat","epoch":${JSON.stringify(head.epoch)},"seq":${head.seq},"serverTime":${serverTime}}`;
}

/** Told which consultants have subscribers on this node, and where those subscribers stand. */
export interface HubWatcher {
  /** The consultant's first subscriber on this node is subscribing. */
  followed(consultantId: string): void;
  /** A subscriber has read its client's position: it has everything up to `head`. */
  caughtUp(consultantId: string, head: LogHead): void;
  /** The consultant's last subscriber on this node is gone. */
  unfollowed(consultantId: string): void;
}

export class Hub {
  private readonly connections = new Set<Connection>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /**
   * The head of each followed consultant's log, for heartbeats: the last event published, or
   * further when a subscriber's read saw more.
   */
  private readonly heads = new Map<string, LogHead>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private watcher: HubWatcher | undefined;

  constructor(
    private readonly clock: Clock,
    readonly heartbeatMs: number,
    /** Live connections a consultant may hold on this node (streams and held polls). */
    private readonly maxPerConsultant = Infinity,
  ) {}

  /**
   * One timer for every connection: each tick builds one heartbeat frame per consultant and
   * hands it to that consultant's connections. Heartbeats keep real time even when the
   * domain clock is manual, because they exist for the network and the client's watchdog.
   */
  watch(watcher: HubWatcher): void {
    this.watcher = watcher;
  }

  startHeartbeats(): void {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  beat(): void {
    const serverTime = this.clock.now();
    for (const [consultantId, subs] of this.subscribers) {
      const head = this.heads.get(consultantId);
      if (!head) continue;
      const json = heartbeatJson(head, serverTime);
      for (const sub of subs) sub.heartbeat(json);
    }
  }

  add(connection: Connection): void {
    this.connections.add(connection);
  }

  remove(connection: Connection): void {
    this.connections.delete(connection);
    if ('consultantId' in connection) this.unsubscribe(connection as Subscriber);
  }

  /**
   * Subscribes before the subscriber reads where its client stands (reading takes a trip to
   * the database, and commits go on meanwhile): every event committed from now on reaches
   * it, and it drops by seq those its read already had. Then it calls `caughtUp`.
   */
  subscribe(sub: Subscriber): void {
    if (this.subscriberCount(sub.consultantId) >= this.maxPerConsultant) {
      throw new AppError(
        429,
        ErrorCode.rateLimited,
        `Over ${this.maxPerConsultant} connections for this consultant`,
        {},
        { 'Retry-After': '5' },
      );
    }
    this.add(sub);
    let subs = this.subscribers.get(sub.consultantId);
    if (!subs) {
      subs = new Set();
      this.subscribers.set(sub.consultantId, subs);
      this.watcher?.followed(sub.consultantId);
    }
    subs.add(sub);
  }

  /**
   * A subscriber read its client's position: it has every event up to `head`. It moves the
   * head heartbeats name forward in the same log only: a read begun before a reset may end
   * after it, and a newer log is told by the relay (`reset`), which hears of this read too.
   */
  caughtUp(consultantId: string, head: LogHead): void {
    if (!this.subscribers.has(consultantId)) return;
    const known = this.heads.get(consultantId);
    if (!known || (known.epoch === head.epoch && known.seq < head.seq)) this.heads.set(consultantId, head);
    this.watcher?.caughtUp(consultantId, head);
  }

  unsubscribe(sub: Subscriber): void {
    const subs = this.subscribers.get(sub.consultantId);
    if (!subs?.delete(sub)) return;
    if (subs.size === 0) {
      this.subscribers.delete(sub.consultantId);
      this.heads.delete(sub.consultantId);
      this.watcher?.unfollowed(sub.consultantId);
    }
  }

  publish(event: OutEvent): void {
    const subs = this.subscribers.get(event.consultantId);
    if (!subs) return;
    this.heads.set(event.consultantId, { epoch: event.epoch, seq: event.seq });
    // A subscriber may unsubscribe itself while being delivered to (e.g. a long-poll answering).
    for (const sub of [...subs]) sub.deliver(event);
  }

  /** After a log reset: every connection of the consultant moves to the new log. */
  reset(consultantId: string, head: LogHead): void {
    const subs = this.subscribers.get(consultantId);
    if (!subs) return;
    this.heads.set(consultantId, head);
    for (const sub of [...subs]) sub.resync(head);
  }

  /** Consultants with subscribers on this node. */
  followed(): IterableIterator<string> {
    return this.subscribers.keys();
  }

  /** The last published position of a consultant with subscribers. */
  headOf(consultantId: string): LogHead | undefined {
    return this.heads.get(consultantId);
  }

  subscriberCount(consultantId: string): number {
    return this.subscribers.get(consultantId)?.size ?? 0;
  }

  connectionsByTransport(): Record<TransportName, number> {
    const counts = Object.fromEntries(TRANSPORTS.map((t) => [t, 0])) as Record<TransportName, number>;
    for (const c of this.connections) counts[c.transport]++;
    return counts;
  }

  oldestUnsentMs(): number {
    const now = performance.now();
    let oldest = 0;
    for (const c of this.connections) {
      const at = c.oldestUnsent();
      if (at !== undefined) oldest = Math.max(oldest, now - at);
    }
    return oldest;
  }

  /** Ends every connection because the database is gone: clients move to another node. */
  dropAll(): void {
    for (const c of [...this.connections]) {
      try {
        c.unavailable();
      } catch (error) {
        console.error('connection close failed', error);
      }
    }
  }

  /** Ends every connection (server stopping) and the heartbeat timer. */
  shutdown(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    for (const c of [...this.connections]) {
      try {
        c.shutdown();
      } catch (error) {
        console.error('connection shutdown failed', error);
      }
    }
  }

  get size(): number {
    return this.connections.size;
  }
}
