import type { Cursor, Limits, ServerFrame, TransportName } from '@fg/protocol/frames';
import { tokenExpiry } from '../auth/token.js';
import { timers as createTimers, watchPage, type Clock, type Runtime } from '../runtime.js';
import { backoffCeiling, fullJitter, retryAfterMs } from './backoff.js';
import { connectWebSocket } from './websocket.js';
import { connectIntervalPoll, connectLongPoll, connectSse } from './http.js';
import { createWatchdog } from './watchdog.js';
import { describe, type CloseKind, type Rung, type Transport, type TransportFactory } from './types.js';

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
/**
 * A rung whose connections open and are cut this many times in a row, each before a healthy
 * spell (a proxy that ends every request after 20 s), does not serve: the next one is tried.
 */
export const CUTS_BEFORE_FALL = 3;
/** getToken() is the page's code: it must not hang the ladder. */
export const TOKEN_TIMEOUT_MS = 10_000;
/**
 * A live connection is renewed this long before its token expires (or half way through a
 * shorter token's life): a second connection opens on a fresh token next to it and takes
 * over once it carries frames, so the expiry never interrupts anything.
 */
export const RENEW_BEFORE_MS = 60_000;

/** The page's token, or a rejection once it has taken longer than TOKEN_TIMEOUT_MS (or thrown). */
export const tokenWithin = (clock: Clock, getToken: () => Promise<string | null> | string | null) =>
  new Promise<string | null>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Error('timed out')), TOKEN_TIMEOUT_MS);
    Promise.resolve()
      .then(getToken)
      .then(resolve, reject)
      .finally(() => clock.clearTimeout(timer));
  });

/** Tells the page that its getToken() failed, through `report` (the host's `_error`). */
export const tokenFailed = (report: LadderHost['_error'], error: unknown): void =>
  report('token-unavailable', `getToken() failed: ${describe(error)}`);

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

export const transportName = (rung: Rung): TransportName =>
  rung === 'websocket' || rung === 'sse' ? rung : 'polling';

export type LadderStatus = 'connecting' | 'live' | 'reconnecting' | 'stale' | 'offline' | 'expired';

/** One connection attempt, current or as a probe of a higher rung. */
export interface Connection {
  readonly rung: Rung;
  /** Quiet duplicates: up to this seq they are expected on this connection (it replays what another one already carried). */
  q: number;
}

/** What the ladder asks of the client; internal, so named `_x` for the CDN bundle to shorten. */
export interface LadderHost {
  _getToken(): Promise<string | null>;
  _cursor(): Cursor | null;
  /** The server's clock now, as its frames told (ours before any). */
  _serverNow(): number;
  /** Validates a raw frame; nothing when it is unusable (the host counts and reports it). */
  _decode(raw: unknown, connection: Connection): ServerFrame | null | undefined;
  /** Applies a valid frame; may call `_resync()`. */
  _apply(frame: ServerFrame, connection: Connection): void;
  /**
   * The status changed. `live` is told on every open (problems may be reported afresh);
   * `expired` means the server refused the token and no fresh one came. `silenceMs`: how
   * long the live connection may be silent before it counts as stuck.
   */
  _status(status: LadderStatus, transport: TransportName | null, silenceMs?: number): void;
  /** Reports a problem to the page, once per kind until the connection is live again. */
  _error(code: string, message: string): void;
  /** A connection attempt other than the very first (a retry, a fall to a lower rung, a resync). */
  _reconnecting(): void;
}

/** Short names: these survive minification, and the ladder reads them everywhere. */
interface Attempt extends Connection {
  /** Index of the rung in the ladder. */
  readonly i: number;
  /** A probe of a higher rung, next to the active connection. */
  readonly p?: boolean;
  /** The token it connected with. */
  k?: string;
  t?: Transport | null;
  /** Opened: it carried a valid frame other than an error. */
  o?: boolean;
  /** A probe of the rung in use, to renew its token. */
  readonly r?: boolean;
  /** Begun while the browser said it was offline. */
  readonly off: boolean;
}

export interface Ladder {
  _stop(): void;
  /**
   * Reconnects the current rung from the host's cursor: after a gap (the server replays
   * what is missing), an epoch change or a bad frame. Backs off like any other retry, so a
   * server that keeps sending garbage cannot make us hammer it. Nothing for a connection
   * since replaced, nor (without one) while the connection has not opened.
   */
  _resync(connection?: Connection): void;
}

/** How many times a page handing back its expired token is asked again (see `authFailed`). */
export const STALE_TOKEN_TRIES = 3;

/**
 * The ladder's timers, one of each at most. `healthy`, `ping`, `renew` and the watchdog's
 * `wake` belong to the live connection; `watchdog` counts from the last frame, through a
 * drop too; `open` and `probeOpen` are the open timeouts of the active attempt and of the probe.
 */
type TimerName =
  'retry' | 'probe' | 'healthy' | 'watchdog' | 'wake' | 'ping' | 'renew' | 'open' | 'probeOpen';

/**
 * The transport ladder. It owns every retry: one connection at a time (plus at most one
 * probe of a higher rung), full-jitter backoff, fall-down on a transport that never
 * opens, climb-back by probing, the liveness watchdog, and the online/visible triggers.
 * The cursor is read from the host at every connect, so it survives every switch. It
 * starts connecting at once.
 */
export function createLadder(options: {
  base: URL;
  rungs: readonly Rung[];
  runtime: Runtime;
  host: LadderHost;
  factories?: Partial<Record<Rung, TransportFactory>>;
  /** A token already fetched, for the first connect instead of asking for another. */
  token?: string | null;
}): Ladder {
  const { rungs, base, runtime, host } = options;
  const { clock } = runtime;
  if (rungs.length === 0) throw new TypeError('FG Live needs at least one transport');
  const factories = { ...DEFAULT_FACTORIES, ...options.factories };

  let active: Attempt | null = null;
  let probe: Attempt | null = null;
  /** Consecutive failures, for the backoff. */
  let failures = 0;
  /** Until when (clock ms) retries stay short because the server ended the connection itself. */
  let restartUntil = 0;
  /** No connection before this (clock ms): the server said when to come back (Retry-After). */
  let notBefore = 0;
  /** Cuts of open connections on rung `cutRung` since the last healthy spell (see CUTS_BEFORE_FALL). */
  let cuts = 0;
  let cutRung = -1;
  /** The rung a climb came from, until the rung reached has been healthy: a cut climb goes back there. */
  let back = -1;
  /** The rung still shown live while a fall after cuts opens the next one (nothing was lost). */
  let shown: Rung | null = null;
  /** Failed climbs, for the probes' backoff; a climb counts as done once the rung reached has been healthy. */
  let probeFailures = 0;
  let everOpened = false;
  let stale = false;
  let offline = false;
  let expired = false;
  let stopped = false;
  /** Whether a refreshed token was already tried since the last successful open. */
  let authRefreshed = false;
  /** Times the page, asked after a refusal, gave back the refused token already expired (see `authFailed`). */
  let staleTokenTries = 0;
  let heartbeatMs: number = 15_000 satisfies typeof Limits.heartbeatMs;
  /** The token in use: when it expires, by the server's clock and by ours. */
  let expiresAt = 0;
  let expiresLocal = 0;
  /** When the token the last renewal replaces expires, by the server's clock. */
  let renewedFrom = 0;
  /** The attempt whose token's expiry the server's time told, and the one whose was guessed. */
  let timed: Attempt | null = null;
  let guessed: Attempt | null = null;
  /** How long the connection in use may be silent: kept when it drops, for the watchdog. */
  let silence = 0;
  let lastStatus: string | null = null;
  let attempts = 0;
  /** Rung the pending retry will try; null while it waits for the page's token to be good by the server. */
  let retryIndex: number | null = 0;
  /** Resolves when the last dropped transport is gone: the next one waits for it, so two sockets never overlap. */
  let closing: Promise<void> = Promise.resolve();
  /** Names the last ping; its pong is awaited while the `ping` timer is pending. */
  let pingId = 0;
  const { _pending: timers, _after: after, _clear: clear } = createTimers<TimerName>(clock);
  /**
   * Timers that belong to the live connection, not to the ladder. The watchdog is the ladder's:
   * it counts from the last frame, through a drop too.
   */
  const clearConnectionTimers = () => clear('healthy', 'ping', 'renew', 'wake');
  const isOffline = () => offline || !runtime.isOnline();
  const live = () => !stopped && !expired;
  const isCurrent = (attempt: Attempt) => !stopped && (attempt === active || attempt === probe);

  /** A probe that took over (a climb, a renewal) is the active connection: `p` says how it began, not what it is. */
  const openTimer = (attempt: Attempt): TimerName => (attempt === probe ? 'probeOpen' : 'open');

  const drop = (attempt: Attempt | null) => {
    if (!attempt) return;
    clear(openTimer(attempt));
    const transport = attempt.t;
    attempt.t = null;
    // Resolves to nothing: a chain of `Promise.all` results would nest one array per drop.
    if (transport) closing = Promise.all([closing, transport.close()]).then(() => {});
  };

  /** Drops the active connection (and its timers); a fall no longer shows the rung it left. */
  const dropActive = (attempt: Attempt) => {
    active = shown = null;
    drop(attempt);
    clearConnectionTimers();
  };

  const publish = () => {
    const rung = active?.o ? active.rung : shown;
    const status: LadderStatus = expired
      ? 'expired'
      : rung && !stale && !offline
        ? 'live'
        : isOffline()
          ? 'offline'
          : stale
            ? 'stale'
            : everOpened
              ? 'reconnecting'
              : 'connecting';
    const key = `${status}:${rung}`;
    if (key === lastStatus) return;
    lastStatus = key;
    // Whatever drops the active attempt stops showing the rung a fall left (`shown`).
    host._status(status, rung ? transportName(rung) : null, rung ? silenceOf(active!) : undefined);
  };

  const token = () => tokenWithin(clock, host._getToken);

  const connect = (index: number, isProbe?: boolean, given?: string | null): void => {
    if (!live()) return;
    if (!isProbe && attempts++ > 0) host._reconnecting();
    const attempt: Attempt = {
      i: index,
      rung: rungs[index]!,
      p: isProbe,
      r: isProbe && index === active?.i,
      off: isOffline(),
      q: host._cursor()?.seq ?? 0,
    };
    if (isProbe) probe = attempt;
    else active = attempt;
    publish();
    // A slow or failing getToken() is the token's problem (reported, the same rung tried again
    // after a backoff), not the rung's: the open timeout starts once the token is in hand.
    Promise.all([given ?? token(), closing]).then(
      ([value]) => {
        if (!isCurrent(attempt)) return;
        // No token: the page has no session (or another consultant's).
        if (value === null) return expire();
        if (attempt.r && value === active?.k) {
          // The page has no newer token yet (its own cache): asked again later, with less
          // time left each time, as after a renewal that failed.
          probe = null;
          armRenewal();
          return scheduleProbe();
        }
        attempt.k = value;
        after(openTimer(attempt), OPEN_TIMEOUT_MS, () =>
          closed(attempt, 'failed', `${attempt.rung} did not open in 5 s`),
        );
        attempt.t = factories[attempt.rung]({
          base,
          token: value,
          runtime,
          cursor: host._cursor,
          deliver: (raw) => received(attempt, raw),
          closed: (kind, detail, retryAfter) => closed(attempt, kind, detail, retryAfter),
        });
      },
      (error: unknown) => {
        if (!isCurrent(attempt)) return;
        tokenFailed(host._error, error);
        closed(attempt, 'throttled');
      },
    );
  };

  const received = (attempt: Attempt, raw: unknown): void => {
    if (!isCurrent(attempt)) return;
    const frame = host._decode(raw, attempt);
    if (!frame || !isCurrent(attempt)) return;
    if (frame.type === 'welcome') heartbeatMs = frame.heartbeatMs;
    // When the token expires, by the server's clock: the welcome says. Polls have none: the
    // token's own `exp` tells, against the server's time, which a heartbeat says (until one
    // comes, the time earlier frames told stands in).
    const told = frame.type === 'welcome' || frame.type === 'heartbeat';
    if (timed !== attempt && frame.type !== 'error' && (told || guessed !== attempt)) {
      if (told) timed = attempt;
      else guessed = attempt;
      const expiry = frame.type === 'welcome' ? frame.tokenExpiresAt : tokenExpiry(attempt.k!);
      if (expiry) timeToken(attempt, expiry, told ? frame.serverTime : host._serverNow());
    }
    if (frame.type === 'pong' && frame.id === `p${pingId}`) clear('ping');
    // An error comes before the server closes: it opens nothing (a probe would take over).
    if (!attempt.o && frame.type !== 'error') opened(attempt);
    if (attempt === active) {
      silence = silenceOf(attempt);
      watchdog.heard();
      if (stale || offline) {
        stale = offline = false;
        publish();
      }
    }
    host._apply(frame, attempt);
  };

  const opened = (attempt: Attempt): void => {
    clear(openTimer(attempt));
    attempt.o = true;
    if (attempt.p) {
      // The higher rung works again: move up, and let the lower one go.
      const lower = active;
      probe = null;
      // A climb holds once the rung has had a healthy spell: cut before that, it falls back at
      // once, to the rung it came from (the rungs between may be the ones it left for cuts).
      if (!attempt.r) {
        cuts = CUTS_BEFORE_FALL - 1;
        cutRung = attempt.i;
        back = lower?.i ?? -1;
      }
      active = attempt;
      // Whatever the lower rung applied meanwhile, this one may replay: expected, not an error.
      attempt.q = host._cursor()?.seq ?? 0;
      drop(lower);
    }
    everOpened = true;
    shown = null;
    restartUntil = 0;
    authRefreshed = stale = offline = false;
    staleTokenTries = 0;
    clear('retry');
    after('healthy', HEALTHY_SPELL_MS, () => {
      failures = cuts = 0;
      back = -1;
      if (attempt.p && !attempt.r) probeFailures = 0;
    });
    scheduleProbe();
    publish();
  };

  /**
   * An attempt ended. `detail` tells the page why when the active connection failed or was
   * cut; the end of a probe, or a throttled one, is not reported.
   */
  const closed = (attempt: Attempt, kind: CloseKind, detail = '', retryAfter?: string | null): void => {
    if (!isCurrent(attempt)) return;
    // The server said when to come back (a 429 or 503 with Retry-After): no connection, retry or
    // probe, before that. It is busy; the rung is not blocked.
    const told = retryAfterMs(retryAfter, host._serverNow());
    notBefore = Math.max(notBefore, clock.now() + told);
    if (attempt === probe) {
      drop(attempt);
      probe = null;
      if (attempt.r) armRenewal();
      // Not that rung: the next one down, while it is still above the one in use, at once.
      else if (!told && active?.o && attempt.i + 1 < active.i) return connect(attempt.i + 1, true);
      // The whole climb failed: it counts once for the probes' backoff.
      else probeFailures += 1;
      scheduleProbe();
      return;
    }
    dropActive(attempt);
    if (kind === 'auth') {
      void authFailed(attempt);
      return;
    }
    if (told) return retry(attempt.i);
    if (attempt.o && kind === 'ended') restartUntil = clock.now() + RESTART_WINDOW_MS;
    const failedToOpen = !attempt.o && kind !== 'throttled';
    // Refused, cut, or accepted and dropped before the first frame: worth telling the page once.
    if (failedToOpen) host._error('transport-failed', `${attempt.rung} failed before opening: ${detail}`);
    // Without a network every rung fails alike: that says nothing about the rung, and falling
    // down the ladder would leave the tab on polling when the network returns. Stay, and wait
    // for `online` (or the backoff).
    if (failedToOpen && isOffline()) return retry(attempt.i);
    // While a server that ended the connection restarts, every rung fails alike: that says
    // nothing about the rung either. Stay on it, at the window's short backoff (falling through
    // every rung each time put four requests a second on a proxy answering 502 meanwhile).
    if (failedToOpen && clock.now() < restartUntil) return retry(attempt.i);
    // Never opened: this rung may be blocked on this network. Try the next one at once.
    if (failedToOpen && attempt.i < rungs.length - 1) return connect(attempt.i + 1);
    // Opened, then cut again and again soon after (online, and not by a throttling server): the
    // rung opens but does not serve. Fall a rung, and let the next climb back to it wait longer.
    const cut = attempt.o && kind !== 'throttled' && !isOffline();
    // Counted per rung: cuts on one left for never opening say nothing about the next.
    if (cut && cutRung !== attempt.i) {
      cutRung = attempt.i;
      cuts = 0;
    }
    if (cut && ++cuts >= CUTS_BEFORE_FALL && attempt.i < rungs.length - 1) {
      if (!attempt.p)
        host._error('transport-failed', `${attempt.rung} cut ${cuts} times soon after opening: ${detail}`);
      const to = back < 0 ? attempt.i + 1 : back;
      cuts = 0;
      back = -1;
      probeFailures += 1;
      shown = attempt.rung;
      return connect(to);
    }
    // A drop after opening, a throttled server, or nothing left below: back off, then try
    // again. After a failure of every rung, start again from the top: a total failure says
    // nothing about which rung is blocked.
    retry(failedToOpen ? 0 : attempt.i);
  };

  const authFailed = async (attempt: Attempt): Promise<void> => {
    // One more token per failure, and only one until a connection opens: a page that keeps
    // handing out rejected tokens must end in `expired`, not in a loop.
    if (authRefreshed) return expire();
    authRefreshed = true;
    publish();
    let fresh: string | null | undefined;
    try {
      fresh = await token();
    } catch (error) {
      tokenFailed(host._error, error);
    }
    if (!live() || active || 'retry' in timers) return;
    // The page's token source failing (its backend down a moment) is no refusal: ask again
    // after the backoff, as for any connect.
    if (fresh === undefined) return retry(attempt.i);
    // The refused token again, expired by the server's clock: the page's clock is behind the
    // server's, and its token source holds the token good a moment longer. Asked again in 2,
    // then 4, then 8 s, it has a new one; a token refused for anything else ends the session.
    const expiry = fresh && fresh === attempt.k ? tokenExpiry(fresh) : null;
    if (expiry !== null && expiry <= host._serverNow() && staleTokenTries < STALE_TOKEN_TRIES) {
      authRefreshed = false;
      retryIndex = null;
      return after('retry', 2_000 * 2 ** staleTokenTries++, () => void authFailed(attempt));
    }
    if (!fresh || fresh === attempt.k) return expire();
    connect(attempt.i, false, fresh);
  };

  const dropAll = () => {
    clear();
    drop(probe);
    drop(active);
    probe = active = shown = null;
  };

  const expire = (): void => {
    if (expired) return;
    expired = true;
    dropAll();
    publish();
  };

  const retry = (index: number): void => {
    publish();
    const restarting = clock.now() < restartUntil;
    const delay = Math.max(
      fullJitter(restarting ? Math.min(failures, 1) : failures, runtime.random),
      notBefore - clock.now(),
    );
    failures += 1;
    retryIndex = index;
    after('retry', delay, () => connect(index));
  };

  /** Drops the active attempt, opened or not, and begins it again at once (no retry is pending then). */
  const reconnectNow = (attempt: Attempt): void => {
    dropActive(attempt);
    connect(attempt.i);
  };

  /** How long the attempt's transport is quiet when all is well: a heartbeat, or a poll's hold. */
  const quietOf = (attempt: Attempt): number => attempt.t?.livenessMs?.(heartbeatMs) ?? heartbeatMs;

  const silenceOf = (attempt: Attempt): number =>
    quietOf(attempt) + (10_000 satisfies typeof Limits.staleGraceMs);

  /**
   * The liveness watchdog. It goes on when the connection drops, allowing the silence that
   * connection allowed: nothing heard for that long is stale, whether or not the tries to
   * reconnect fail quickly.
   */
  const watchdog = createWatchdog(
    clock,
    { _pending: timers, _after: after, _clear: clear },
    () => silence,
    () => {
      const attempt = active?.o ? active : null;
      stale = true;
      // Dropped and not back: the state shown is stale, and the retries go on as they were.
      if (!attempt) return publish();
      // Nothing heard for a heartbeat and its grace: the connection is dead without knowing it.
      host._error('stalled', `no frame for ${silence} ms on ${attempt.rung}`);
      dropActive(attempt);
      retry(attempt.i);
    },
    // Frames came, but a tick was far late: the machine slept a moment, or the page froze. A
    // visible page checks the connection as on coming back; a hidden one's timers are throttled.
    () => runtime.document?.visibilityState !== 'hidden' && check(),
  );

  /** Learns when the attempt's token expires, and sets its renewal. */
  const timeToken = (attempt: Attempt, tokenExpiresAt: number, serverTime: number): void => {
    // A renewal whose token ends no later than the one it renews (a session with a fixed
    // end) is not renewed again: it would be, sooner and sooner, to no end.
    if (attempt.r && tokenExpiresAt <= renewedFrom) return;
    expiresAt = tokenExpiresAt;
    // Both times are the server's: how long the token has left needs no clock of ours.
    expiresLocal = clock.now() + expiresAt - serverTime;
    armRenewal();
  };

  /**
   * Sets the renewal a minute before the token in use expires, or half way there: again
   * after a renewal failed, with less time left each time, until too little is left to open.
   */
  const armRenewal = (): void => {
    const left = expiresLocal - clock.now();
    // Beyond 2^31 - 1 ms a timer would fire at once.
    if (left / 2 >= OPEN_TIMEOUT_MS)
      after('renew', Math.min(Math.max(left - RENEW_BEFORE_MS, left / 2), 2 ** 31 - 1), renew);
  };

  /** Opens the rung in use again on a fresh token, as a probe: it takes over once it carries frames. */
  const renew = (): void => {
    const current = active;
    if (!current?.o) return;
    // Offline, or a probe under way (which asks for a fresh token itself): later.
    if (probe || isOffline() || notBefore > clock.now()) return armRenewal();
    renewedFrom = expiresAt;
    connect(current.i, true);
  };

  const scheduleProbe = (): void => {
    if (!active?.o || active.i === 0 || probe || 'probe' in timers) return;
    const ceiling = backoffCeiling(probeFailures, PROBE_BASE_MS, PROBE_MAX_MS);
    // Half fixed, half jitter: probes must not all land together, but must not come too soon either.
    const delay = Math.floor(ceiling / 2 + (runtime.random() * ceiling) / 2);
    after('probe', Math.max(delay, notBefore - clock.now()), () => {
      const current = active;
      // The highest rung first, then down: the rung just above may be the one blocked on this
      // path (a proxy that breaks SSE yet lets WebSocket through), and must not hold us below it.
      if (current?.o && current.i > 0 && !probe) connect(0, true);
    });
  };

  /** The page came back (visible, online): make sure the connection really carries frames. */
  const check = (): void => {
    if (!live()) return;
    const current = active;
    if (!current?.o) {
      // Not live: skip the rest of the backoff and try now.
      if ('retry' in timers) {
        // Not before a Retry-After, nor sooner than the page's token can be good again.
        if (notBefore > clock.now() || retryIndex === null) return;
        clear('retry');
        connect(retryIndex);
      } else if (current?.off && runtime.isOnline()) {
        // An attempt begun without a network may hang until its timeout: begin it again.
        reconnectNow(current);
      }
      return;
    }
    if ('ping' in timers) return;
    if (current.t?.ping?.(`p${++pingId}`)) {
      // A socket can survive a network change yet carry nothing: ask it to answer.
      after('ping', PING_TIMEOUT_MS, () => {
        if (active === current) reconnectNow(current);
      });
    } else if (watchdog.quiet() > quietOf(current) + PING_TIMEOUT_MS) {
      // Streams and polls cannot be pinged; a missed heartbeat (or a poll held past its end) says enough.
      reconnectNow(current);
    }
  };

  const unwatch = watchPage(
    runtime,
    (online) => {
      offline = !online;
      publish();
      if (online) check();
    },
    check,
  );
  offline = !runtime.isOnline();
  connect(0, false, options.token);
  return {
    _stop() {
      if (stopped) return;
      stopped = true;
      unwatch();
      dropAll();
    },
    _resync(connection) {
      if (probe && connection === probe) {
        // Bad input on a probe says the higher rung is not fit yet; the one in use carries on.
        closed(probe, 'failed');
        return;
      }
      const current = active;
      // A connection since replaced, or (asked without one) one not open yet, resumes from the
      // cursor anyway: dropping it would only delay that, and count as a failure.
      if (!current || !live() || (connection ? connection !== current : !current.o)) return;
      dropActive(current);
      retry(current.i);
    },
  };
}
