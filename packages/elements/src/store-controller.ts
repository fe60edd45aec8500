import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConnectionStatus, DashboardClient, DashboardState } from '@fg/realtime';
import { ContextConsumer, dashboardClientContext } from './context.js';

/** The state before any client is provided: loading, nothing heard yet. */
export const EMPTY_STATE: DashboardState = Object.freeze({
  snapshot: null,
  status: 'connecting',
  transport: null,
  lastHeardAt: null,
  recentEvents: Object.freeze([]),
});

/** Equality for selectors that return a small object of sections: each field by identity. */
export function shallowEqual<T>(a: T, b: T): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keys = Object.keys(a) as (keyof T)[];
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

/**
 * How far a widget can trust what it shows. Widgets dim `stale` and `expired` data but
 * keep showing it; `reconnecting` is brief and not worth a visual change.
 */
export type Freshness = 'fresh' | 'stale' | 'expired';

export function freshnessOf(status: ConnectionStatus): Freshness {
  if (status === 'expired') return 'expired';
  return status === 'stale' || status === 'offline' ? 'stale' : 'fresh';
}

type Host = ReactiveControllerHost & HTMLElement;

/**
 * Gathers reports of what the widgets showed: the latest sequence number by client, told to
 * `tell` once `schedule` runs, in one call for every widget and update until then.
 */
function gathered(
  schedule: (run: () => void) => void,
  tell: (client: DashboardClient, seq: number) => void,
): (client: DashboardClient, seq: number) => void {
  const latest = new Map<DashboardClient, number>();
  return (client, seq) => {
    if (!latest.size)
      schedule(() => {
        const reports = [...latest];
        latest.clear();
        for (const [each, last] of reports) tell(each, last);
      });
    latest.set(client, seq);
  };
}

/** What the widgets updated in this frame showed: told in one task after the frame. */
const reportPainted = gathered(
  (run) => setTimeout(run),
  (client, seq) => client.notePainted(seq),
);

/**
 * What the widgets updated outside a frame showed: reported painted with the next frame. One
 * request for them all: a hidden page runs no frame until it is shown, while its widgets keep
 * updating, and a request per update would pile up until then (and all run in one frame).
 */
const reportNextFrame = gathered((run) => requestAnimationFrame(run), reportPainted);

/**
 * Gives a widget one slice of the dashboard state. It finds the client through context,
 * subscribes while the host is connected, and asks for an update only when its slice
 * changed by `equals`. Once an update that came from the store has painted, it reports
 * the sequence number to the client, which measures event-to-DOM latency.
 */
export class StoreController<T> implements ReactiveController {
  /** The selected slice; computed from an empty, loading state until a client arrives. */
  value: T;
  /** The client in use, if a provider above the host has one. */
  client: DashboardClient | undefined;

  private _unsubscribe: (() => void) | undefined;
  private _seqToReport: number | undefined;
  /** The pending update came from a store notification in an animation frame. */
  private _inFrame = false;

  constructor(
    private readonly _host: Host,
    private readonly _selector: (state: DashboardState) => T,
    private readonly _equals: (a: T, b: T) => boolean = Object.is,
    /** Called when the store's notification changes the slice, before the host updates. */
    private readonly _changing?: (value: T) => void,
  ) {
    this.value = _selector(EMPTY_STATE);
    _host.addController(this);
    new ContextConsumer(_host, dashboardClientContext, (client) => this._use(client));
  }

  /** The whole state the slice was taken from (for a widget that needs one more look, e.g. at recent events). */
  get state(): DashboardState {
    return this.client?.state ?? EMPTY_STATE;
  }

  /** The server's time at our time `at` (the same without a client): relative times count from it. */
  serverTime(at: number): number {
    return at + (this.client?.clockOffset?.() ?? 0);
  }

  /** Catches up with the client's state (an empty one without a client) and follows it. */
  hostConnected(): void {
    if (this._unsubscribe) return;
    this._set(this._selector(this.state));
    this._unsubscribe = this.client?.subscribe(
      this._selector,
      (value) => this._set(value, true),
      this._equals,
    );
  }

  hostDisconnected(): void {
    this._unsubscribe?.();
    this._unsubscribe = undefined;
  }

  hostUpdated(): void {
    const seq = this._seqToReport;
    const client = this.client;
    if (seq === undefined || !client) return;
    this._seqToReport = undefined;
    // A task queued during a frame runs once that frame has painted. A visible page's store
    // notifies inside an animation frame, and this update ran in the same one: its frame is
    // the current one. Any other update paints with the next frame.
    (this._inFrame ? reportPainted : reportNextFrame)(client, seq);
  }

  private _use(client: DashboardClient | undefined): void {
    if (client === this.client) return;
    this.hostDisconnected();
    this.client = client;
    if (this._host.isConnected) this.hostConnected();
  }

  private _set(value: T, notified = false): void {
    if (this._equals(this.value, value)) return;
    this.value = value;
    this._inFrame = notified && document.visibilityState === 'visible';
    if (notified) this._changing?.(value);
    this._seqToReport = this.client?.state.snapshot?.seq;
    this._host.requestUpdate();
  }
}
