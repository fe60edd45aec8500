import { Limits } from '@fg/protocol/frames';
import type { Cursor, ServerFrame, TransportName } from '@fg/protocol/frames';
import type { Runtime, TimerHandle } from '../runtime.js';
import { fullJitter } from './backoff.js';
import { connectWebSocket } from './websocket.js';
import { connectSse } from './sse.js';
import { connectIntervalPoll, connectLongPoll } from './longpoll.js';
import type { CloseReason, Rung, Transport, TransportFactory } from './types.js';

/** A transport that has not carried one valid frame in this long is given up on, and the next rung tried. */
export const OPEN_TIMEOUT_MS = 5_000;
/** After this long without trouble, the backoff starts again from its shortest delay. */
export const HEALTHY_SPELL_MS = 30_000;
/**
 * A server that ended an open connection itself (WebSocket 1000/1001, an SSE stream that
 * ended) is restarting or shedding load: it means to be back soon. For this long after
 * such an end, retries stay within the first backoff steps (at most 1 s apart, still
 * jittered), so a restart is met within about a second of the server's return instead of
 * after a grown backoff.
 */
export const RESTART_WINDOW_MS = 30_000;
/** How long a ping may wait for its pong when the page comes back (visible, online). */
export const PING_TIMEOUT_MS = 2_000;
/** First delay before trying a higher rung again from a lower one; doubles per failed probe. */
export const PROBE_BASE_MS = 15_000;
export const PROBE_MAX_MS = 5 * 60_000;
/** getToken() is the page's code: it must not hang the ladder. */
export const TOKEN_TIMEOUT_MS = 10_000;

export const DEFAULT_FACTORIES: Readonly<Record<Rung, TransportFactory>> = {
  websocket: connectWebSocket,
  sse: connectSse,
  longpoll: connectLongPoll,
  interval: connectIntervalPoll,
};

/** Expands the public transport names into the ladder's rungs, highest first. */
export function rungsFor(transports: readonly TransportName[]): Rung[] {
  const rungs: Rung[] = [];
  for (const name of transports) {
    if (name === 'polling') rungs.push('longpoll', 'interval');
    else if (!rungs.includes(name)) rungs.push(name);
  }
  return rungs;
}

export function transportName(rung: Rung): TransportName {
  return rung === 'websocket' || rung === 'sse' ? rung : 'polling';
}

export type LadderStatus = 'connecting' | 'live' | 'reconnecting' | 'stale' | 'offline' | 'expired';

/** One connection attempt, current or as a probe of a higher rung. */
export interface Connection {
  readonly rung: Rung;
  /** Duplicates up to this seq are expected on this connection (it replays what another one already carried). */
  quietDuplicatesThrough: number;
}

export interface LadderHost {
  getToken(): Promise<string | null> | string | null;
  cursor(): Cursor | null;
  /** Validates a raw frame; null when it is unusable (the host counts and reports it). */
  decode(raw: unknown, connection: Connection): ServerFrame | null;
  /** Applies a valid frame; may call `resync()`. */
  apply(frame: ServerFrame, connection: Connection): void;
  status(status: LadderStatus, transport: TransportName | null): void;
  /** The server refused the token and no fresh one came. */
  expired(): void;
  /** Reports a problem to the page, once per kind until the connection is live again. */
  error(code: string, message: string): void;
  /** A connection just became live: problems may be reported afresh. */
  live(): void;
  /** A connection attempt other than the very first (a retry, a fall to a lower rung, a resync). */
  reconnecting(): void;
}

interface Attempt extends Connection {
  readonly index: number;
  readonly probe: boolean;
  token: string | null;
  transport: Transport | null;
  opened: boolean;
  /** Begun while the browser said it was offline. */
  readonly startedOffline: boolean;
  openTimer: TimerHandle | null;
}

/**
 * The transport ladder. It owns every retry: one connection at a time (plus at most one
 * probe of a higher rung), full-jitter backoff, fall-down on a transport that never
 * opens, climb-back by probing, the liveness watchdog, and the online/visible triggers.
 * The cursor is read from the host at every connect, so it survives every switch.
 */
export class Ladder {
  readonly #rungs: readonly Rung[];
  readonly #base: URL;
  readonly #runtime: Runtime;
  readonly #host: LadderHost;
  readonly #factories: Readonly<Record<Rung, TransportFactory>>;

  #active: Attempt | null = null;
  #probe: Attempt | null = null;
  /** Consecutive failures, for the backoff. */
  #failures = 0;
  /** Until when (clock ms) retries stay short because the server ended the connection itself. */
  #restartUntil = 0;
  #probeFailures = 0;
  #everOpened = false;
  #stale = false;
  #offline = false;
  #expired = false;
  #stopped = false;
  /** Whether a refreshed token was already tried since the last successful open. */
  #authRefreshed = false;
  #heartbeatMs: number = Limits.heartbeatMs;
  #lastFrameAt = 0;
  #lastStatus: string | null = null;
  #attempts = 0;
  /** Rung the pending retry will try. */
  #retryIndex = 0;
  /** Resolves when the last dropped transport is gone: the next one waits for it, so two sockets never overlap. */
  #closing: Promise<void> = Promise.resolve();
  #pingId = 0;
  #pendingPing: string | null = null;

  #retryTimer: TimerHandle | null = null;
  #probeTimer: TimerHandle | null = null;
  #healthyTimer: TimerHandle | null = null;
  #watchdogTimer: TimerHandle | null = null;
  #pingTimer: TimerHandle | null = null;

  constructor(options: {
    base: URL;
    rungs: readonly Rung[];
    runtime: Runtime;
    host: LadderHost;
    factories?: Partial<Record<Rung, TransportFactory>>;
  }) {
    if (options.rungs.length === 0) throw new TypeError('FG Live needs at least one transport');
    this.#rungs = options.rungs;
    this.#base = options.base;
    this.#runtime = options.runtime;
    this.#host = options.host;
    this.#factories = { ...DEFAULT_FACTORIES, ...options.factories };
  }

  start(): void {
    const { window, document } = this.#runtime;
    window?.addEventListener('online', this.#onOnline);
    window?.addEventListener('offline', this.#onOffline);
    document?.addEventListener('visibilitychange', this.#onVisibility);
    this.#offline = !this.#runtime.isOnline();
    this.#connect(0);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const { window, document } = this.#runtime;
    window?.removeEventListener('online', this.#onOnline);
    window?.removeEventListener('offline', this.#onOffline);
    document?.removeEventListener('visibilitychange', this.#onVisibility);
    this.#clearAllTimers();
    this.#drop(this.#probe);
    this.#drop(this.#active);
    this.#probe = null;
    this.#active = null;
  }

  get rung(): Rung | null {
    return this.#active?.opened ? this.#active.rung : null;
  }

  /**
   * Reconnects the current rung from the host's cursor: after a gap (the server replays
   * what is missing), an epoch change or a bad frame. Backs off like any other retry, so a
   * server that keeps sending garbage cannot make us hammer it.
   */
  resync(connection?: Connection): void {
    const probe = this.#probe;
    if (probe && connection === probe) {
      // Bad input on a probe says the higher rung is not fit yet; the one in use carries on.
      this.#closed(probe, { kind: 'failed', detail: 'bad frame on a probe' });
      return;
    }
    const active = this.#active;
    if (!active || this.#stopped || this.#expired) return;
    this.#active = null;
    this.#drop(active);
    this.#clearConnectionTimers();
    this.#retry(active.index);
  }

  /** The page came back (visible, online): make sure the connection really carries frames. */
  check(): void {
    if (this.#stopped || this.#expired) return;
    const active = this.#active;
    if (!active?.opened) {
      // Not live: skip the rest of the backoff and try now.
      if (this.#retryTimer !== null) {
        this.#runtime.clock.clearTimeout(this.#retryTimer);
        this.#retryTimer = null;
        this.#connect(this.#retryIndex);
      } else if (active?.startedOffline && this.#runtime.isOnline()) {
        // An attempt begun without a network may hang until its timeout: begin it again.
        this.#active = null;
        this.#drop(active);
        this.#connect(active.index);
      }
      return;
    }
    if (this.#pendingPing) return;
    const id = `p${++this.#pingId}`;
    if (active.transport?.ping?.(id)) {
      // A socket can survive a network change yet carry nothing: ask it to answer.
      this.#pendingPing = id;
      this.#pingTimer = this.#runtime.clock.setTimeout(() => {
        this.#pendingPing = null;
        if (this.#active === active) this.#reconnectNow(active);
      }, PING_TIMEOUT_MS);
    } else if (this.#runtime.clock.now() - this.#lastFrameAt > this.#heartbeatMs + PING_TIMEOUT_MS) {
      // Streams and polls cannot be pinged; a missed heartbeat says enough.
      this.#reconnectNow(active);
    }
  }

  #connect(index: number, probe = false, token?: string): void {
    if (this.#stopped || this.#expired) return;
    if (!probe && this.#attempts++ > 0) this.#host.reconnecting();
    const attempt: Attempt = {
      index,
      rung: this.#rungs[index]!,
      probe,
      token: null,
      transport: null,
      opened: false,
      startedOffline: this.#offline || !this.#runtime.isOnline(),
      openTimer: null,
      quietDuplicatesThrough: this.#host.cursor()?.seq ?? 0,
    };
    if (probe) this.#probe = attempt;
    else this.#active = attempt;
    this.#publish();
    // The open timeout covers getting the token too: a page whose token call hangs is not live.
    attempt.openTimer = this.#runtime.clock.setTimeout(
      () => this.#closed(attempt, { kind: 'failed', detail: `${attempt.rung} did not open in 5 s` }),
      OPEN_TIMEOUT_MS,
    );
    const tokenPromise = token !== undefined ? Promise.resolve(token) : this.#token();
    Promise.all([tokenPromise, this.#closing]).then(
      ([value]) => {
        if (!this.#isCurrent(attempt)) return;
        if (value === null) {
          this.#clearOpenTimer(attempt);
          if (probe) this.#probe = null;
          else this.#expire();
          return;
        }
        attempt.token = value;
        attempt.transport = this.#factories[attempt.rung]({
          base: this.#base,
          token: value,
          runtime: this.#runtime,
          cursor: () => this.#host.cursor(),
          deliver: (raw) => this.#received(attempt, raw),
          closed: (reason) => this.#closed(attempt, reason),
        });
      },
      (error: unknown) => {
        if (!this.#isCurrent(attempt)) return;
        this.#host.error('token-unavailable', `getToken() failed: ${describe(error)}`);
        this.#closed(attempt, { kind: 'throttled', detail: 'getToken() failed' });
      },
    );
  }

  async #token(): Promise<string | null> {
    let timer: TimerHandle | null = null;
    try {
      return await Promise.race([
        Promise.resolve(this.#host.getToken()),
        new Promise<never>((_, reject) => {
          timer = this.#runtime.clock.setTimeout(() => reject(new Error('timed out')), TOKEN_TIMEOUT_MS);
        }),
      ]);
    } finally {
      if (timer !== null) this.#runtime.clock.clearTimeout(timer);
    }
  }

  #isCurrent(attempt: Attempt): boolean {
    return !this.#stopped && (attempt === this.#active || attempt === this.#probe);
  }

  #received(attempt: Attempt, raw: unknown): void {
    if (!this.#isCurrent(attempt)) return;
    const frame = this.#host.decode(raw, attempt);
    if (!frame || !this.#isCurrent(attempt)) return;
    this.#lastFrameAt = this.#runtime.clock.now();
    if (frame.type === 'welcome') this.#heartbeatMs = frame.heartbeatMs;
    if (frame.type === 'pong' && frame.id === this.#pendingPing) this.#pingAnswered();
    if (!attempt.opened) this.#opened(attempt);
    if (attempt === this.#active) {
      this.#armWatchdog(attempt);
      if (this.#stale || this.#offline) {
        this.#stale = false;
        this.#offline = false;
        this.#publish();
      }
    }
    this.#host.apply(frame, attempt);
  }

  #opened(attempt: Attempt): void {
    this.#clearOpenTimer(attempt);
    attempt.opened = true;
    if (attempt.probe) {
      // The higher rung works again: move up, and let the lower one go.
      const lower = this.#active;
      this.#probe = null;
      this.#probeFailures = 0;
      this.#active = attempt;
      // Whatever the lower rung applied meanwhile, this one may replay: expected, not an error.
      attempt.quietDuplicatesThrough = this.#host.cursor()?.seq ?? 0;
      this.#drop(lower);
    }
    this.#everOpened = true;
    this.#restartUntil = 0;
    this.#authRefreshed = false;
    this.#stale = false;
    this.#offline = false;
    this.#clearRetryTimer();
    this.#clearTimer('healthy');
    this.#healthyTimer = this.#runtime.clock.setTimeout(() => {
      this.#healthyTimer = null;
      this.#failures = 0;
    }, HEALTHY_SPELL_MS);
    this.#armWatchdog(attempt);
    this.#scheduleProbe();
    this.#publish();
    this.#host.live();
  }

  #closed(attempt: Attempt, reason: CloseReason): void {
    if (!this.#isCurrent(attempt)) return;
    this.#clearOpenTimer(attempt);
    this.#drop(attempt);
    if (attempt.probe) {
      this.#probe = null;
      this.#probeFailures += 1;
      this.#scheduleProbe();
      return;
    }
    this.#active = null;
    this.#clearConnectionTimers();
    if (reason.kind === 'auth') {
      void this.#authFailed(attempt);
      return;
    }
    if (attempt.opened && reason.kind === 'ended') {
      this.#restartUntil = this.#runtime.clock.now() + RESTART_WINDOW_MS;
    }
    if (!attempt.opened && reason.kind !== 'throttled') {
      // Refused, cut, or accepted and dropped before the first frame: worth telling the page once.
      this.#host.error('transport-failed', `${attempt.rung} failed before opening: ${reason.detail}`);
    }
    // Without a network every rung fails alike: that says nothing about the rung, and falling
    // down the ladder would leave the tab on polling when the network returns. Stay, and wait
    // for `online` (or the backoff).
    const offline = this.#offline || !this.#runtime.isOnline();
    if (offline && !attempt.opened && reason.kind !== 'throttled') {
      this.#retry(attempt.index);
      return;
    }
    if (reason.kind !== 'throttled' && !attempt.opened && attempt.index < this.#rungs.length - 1) {
      // Never opened: this rung may be blocked on this network. Try the next one at once.
      this.#connect(attempt.index + 1);
      return;
    }
    // A drop after opening, a throttled server, or nothing left below: back off, then try
    // again. After a failure of every rung, start again from the top: a total failure says
    // nothing about which rung is blocked.
    this.#retry(attempt.opened || reason.kind === 'throttled' ? attempt.index : 0);
  }

  async #authFailed(attempt: Attempt): Promise<void> {
    // One more token per failure, and only one until a connection opens: a page that keeps
    // handing out rejected tokens must end in `expired`, not in a loop.
    if (this.#authRefreshed) return this.#expire();
    this.#authRefreshed = true;
    this.#publish();
    let fresh: string | null = null;
    try {
      fresh = await this.#token();
    } catch (error) {
      this.#host.error('token-unavailable', `getToken() failed: ${describe(error)}`);
    }
    if (this.#stopped || this.#expired || this.#active || this.#retryTimer !== null) return;
    if (!fresh || fresh === attempt.token) return this.#expire();
    this.#connect(attempt.index, false, fresh);
  }

  #expire(): void {
    if (this.#expired) return;
    this.#expired = true;
    this.#clearAllTimers();
    this.#drop(this.#probe);
    this.#drop(this.#active);
    this.#probe = null;
    this.#active = null;
    this.#publish();
    this.#host.expired();
  }

  #retry(index: number): void {
    this.#publish();
    const restarting = this.#runtime.clock.now() < this.#restartUntil;
    const delay = fullJitter(restarting ? Math.min(this.#failures, 1) : this.#failures, this.#runtime.random);
    this.#failures += 1;
    this.#retryIndex = index;
    this.#clearRetryTimer();
    this.#retryTimer = this.#runtime.clock.setTimeout(() => {
      this.#retryTimer = null;
      this.#connect(index);
    }, delay);
  }

  #reconnectNow(attempt: Attempt): void {
    this.#active = null;
    this.#drop(attempt);
    this.#clearConnectionTimers();
    this.#clearRetryTimer();
    this.#publish();
    this.#connect(attempt.index);
  }

  #armWatchdog(attempt: Attempt): void {
    this.#clearTimer('watchdog');
    const silence =
      (attempt.transport?.livenessMs(this.#heartbeatMs) ?? this.#heartbeatMs) + Limits.staleGraceMs;
    this.#watchdogTimer = this.#runtime.clock.setTimeout(() => {
      this.#watchdogTimer = null;
      if (this.#active !== attempt) return;
      // Nothing heard for a heartbeat and its grace: the connection is dead without knowing it.
      this.#stale = true;
      this.#host.error('stalled', `no frame for ${silence} ms on ${attempt.rung}`);
      this.#active = null;
      this.#drop(attempt);
      this.#clearConnectionTimers();
      this.#retry(attempt.index);
    }, silence);
  }

  #scheduleProbe(): void {
    const active = this.#active;
    if (!active?.opened || active.index === 0 || this.#probe || this.#probeTimer !== null) return;
    const ceiling = Math.min(PROBE_MAX_MS, PROBE_BASE_MS * 2 ** Math.min(this.#probeFailures, 16));
    // Half fixed, half jitter: probes must not all land together, but must not come too soon either.
    const delay = Math.floor(ceiling / 2 + (this.#runtime.random() * ceiling) / 2);
    this.#probeTimer = this.#runtime.clock.setTimeout(() => {
      this.#probeTimer = null;
      const current = this.#active;
      if (!current?.opened || current.index === 0 || this.#probe) return;
      this.#connect(current.index - 1, true);
    }, delay);
  }

  #pingAnswered(): void {
    this.#pendingPing = null;
    this.#clearTimer('ping');
  }

  #publish(): void {
    const status = this.#status();
    const active = this.#active;
    const rung = active?.opened ? active.rung : null;
    const key = `${status}:${rung}`;
    if (key === this.#lastStatus) return;
    this.#lastStatus = key;
    this.#host.status(status, rung ? transportName(rung) : null);
  }

  #status(): LadderStatus {
    if (this.#expired) return 'expired';
    if (this.#active?.opened && !this.#stale && !this.#offline) return 'live';
    if (this.#stale) return 'stale';
    if (this.#offline || !this.#runtime.isOnline()) return 'offline';
    return this.#everOpened ? 'reconnecting' : 'connecting';
  }

  #drop(attempt: Attempt | null): void {
    if (!attempt) return;
    this.#clearOpenTimer(attempt);
    const transport = attempt.transport;
    attempt.transport = null;
    if (transport) this.#closing = Promise.all([this.#closing, transport.close()]).then(() => undefined);
  }

  #clearOpenTimer(attempt: Attempt): void {
    if (attempt.openTimer !== null) this.#runtime.clock.clearTimeout(attempt.openTimer);
    attempt.openTimer = null;
  }

  #clearTimer(which: 'healthy' | 'watchdog' | 'ping' | 'probe'): void {
    const clock = this.#runtime.clock;
    if (which === 'healthy' && this.#healthyTimer !== null) clock.clearTimeout(this.#healthyTimer);
    if (which === 'watchdog' && this.#watchdogTimer !== null) clock.clearTimeout(this.#watchdogTimer);
    if (which === 'ping' && this.#pingTimer !== null) clock.clearTimeout(this.#pingTimer);
    if (which === 'probe' && this.#probeTimer !== null) clock.clearTimeout(this.#probeTimer);
    if (which === 'healthy') this.#healthyTimer = null;
    if (which === 'watchdog') this.#watchdogTimer = null;
    if (which === 'ping') {
      this.#pingTimer = null;
      this.#pendingPing = null;
    }
    if (which === 'probe') this.#probeTimer = null;
  }

  #clearRetryTimer(): void {
    if (this.#retryTimer !== null) this.#runtime.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /** Timers that belong to the live connection, not to the ladder. */
  #clearConnectionTimers(): void {
    this.#clearTimer('healthy');
    this.#clearTimer('watchdog');
    this.#clearTimer('ping');
  }

  #clearAllTimers(): void {
    this.#clearConnectionTimers();
    this.#clearTimer('probe');
    this.#clearRetryTimer();
  }

  readonly #onOnline = () => {
    this.#offline = false;
    this.#publish();
    this.check();
  };

  readonly #onOffline = () => {
    this.#offline = true;
    this.#publish();
  };

  readonly #onVisibility = () => {
    if (this.#runtime.document?.visibilityState === 'visible') this.check();
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
