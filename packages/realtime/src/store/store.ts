import { decodeServerFrame, parseServerFrame } from '@fg/protocol/frames';
import type { Cursor, ParseResult, ServerFrame, Snapshot, TransportName } from '@fg/protocol/frames';
import type {
  AppliedEvent,
  ClientMetrics,
  ConnectionStatus,
  DashboardState,
  DashboardStore,
  ReceiveResult,
} from '../types.js';
import { ClockOffset, LatencyWindow } from '../metrics/latency.js';
import { applyFrame } from './apply.js';
import { animationFrame, type FrameRequest } from './frame-scheduler.js';

export interface DashboardStoreOptions {
  /** State to start from, e.g. a snapshot rendered on the server or a Storybook fixture. */
  snapshot?: Snapshot | null;
  status?: ConnectionStatus;
  transport?: TransportName | null;
  /** What `markMessageRead` does; a bare store has no server, so by default it does nothing. */
  markMessageRead?: (messageId: string) => Promise<void>;
  /** Schedules a notification. Default: the next animation frame (a timer while the page is hidden). */
  requestFrame?: FrameRequest;
  /** Wall clock in ms since the Unix epoch. */
  now?: () => number;
}

type Counter = keyof ClientMetrics['counters'];

/** A hidden tab left for hours must not pile up announcements nobody will read. */
const MAX_RECENT_EVENTS = 100;
/** Applied events waiting for a view to report them painted. */
const MAX_UNPAINTED = 256;
const NO_EVENTS: readonly AppliedEvent[] = Object.freeze([]);

interface Subscription {
  readonly selector: (state: DashboardState) => unknown;
  readonly listener: (value: unknown, previous: unknown) => void;
  readonly equals: (a: unknown, b: unknown) => boolean;
  last: unknown;
  active: boolean;
}

export class Store implements DashboardStore {
  readonly #events = new EventTarget();
  readonly #subscriptions = new Set<Subscription>();
  readonly #requestFrame: FrameRequest;
  readonly #now: () => number;
  readonly #markRead: (messageId: string) => Promise<void>;

  #snapshot: Snapshot | null;
  #status: ConnectionStatus;
  #transport: TransportName | null;
  #lastHeardAt: number | null = null;
  #pendingEvents: AppliedEvent[] = [];
  /** Built lazily: a burst of a thousand frames between two notifications builds one state. */
  #state: DashboardState | null = null;
  #cancelFrame: (() => void) | null = null;
  #closed = false;

  #role: ClientMetrics['role'] = 'solo';
  readonly #counters: { -readonly [K in Counter]: number } = {
    framesReceived: 0,
    eventsApplied: 0,
    duplicates: 0,
    gaps: 0,
    resyncs: 0,
    invalidFrames: 0,
    reconnects: 0,
    transportSwitches: 0,
  };
  readonly #clockOffset = new ClockOffset();
  readonly #deliveryLatency = new LatencyWindow();
  readonly #paintLatency = new LatencyWindow();
  /** seq -> server commit time of events applied but not yet reported painted. */
  readonly #unpainted = new Map<number, number>();

  constructor(options: DashboardStoreOptions = {}) {
    this.#snapshot = null;
    this.#status = options.status ?? 'connecting';
    this.#transport = options.transport ?? null;
    this.#requestFrame = options.requestFrame ?? animationFrame;
    this.#now = options.now ?? Date.now;
    this.#markRead = options.markMessageRead ?? (() => Promise.resolve());
    if (options.snapshot) this.receive({ type: 'snapshot', ...options.snapshot });
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.#onVisibility);
  }

  get state(): DashboardState {
    this.#state ??= Object.freeze({
      snapshot: this.#snapshot,
      status: this.#status,
      transport: this.#transport,
      lastHeardAt: this.#lastHeardAt,
      recentEvents: this.#pendingEvents.length ? Object.freeze([...this.#pendingEvents]) : NO_EVENTS,
    });
    return this.#state;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** The resume point: the last applied `(epoch, seq)`, or null before the first snapshot. */
  get cursor(): Cursor | null {
    return this.#snapshot ? { epoch: this.#snapshot.epoch, seq: this.#snapshot.seq } : null;
  }

  get snapshot(): Snapshot | null {
    return this.#snapshot;
  }

  receive(frame: ServerFrame | string): ReceiveResult {
    const decoded = this.decode(frame);
    return decoded.ok ? this.applyValid(decoded.value) : 'invalid';
  }

  /**
   * Validates one frame. Text is parsed; objects are validated too, since they may come
   * from another tab running another version, or from a hand-written story. Never throws.
   */
  decode(input: unknown): ParseResult<ServerFrame> {
    if (this.#closed) return { ok: false, error: 'store closed' };
    this.#counters.framesReceived += 1;
    const parsed = typeof input === 'string' ? parseServerFrame(input) : decodeServerFrame(input);
    if (!parsed.ok) this.#counters.invalidFrames += 1;
    return parsed;
  }

  /** Applies a frame that `decode` accepted. */
  applyValid(frame: ServerFrame): ReceiveResult {
    if (this.#closed) return 'ignored';
    return this.#apply(frame);
  }

  #apply(frame: ServerFrame): ReceiveResult {
    const receivedAt = this.#now();
    if ('serverTime' in frame) this.#clockOffset.sample(frame.serverTime, receivedAt);
    const before = this.#snapshot;
    const outcome = applyFrame(before, frame);
    this.#lastHeardAt = receivedAt;
    switch (outcome.result) {
      case 'applied': {
        const event = outcome.event!;
        this.#counters.eventsApplied += 1;
        this.#deliveryLatency.record(receivedAt + this.#clockOffset.ms - event.at);
        this.#pendingEvents.push(event);
        if (this.#pendingEvents.length > MAX_RECENT_EVENTS) this.#pendingEvents.shift();
        this.#unpainted.set(event.seq, event.at);
        if (this.#unpainted.size > MAX_UNPAINTED)
          this.#unpainted.delete(this.#unpainted.keys().next().value!);
        break;
      }
      case 'snapshot':
        if (before && before.epoch !== outcome.snapshot!.epoch) this.#unpainted.clear();
        break;
      case 'duplicate':
        this.#counters.duplicates += 1;
        break;
      case 'gap':
        this.#counters.gaps += 1;
        break;
    }
    this.#snapshot = outcome.snapshot;
    this.#changed();
    return outcome.result;
  }

  setStatus(status: ConnectionStatus, transport?: TransportName | null): void {
    const transportChanged = transport !== undefined && transport !== this.#transport;
    if (status === this.#status && !transportChanged) return;
    const statusChanged = status !== this.#status;
    this.#status = status;
    if (transport !== undefined) this.#transport = transport;
    this.#changed();
    if (statusChanged) this.#events.dispatchEvent(new Event('status'));
  }

  subscribe<T>(
    selector: (state: DashboardState) => T,
    listener: (value: T, previous: T) => void,
    equals: (a: T, b: T) => boolean = Object.is,
  ): () => void {
    const subscription: Subscription = {
      selector: selector as Subscription['selector'],
      listener: listener as Subscription['listener'],
      equals: equals as Subscription['equals'],
      last: selector(this.state),
      active: true,
    };
    this.#subscriptions.add(subscription);
    return () => {
      subscription.active = false;
      this.#subscriptions.delete(subscription);
    };
  }

  addEventListener(type: 'status', listener: EventListener): void {
    this.#events.addEventListener(type, listener);
  }

  removeEventListener(type: 'status', listener: EventListener): void {
    this.#events.removeEventListener(type, listener);
  }

  metrics(): ClientMetrics {
    return {
      transport: this.#transport,
      role: this.#role,
      clockOffsetMs: this.#clockOffset.ms,
      deliveryLatency: this.#deliveryLatency.summary(),
      eventToDomLatency: this.#paintLatency.summary(),
      counters: { ...this.#counters },
    };
  }

  notePainted(seq: number): void {
    // One paint shows every event up to `seq`; the first view to report it wins.
    if (this.#unpainted.size === 0) return;
    const paintedAt = this.#now() + this.#clockOffset.ms;
    for (const [eventSeq, at] of this.#unpainted) {
      if (eventSeq > seq) continue;
      this.#paintLatency.record(paintedAt - at);
      this.#unpainted.delete(eventSeq);
    }
  }

  markMessageRead(messageId: string): Promise<void> {
    return this.#markRead(messageId);
  }

  close(): void {
    this.#closed = true;
    this.#cancelFrame?.();
    this.#cancelFrame = null;
    this.#subscriptions.clear();
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  /** For the client: counters only it can know about. */
  count(counter: Counter): void {
    this.#counters[counter] += 1;
  }

  setRole(role: ClientMetrics['role']): void {
    this.#role = role;
  }

  /** Delivers pending notifications now instead of at the next frame. */
  flush(): void {
    this.#cancelFrame?.();
    this.#cancelFrame = null;
    const state = this.state;
    this.#pendingEvents = [];
    for (const subscription of [...this.#subscriptions]) {
      if (!subscription.active) continue;
      try {
        const value = subscription.selector(state);
        if (subscription.equals(value, subscription.last)) continue;
        const previous = subscription.last;
        subscription.last = value;
        subscription.listener(value, previous);
      } catch (error) {
        // One broken view must not starve the others; the page still hears about it.
        reportError(error);
      }
    }
  }

  #changed(): void {
    this.#state = null;
    if (this.#cancelFrame || this.#closed) return;
    this.#cancelFrame = this.#requestFrame(() => {
      this.#cancelFrame = null;
      this.flush();
    });
  }

  readonly #onVisibility = () => {
    // Paint what accumulated while hidden before the first frame of the visible page.
    if (document.visibilityState === 'visible' && this.#cancelFrame) this.flush();
  };
}

function reportError(error: unknown): void {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else
    setTimeout(() => {
      throw error;
    });
}

/**
 * A dashboard state holder fed by hand: tests, Storybook and in-page simulations drive
 * the widgets with real protocol frames and no network.
 */
export function createDashboardStore(options?: DashboardStoreOptions): DashboardStore {
  return new Store(options);
}
