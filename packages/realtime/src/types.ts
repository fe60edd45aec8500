/// <reference lib="dom" preserve="true" />
import type { EventKind, Priority, ServerFrame, Snapshot, Subject, TransportName } from '@fg/protocol/frames';

/**
 * - `connecting`: first connection not yet open, no state yet.
 * - `live`: a transport is open and frames flow.
 * - `reconnecting`: the connection dropped; backing off or retrying. State is kept.
 * - `stale`: nothing heard for heartbeat + 10 s; reconnecting. State is kept and marked stale.
 * - `offline`: the browser reports no network; retried at once on `online`.
 * - `expired`: the session ended and no fresh token came; reconnects stop, state is kept.
 */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'stale' | 'offline' | 'expired';

/** One applied event, as the views need it for announcements and highlights. */
export interface AppliedEvent {
  readonly seq: number;
  readonly kind: EventKind;
  readonly subject: Subject;
  readonly priority: Priority;
  /** Server commit time (ms since the Unix epoch, server clock). */
  readonly at: number;
}

/** Everything a view can read. Replaced, never mutated: compare by reference. */
export interface DashboardState {
  /** The server-computed dashboard; `null` until the first snapshot arrives. */
  readonly snapshot: Snapshot | null;
  readonly status: ConnectionStatus;
  /** The transport carrying frames now (the leader's, in a follower tab). */
  readonly transport: TransportName | null;
  /**
   * Local time (ms) when the server last confirmed what is shown (an event or snapshot
   * applied, a heartbeat at our position), for "updated N s ago".
   */
  readonly lastHeardAt: number | null;
  /** Events applied since the previous notification, oldest first (high-priority ones get announced). */
  readonly recentEvents: readonly AppliedEvent[];
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface ClientMetrics {
  readonly transport: TransportName | null;
  readonly role: 'leader' | 'follower' | 'solo';
  /** A leader passing its frames on to other tabs: not while no other tab waits for its lock. */
  readonly relaying: boolean;
  /** Server clock minus local clock, estimated from heartbeats (ms). */
  readonly clockOffsetMs: number;
  /** Server commit to frame received, corrected by the clock offset (ms). */
  readonly deliveryLatency: LatencySummary;
  /** Server commit to the frame that painted it (ms), reported by the views. */
  readonly eventToDomLatency: LatencySummary;
  readonly counters: Readonly<{
    framesReceived: number;
    eventsApplied: number;
    duplicates: number;
    gaps: number;
    resyncs: number;
    invalidFrames: number;
    reconnects: number;
    transportSwitches: number;
  }>;
}

export interface DashboardClientOptions {
  /** Base URL of the backend, e.g. `https://api.example.com` (its `/api/...` paths are appended). */
  endpoint: string;
  /** Called before each connect and once more when the server says the token expired. */
  getToken: () => Promise<string | null> | string | null;
  /** The ladder, highest rung first. Default `['websocket', 'sse', 'polling']`. */
  transports?: readonly TransportName[];
  /** Share one connection between the tabs of this browser. Default `true`. */
  tabSync?: boolean;
  /** Where the default action of `fg-session-expired` sends the page. */
  loginUrl?: string;
  /** Where `fg-error` and `fg-session-expired` are dispatched. Default: `globalThis` (the window). */
  eventTarget?: EventTarget;
}

/** `fg-error` detail. */
export interface ClientErrorDetail {
  readonly code: string;
  readonly message: string;
}

/** `fg-session-expired` detail; the event is cancelable. */
export interface SessionExpiredDetail {
  readonly loginUrl: string | undefined;
}

export interface DashboardClient {
  readonly state: DashboardState;
  readonly status: ConnectionStatus;
  /**
   * Calls `listener` (at most once per animation frame, with the latest state) when the
   * selected slice changes by `equals` (default `Object.is`). Returns the unsubscribe function.
   */
  subscribe<T>(
    selector: (state: DashboardState) => T,
    listener: (value: T, previous: T) => void,
    equals?: (a: T, b: T) => boolean,
  ): () => void;
  /** Fires `status` events (`Event`) when `status` changes. */
  addEventListener(type: 'status', listener: EventListener): void;
  removeEventListener(type: 'status', listener: EventListener): void;
  metrics(): ClientMetrics;
  /**
   * How far the server's clock is ahead of this page's, in ms (negative: behind), as its
   * frames tell it; 0 before any. Widgets count "in 5 min" and "Today" from the server's time.
   */
  clockOffset?(): number;
  /** Views call this after the frame that shows `seq` has painted. */
  notePainted(seq: number): void;
  /** Marks a message read on the server; every tab and device follows through the event it causes. */
  markMessageRead(messageId: string): Promise<void>;
  close(): void;
}

/** What `receive` did with a frame. */
export type ReceiveResult =
  'applied' | 'snapshot' | 'duplicate' | 'gap' | 'epoch-changed' | 'ignored' | 'invalid';

/**
 * The state holder the client is built on, public so that tests, Storybook and in-page
 * simulations can drive the widgets with real protocol frames and no network. It is a
 * full `DashboardClient`: a provider accepts it as its `.client`.
 */
export interface DashboardStore extends DashboardClient {
  /**
   * Applies one server frame by the apply rules (duplicate, next, gap, epoch, invalid).
   * Text is parsed as JSON; text and objects alike are validated against the protocol schemas.
   */
  receive(frame: ServerFrame | string): ReceiveResult;
  setStatus(status: ConnectionStatus, transport?: TransportName | null): void;
}

declare global {
  interface GlobalEventHandlersEventMap {
    'fg-error': CustomEvent<ClientErrorDetail>;
    'fg-session-expired': CustomEvent<SessionExpiredDetail>;
  }
  interface WindowEventMap {
    'fg-error': CustomEvent<ClientErrorDetail>;
    'fg-session-expired': CustomEvent<SessionExpiredDetail>;
  }
}
