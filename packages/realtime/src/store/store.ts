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
import { clockOffset, latencyWindow } from '../metrics/latency.js';
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
  /** This tab's part in tab sync, for `metrics()` (a bare store is `solo`). */
  role?: () => ClientMetrics['role'];
  /** Whether this tab relays frames to others, for `metrics()`. */
  relaying?: () => boolean;
}

type Counter = keyof ClientMetrics['counters'];

/** A hidden tab left for hours must not pile up announcements nobody will read. */
const MAX_RECENT_EVENTS = 100;
/** Applied events waiting for a view to report them painted. */
const MAX_UNPAINTED = 256;
const NO_EVENTS: readonly AppliedEvent[] = Object.freeze([]);

/** One subscription: given the state, calls its listener when its slice changed. */
type Subscription = (state: DashboardState) => void;

/**
 * The store as the client drives it: the public store, and what only the client may do
 * (named `_x`, as private members are, so the CDN bundle shortens them).
 */
export interface Store extends DashboardStore {
  /** The resume point: the last applied `(epoch, seq)`, or null before the first snapshot. */
  readonly _cursor: Cursor | null;
  /**
   * Validates one frame. Text is parsed; objects are validated too, since they may come
   * from another tab running another version, or from a hand-written story. Never throws.
   */
  _decode(input: unknown): ParseResult<ServerFrame>;
  /**
   * Applies a frame that `decode` accepted. `kept`: the frame is a state another tab kept,
   * confirmed by the server at `heardAt`, with that tab's clock `offset` (its `serverTime`
   * is as old as the state, so it is no clock sample).
   */
  _applyValid(frame: ServerFrame, kept?: { heardAt?: number; offset?: number }): ReceiveResult;
  /** Counters only the client can know about. */
  _count(counter: Counter): void;
  /** Delivers pending notifications now instead of at the next frame. */
  _flush(): void;
  /** The server's clock now, by the offset its frames told (ours before any). */
  _serverNow(): number;
  /** Whether a frame (or the leader tab) has told the server's clock yet. */
  _timed(): boolean;
  clockOffset(): number;
}

export function createStore(options: DashboardStoreOptions = {}): Store {
  const events = new EventTarget();
  const subscriptions = new Set<Subscription>();
  const requestFrame = options.requestFrame ?? animationFrame;
  const now = options.now ?? Date.now;
  const markRead = options.markMessageRead ?? (async () => {});

  let snapshot: Snapshot | null = null;
  let status: ConnectionStatus = options.status ?? 'connecting';
  let transport: TransportName | null = options.transport ?? null;
  let lastHeardAt: number | null = null;
  let pendingEvents: AppliedEvent[] = [];
  /** Built lazily: a burst of a thousand frames between two notifications builds one state. */
  let state: DashboardState | null = null;
  let cancelFrame: (() => void) | null = null;
  let closed = false;
  const counters: { -readonly [K in Counter]: number } = {
    framesReceived: 0,
    eventsApplied: 0,
    duplicates: 0,
    gaps: 0,
    resyncs: 0,
    invalidFrames: 0,
    reconnects: 0,
    transportSwitches: 0,
  };
  const offset = clockOffset();
  let timed = false;
  const deliveryLatency = latencyWindow();
  const paintLatency = latencyWindow();
  /** seq -> server commit time of events applied but not yet reported painted. */
  const unpainted = new Map<number, number>();

  const changed = (): void => {
    state = null;
    if (cancelFrame || closed) return;
    cancelFrame = requestFrame(() => {
      cancelFrame = null;
      store._flush();
    });
  };

  const store: Store = {
    get state() {
      return (state ??= Object.freeze({
        snapshot,
        status,
        transport,
        lastHeardAt,
        recentEvents: pendingEvents.length ? Object.freeze([...pendingEvents]) : NO_EVENTS,
      }));
    },
    get status() {
      return status;
    },
    get _cursor() {
      return snapshot ? { epoch: snapshot.epoch, seq: snapshot.seq } : null;
    },

    receive(frame) {
      const decoded = store._decode(frame);
      return decoded.ok ? store._applyValid(decoded.value) : 'invalid';
    },

    _decode(input) {
      if (closed) return { ok: false, error: 'store closed' };
      store._count('framesReceived');
      const parsed = typeof input === 'string' ? parseServerFrame(input) : decodeServerFrame(input);
      if (!parsed.ok) store._count('invalidFrames');
      return parsed;
    },

    _applyValid(frame, kept) {
      if (closed) return 'ignored';
      const receivedAt = now();
      // The frame's clock sample, if any: `undefined` leaves the estimate as it is.
      const sample = kept ? kept.offset : 'serverTime' in frame ? frame.serverTime - receivedAt : undefined;
      if (sample !== undefined) timed = true;
      offset(sample);
      const before = snapshot;
      const outcome = applyFrame(before, frame);
      const { result } = outcome;
      // Current as of now: state applied or confirmed. Not a welcome (its replay is to come), a
      // gap or a new log: those say what is shown is behind.
      if (
        result === 'applied' ||
        result === 'snapshot' ||
        result === 'duplicate' ||
        (before && result === 'ignored' && frame.type === 'heartbeat')
      )
        lastHeardAt = kept?.heardAt ?? receivedAt;
      switch (result) {
        case 'applied': {
          const event = outcome.event!;
          store._count('eventsApplied');
          deliveryLatency._record(receivedAt + offset() - event.at);
          pendingEvents.push(event);
          if (pendingEvents.length > MAX_RECENT_EVENTS) pendingEvents.shift();
          unpainted.set(event.seq, event.at);
          if (unpainted.size > MAX_UNPAINTED) unpainted.delete(unpainted.keys().next().value!);
          break;
        }
        case 'snapshot':
          if (before && before.epoch !== outcome.snapshot!.epoch) unpainted.clear();
          break;
        case 'duplicate':
          store._count('duplicates');
          break;
        case 'gap':
          store._count('gaps');
      }
      snapshot = outcome.snapshot;
      changed();
      return result;
    },

    setStatus(next, nextTransport = transport) {
      if (next === status && nextTransport === transport) return;
      const statusChanged = next !== status;
      status = next;
      transport = nextTransport;
      changed();
      if (statusChanged) events.dispatchEvent(new Event('status'));
    },

    subscribe<T>(
      selector: (state: DashboardState) => T,
      listener: (value: T, previous: T) => void,
      equals: (a: T, b: T) => boolean = Object.is,
    ) {
      let last = selector(store.state);
      const subscription: Subscription = (state) => {
        const value = selector(state);
        if (equals(value, last)) return;
        const previous = last;
        last = value;
        listener(value, previous);
      };
      subscriptions.add(subscription);
      return () => {
        subscriptions.delete(subscription);
      };
    },

    addEventListener: (type, listener) => events.addEventListener(type, listener),
    removeEventListener: (type, listener) => events.removeEventListener(type, listener),

    metrics: () => ({
      transport,
      role: options.role?.() ?? 'solo',
      relaying: options.relaying?.() ?? false,
      clockOffsetMs: offset(),
      deliveryLatency: deliveryLatency._summary(),
      eventToDomLatency: paintLatency._summary(),
      counters: { ...counters },
    }),

    clockOffset: () => offset(),
    _serverNow: () => now() + offset(),
    _timed: () => timed,

    notePainted(seq) {
      // One paint shows every event up to `seq`; the first view to report it wins.
      const paintedAt = store._serverNow();
      for (const [eventSeq, at] of unpainted) {
        if (eventSeq > seq) continue;
        paintLatency._record(paintedAt - at);
        unpainted.delete(eventSeq);
      }
    },

    markMessageRead: markRead,

    close() {
      closed = true;
      cancelFrame?.();
      cancelFrame = null;
      subscriptions.clear();
    },

    _count(counter) {
      counters[counter] += 1;
    },

    _flush() {
      cancelFrame?.();
      cancelFrame = null;
      const current = store.state;
      pendingEvents = [];
      for (const subscription of [...subscriptions]) {
        // One that a listener before it unsubscribed hears nothing more.
        if (!subscriptions.has(subscription)) continue;
        try {
          subscription(current);
        } catch (error) {
          // One broken view must not starve the others; the page still hears about it.
          reportError(error);
        }
      }
    },
  };

  if (options.snapshot) store.receive({ type: 'snapshot', ...options.snapshot });
  return store;
}

const reportError = (error: unknown): void =>
  (
    globalThis.reportError ??
    ((thrown) =>
      setTimeout(() => {
        throw thrown;
      }))
  )(error);

/**
 * A dashboard state holder fed by hand: tests, Storybook and in-page simulations drive
 * the widgets with real protocol frames and no network.
 */
export function createDashboardStore(options?: DashboardStoreOptions): DashboardStore {
  return createStore(options);
}
