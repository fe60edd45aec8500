import { TRANSPORTS, decodeSnapshot, formatCursor } from '@fg/protocol/frames';
import type { ErrorCode, Limits, Paths, ServerFrame, TransportName } from '@fg/protocol/frames';
import type {
  ClientErrorDetail,
  ClientMetrics,
  ConnectionStatus,
  DashboardClient,
  DashboardClientOptions,
  SessionExpiredDetail,
} from './types.js';
import { createStore } from './store/store.js';
import type { FrameRequest } from './store/frame-scheduler.js';
import { browserRuntime, timers as createTimers, watchPage, type Runtime } from './runtime.js';
import { endpointUrl, parseEndpoint, webPage } from './auth/endpoint.js';
import { tokenExpiry, tokenSubject } from './auth/token.js';
import {
  createLadder,
  rungsFor,
  STALE_TOKEN_TRIES,
  tokenFailed,
  tokenWithin,
  type Connection,
  type Ladder,
  type LadderHost,
} from './transport/ladder.js';
import { REQUEST_TIMEOUT_MS, authorizedFetch, describe } from './transport/types.js';
import { createWatchdog } from './transport/watchdog.js';
import { fullJitter } from './transport/backoff.js';
import type { Rung, TransportFactory } from './transport/types.js';
import { electLeader, lockHolder, lockName, type Election } from './sync/tab-leader.js';
import { openRelay, type Relay, type RelayMessage } from './sync/relay.js';

/** A heartbeat ahead of our seq may just have overtaken its event; wait this long before calling it a gap. */
const HEARTBEAT_GAP_GRACE_MS = 2_000;
/** A follower asking for the state waits this long for an answer before asking again. */
const SYNC_RETRY_MS = 1_000;
/**
 * A tab that holds the lock yet leaves this many requests for the state unanswered (one a
 * second) is stuck, a dialog or a busy script blocking it: a follower takes the lock from it.
 */
const STUCK_TRIES = 3;
/** What `parseServerFrame` says about text that is not JSON at all. */
const MALFORMED_JSON = 'malformed JSON';

/**
 * The client's timers. `gap`: a heartbeat ahead of us, given time; `sync`: a follower's
 * request for the state, pending while it has not been answered; `watchdog` and `wake`: a
 * follower's watchdog; `token`: a follower asking its page again as its own token expires;
 * `start`: the first token asked again, after it failed.
 */
type TimerName = 'gap' | 'sync' | 'watchdog' | 'wake' | 'token' | 'start';

/** What the client takes from its surroundings; tests replace parts of it. */
export interface ClientEnvironment extends Partial<Runtime> {
  /** Replaces the transport of a rung. */
  readonly transports?: Partial<Record<Rung, TransportFactory>>;
  /** Replaces the ladder that `options.transports` describes, e.g. to run interval polling alone. */
  readonly rungs?: readonly Rung[];
  /** Schedules store notifications (default: animation frames). */
  readonly requestFrame?: FrameRequest;
}

/**
 * Creates the connection behind the dashboard widgets: the transport ladder, resume,
 * one connection shared by the tabs of this browser, the session lifecycle, and the store.
 *
 * Throws a TypeError for an endpoint that would carry the token in clear text (plain http
 * to anything but this machine), or for no transport or one it does not know: a
 * misconfiguration to fix, not a condition to live with.
 */
export function createDashboardClient(
  options: DashboardClientOptions,
  environment: ClientEnvironment = {},
): DashboardClient {
  const runtime = browserRuntime(environment);
  const { clock } = runtime;
  const base = parseEndpoint(options.endpoint);
  const target = options.eventTarget ?? (globalThis as unknown as EventTarget);
  // Checked here, where the page hears it: inside a tab's election a ladder that cannot be
  // built would lose the lock and take it again, forever, in silence.
  const transports = options.transports ?? TRANSPORTS;
  if (!transports.length || transports.some((name) => !TRANSPORTS.includes(name)))
    throw new TypeError(
      `FG Live transports are some of ${TRANSPORTS.join(', ')}; got ${transports.join(', ')}`,
    );

  let ladder: Ladder | null = null;
  /** The tab-sync lock, held or waited for. */
  let election: Election | null = null;
  /** Requests for the state the leader has left unanswered in a row. */
  let unanswered = 0;
  /**
   * Who held the lock as the first of those went unanswered (`lockHolder`): a tab takes the
   * lock only from that one, never from a tab that took it since.
   */
  let suspect: Promise<string | null | undefined> | null = null;
  let relay: Relay | null = null;
  /** Stops following the page's return from the back/forward cache. */
  let unwatchRestore: (() => void) | null = null;
  /** The tab-sync lock and channel, once the token has named the consultant. */
  let lock: string | null = null;
  let role: ClientMetrics['role'] = 'solo';
  /**
   * Whether another tab may be listening: a leader relays frames only then, since posting to
   * a channel nobody reads still costs a tab alone about 0.2 ms per event. Followers wait
   * for the lock, where Web Locks lists them, and ask for the state as they join.
   */
  let listened = true;
  /**
   * Requests for the state heard from other tabs, and how many there were when the leader
   * last began counting the tabs waiting for its lock. A tab asks just after it requests the
   * lock, but the browser may list that request only some time later (Chromium first checks
   * the frame's storage access): so a tab that asked counts as listening until the second
   * count after it.
   */
  let asked = 0;
  let counted = 0;
  /** The session's consultant: from the token, else pinned by the first welcome or snapshot. */
  let consultant: string | null = null;
  /** A token already fetched for the lock name, handed to the first connect instead of asking twice. */
  let spareToken: string | null = null;
  /** The token the page last gave this tab's connection. */
  let ownToken: string | null = null;
  /** After an epoch change, resume from nothing: the old cursor means nothing in the new log. */
  let fromScratch = false;
  /** Where the last unusable frame came: a second one there means resuming replays it. */
  let droppedAt: string | null | undefined;
  const reported = new Set<string>();
  let lastLiveTransport: TransportName | null = null;
  /** The leader's heartbeat interval, for a follower's watchdog. */
  let heartbeatMs: number = 15_000 satisfies typeof Limits.heartbeatMs;
  /** How long the live connection may be silent: the leader's own, or what it told a follower. */
  let silenceMs: number | undefined;
  /** What the leader last said its status was: a follower's watchdog may have said `stale` since. */
  let leaderStatus: ConnectionStatus = 'connecting';
  let expiredFired = false;
  let closed = false;

  const { _pending: timers, _after: after, _clear: clear } = createTimers<TimerName>(clock);

  /** The page's events (`fg-error`, `fg-session-expired`): they bubble and cross shadow roots. */
  const fire = (
    type: string,
    detail: ClientErrorDetail | SessionExpiredDetail,
    cancelable?: boolean,
  ): boolean => {
    try {
      return target.dispatchEvent(
        new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }),
      );
    } catch (error) {
      console.error(error);
      return true;
    }
  };

  /** Tells the page about a problem once per kind, until the connection is live again. */
  const report = (code: string, message: string): void => {
    if (reported.has(code)) return;
    reported.add(code);
    fire('fg-error', { code, message });
  };

  /** Nothing a frame does may throw into the page: a bug here is reported, and the connection goes on. */
  const guard = <T>(work: () => T): T | undefined => {
    try {
      return work();
    } catch (error) {
      console.error('FG Live: internal error while handling a frame', error);
      report('internal-error', describe(error));
      return undefined;
    }
  };

  /** The page's token, within the ladder's time limit. */
  const pageToken = () => tokenWithin(clock, () => options.getToken());

  const markRead = async (messageId: string): Promise<void> => {
    const path = `/api/messages/${encodeURIComponent(messageId)}/read` satisfies ReturnType<
      typeof Paths.markRead
    >;
    const url = endpointUrl(base, path);
    const send = (token: string) =>
      authorizedFetch(runtime, url, token, REQUEST_TIMEOUT_MS, { method: 'POST' });
    const failed = (why: string) => new Error(`FG Live: marking message ${messageId} read failed (${why})`);
    const token = await pageToken();
    if (!token) throw failed('no session');
    let response = await send(token);
    if (response.status === 401) {
      // Same rule as the connection: one more token, then give up.
      const fresh = await pageToken();
      if (fresh && fresh !== token) response = await send(fresh);
    }
    if (!response.ok) throw failed(`HTTP ${response.status}`);
    // A 200 that is not the server's answer (a captive portal's page, a proxy's) marked nothing.
    const answer = (await response.json().catch(() => null)) as { read?: unknown } | null;
    if (answer?.read !== true) throw failed("not the server's answer");
  };

  const store = createStore({
    now: clock.now,
    requestFrame: environment.requestFrame,
    markMessageRead: markRead,
    role: () => role,
    relaying: () => role === 'leader' && listened,
  });

  // ---- session ----

  /**
   * An ended session (or a closed client) leaves the tabs: a leader gives up the lock, a
   * follower stops waiting for it, so a tab signed in afresh leads on its own. A leader's
   * session ending is not its followers': the next one granted the lock leads, asks its own
   * page for a token, and ends there only if its session has too.
   */
  const leaveTabs = (): void => {
    election?._resign();
    relay?._close();
    unwatchRestore?.();
    election = relay = unwatchRestore = null;
    clear('sync', 'watchdog', 'wake', 'token');
  };

  const expire = (): void => {
    store.setStatus('expired', null);
    leaveTabs();
    if (expiredFired || closed) return;
    expiredFired = true;
    const loginUrl = webPage(options.loginUrl);
    if (fire('fg-session-expired', { loginUrl }, true) && loginUrl) runtime.navigate(loginUrl);
  };

  // ---- the leader's (or lone tab's) connection ----

  /** Fetches what is missing: a follower from its leader, a connection by resuming from the cursor. */
  const resync = (connection?: Connection): void => {
    store._count('resyncs');
    if (role === 'follower') askForState();
    else ladder?._resync(connection);
  };

  /** A frame was unusable: log it, tell the page once, and fetch what we missed. */
  const dropped = (code: string, problem: string, connection?: Connection): null => {
    const message = `${connection?.rung ?? 'relay'}: ${problem}`;
    console.warn(`FG Live: dropped a frame (${code}): ${message}`);
    report(code, message);
    if (connection) {
      // The same bad frame again after resuming (a server storing it so): start from a fresh snapshot instead.
      const at = store._cursor && formatCursor(store._cursor);
      if (at && at === droppedAt) fromScratch = true;
      droppedAt = at;
    }
    resync(connection);
    return null;
  };

  /** Decodes a frame from a connection, or (without one) from the leader tab. */
  const decode = (raw: unknown, connection?: Connection): ServerFrame | null => {
    const decoded = store._decode(raw);
    if (!decoded.ok) {
      const code = decoded.error === MALFORMED_JSON ? 'malformed-frame' : 'invalid-frame';
      return dropped(code, decoded.error, connection);
    }
    const frame = decoded.value;
    // Someone else's data must never reach this page, whatever the server (or another tab) says.
    const claimed =
      frame.type === 'welcome' ? frame.consultantId : frame.type === 'snapshot' ? frame.consultant.id : null;
    if (claimed === null) return frame;
    consultant ??= claimed;
    if (claimed === consultant) return frame;
    store._count('invalidFrames');
    return dropped('foreign-frame', 'a frame for another consultant', connection);
  };

  const suspectGap = (head: ServerFrame & { type: 'heartbeat' }, connection?: Connection): void => {
    if ('gap' in timers) return;
    after('gap', HEARTBEAT_GAP_GRACE_MS, () => {
      const cursor = store._cursor;
      // Caught up meanwhile, or moved to another log: nothing is missing.
      if (!cursor || cursor.epoch !== head.epoch || cursor.seq >= head.seq) return;
      report('sequence-gap', `behind the server's seq ${head.seq}`);
      resync(connection);
    });
  };

  /**
   * Applies a valid frame from a connection (the leader relays it to the other tabs), or
   * (without one) from the leader tab: a follower resumes by asking the leader, which
   * answers with a snapshot.
   */
  const apply = (frame: ServerFrame, connection?: Connection): void => {
    if (frame.type === 'error') {
      // Auth errors are followed by a close that the ladder handles; anything else is worth a line in the console.
      if (
        frame.code !== ('auth-expired' satisfies typeof ErrorCode.authExpired) &&
        frame.code !== ('unauthenticated' satisfies typeof ErrorCode.unauthenticated)
      ) {
        console.warn(`FG Live: server error ${frame.code}: ${frame.message}`);
      }
      return;
    }
    if (frame.type === 'pong') return;
    const result = store._applyValid(frame);
    if (connection) {
      // The other tabs get what this one took: its state, step by step. An event or snapshot
      // it could not apply (a gap, a repeat, an old log's) stays here while it catches up, so
      // the others never fetch the state for it; every other frame tells them it is alive.
      const carried =
        frame.type === 'event' ? result === 'applied' : frame.type !== 'snapshot' || result === 'snapshot';
      if (listened && carried) relay?._post({ t: 'frame', frame });
      // A heartbeat is the leader's moment to notice that the tabs it relayed to have closed.
      if (frame.type === 'heartbeat') countFollowers();
    } else armFollowerWatchdog(frame.type === 'welcome' ? frame.heartbeatMs : undefined, true);
    switch (result) {
      case 'snapshot':
        fromScratch = false;
        clear('sync');
        break;
      case 'duplicate':
        if (connection && frame.type === 'event' && frame.seq > connection.q) {
          report('duplicate-seq', `${connection.rung}: seq ${frame.seq} arrived twice`);
        }
        break;
      case 'gap':
        // A heartbeat ahead of us (here, or relayed by the leader) may just have overtaken its event.
        if (frame.type === 'heartbeat') suspectGap(frame, connection);
        else if (!connection) resync();
        else {
          report('sequence-gap', `${connection.rung}: expected seq ${(store._cursor?.seq ?? 0) + 1}`);
          resync(connection);
        }
        break;
      case 'epoch-changed':
        // The server's log was reset: start over from its snapshot. Not an error.
        fromScratch = true;
        resync(connection);
        break;
    }
  };

  const ladderHost: LadderHost = {
    _getToken: async () => {
      const token = await options.getToken();
      const subject = token && tokenSubject(token);
      if (subject && consultant && subject !== consultant) {
        // Someone else signed in: what this client holds is the previous consultant's. It
        // ends here, state kept and marked expired; a new client starts the new session.
        report('session-changed', `the token is for another consultant than ${consultant}`);
        return null;
      }
      if (subject) consultant ??= subject;
      return (ownToken = token);
    },
    _cursor: () => (fromScratch ? null : store._cursor),
    _serverNow: store._serverNow,
    _decode: (raw, connection) => guard(() => decode(raw, connection)),
    _apply: (frame, connection) => guard(() => apply(frame, connection)),
    _status: (status, transport, silence) => {
      silenceMs = silence;
      if (transport) {
        if (lastLiveTransport && transport !== lastLiveTransport) store._count('transportSwitches');
        lastLiveTransport = transport;
      }
      // A tab taking over from a leader already has state: for it, this is a reconnect.
      if (status === 'connecting' && store.state.snapshot) status = 'reconnecting';
      relay?._post({ t: 'status', status, transport, l: silence });
      // A live connection ends the incident: the next problem is news again.
      if (status === 'live') reported.clear();
      if (status === 'expired') expire();
      else store.setStatus(status, transport);
    },
    _error: report,
    _reconnecting: () => {
      store._count('reconnects');
      // The new connection resumes from the cursor: it brings whatever a heartbeat said is missing.
      clear('gap');
    },
  };

  const lead = (firstToken?: string | null): void => {
    if (closed) return;
    ladder = createLadder({
      base,
      rungs: environment.rungs ?? rungsFor(transports),
      runtime,
      host: ladderHost,
      factories: environment.transports,
      token: firstToken,
    });
  };

  // ---- followers ----

  /** A leader's look at the tabs waiting for its lock; where Web Locks cannot list them, it assumes some. */
  const countFollowers = (): void => {
    const query = runtime.locks?.query;
    if (role !== 'leader' || !query) return;
    const before = counted;
    counted = asked;
    query.call(runtime.locks).then(
      ({ pending = [] }) => {
        listened = asked !== before || pending.some((request) => request.name === lock);
      },
      () => (listened = true),
    );
  };

  /** What a leader tells the tabs of its state: in answer to a request, and as it takes the lock. */
  const postState = (): void => {
    const { snapshot, status, transport, lastHeardAt } = store.state;
    const h = lastHeardAt === null ? undefined : clock.now() - lastHeardAt;
    // The server's clock only once heard: an offset of 0 would pass for "the same as this tab's".
    const o = store._timed() ? store.clockOffset() : undefined;
    relay?._post({ t: 'state', snapshot, status, transport, l: silenceMs, h, o });
  };

  /** A leader's word (its status, a frame, its state): whoever leads is not stuck. */
  const heardLeader = (): void => {
    unanswered = 0;
    suspect = null;
  };

  /**
   * Takes the lock from a stuck leader. Several tabs may find it stuck at once, and see the
   * same holder: they take turns (a second lock, `<lock>:take`, held until the taker leads),
   * a tab that finds another taking it counts again from nothing, and the next one finds
   * another holder than the one that left it unanswered, and counts again too.
   */
  const takeOver = (): void => {
    const { locks } = runtime;
    const current = election;
    const before = suspect;
    const take = async (): Promise<void> => {
      // Heard from a leader meanwhile, or no longer waiting for this lock: nothing to take.
      if (role !== 'follower' || election !== current || unanswered < STUCK_TRIES) return;
      // The lock changed hands since it went unanswered: whoever holds it now is not stuck.
      const was = await before;
      if (was !== undefined && (await lockHolder(locks, lock!)) !== was) return heardLeader();
      await current?._steal();
    };
    if (!locks) return void take();
    void locks
      .request(`${lock}:take`, { ifAvailable: true }, (turn) => (turn ? take() : heardLeader()))
      .catch(() => take());
  };

  const askForState = (): void => {
    // A tab that left (its session ended) has nobody to ask.
    if ('sync' in timers || closed || !relay) return;
    relay._post({ t: 'sync' });
    after('sync', SYNC_RETRY_MS, () => {
      // Unanswered: no leader yet (the lock is on its way to someone), the request was lost,
      // or the leader is stuck.
      if (role !== 'follower') return;
      if (++unanswered === 1) suspect = lockHolder(runtime.locks, lock!);
      if (unanswered >= STUCK_TRIES) takeOver();
      askForState();
    });
  };

  /**
   * A follower hears everything through the leader; silence means the leader's connection (or
   * tab) is stuck. It allows the silence the leader allows now.
   */
  const followerWatchdog = createWatchdog(
    clock,
    { _pending: timers, _after: after, _clear: clear },
    () => silenceMs ?? heartbeatMs + (10_000 satisfies typeof Limits.staleGraceMs),
    () => {
      if (role !== 'follower') return;
      if (store.status === 'live') store.setStatus('stale');
      // Is the leader there at all? A stuck one answers nothing, and loses the lock.
      askForState();
    },
  );

  const armFollowerWatchdog = (leaderHeartbeatMs?: number, frame?: boolean): void => {
    // A tab that left (its session ended) has no leader to watch.
    if (!relay) return;
    if (leaderHeartbeatMs) heartbeatMs = leaderHeartbeatMs;
    // Frames come from the leader's live connection alone: whatever was said before holds no
    // more (a tab that lost the lock while stuck may say `stale` late, once it runs again).
    if (frame) leaderStatus = 'live';
    // Heard from the leader again: what it last said holds.
    const { status } = store;
    if (role === 'follower' && (status === 'stale' || status === 'reconnecting') && leaderStatus === 'live')
      store.setStatus('live');
    followerWatchdog.heard();
  };

  const followerState = (message: Extract<RelayMessage, { t: 'state' }>): void => {
    // Answers go to every tab; one that did not ask has its state already.
    if (!('sync' in timers) && store.state.snapshot) return;
    clear('sync');
    if (message.snapshot) {
      const checked = decodeSnapshot(message.snapshot);
      if (!checked.ok || checked.value.consultant.id !== consultant) {
        store._count('invalidFrames');
        report('invalid-frame', 'relay: an unusable state');
      } else {
        // As old as the leader's: "updated 5 min ago" in every tab alike.
        const { h, o } = message;
        store._applyValid(
          { type: 'snapshot', ...checked.value },
          {
            heardAt: typeof h === 'number' && h > 0 ? clock.now() - h : undefined,
            offset: Number.isFinite(o) ? o : undefined,
          },
        );
      }
    }
    // There is a leader: should this tab lead later, its token will be old by then. Until
    // then, that token says when this tab's own session is to be looked at again (timed by
    // the server's clock, which the leader's state has just told).
    if (spareToken) watchToken(spareToken);
    spareToken = null;
    fromLeader(message);
    armFollowerWatchdog();
  };

  /**
   * A follower takes the leader's word for its status, and for how long its connection may be
   * silent; but the leader's session ending is not this tab's: it shows `reconnecting` while
   * the lock goes to the next tab, which asks its own page for a token.
   */
  const fromLeader = (message: Extract<RelayMessage, { t: 'status' | 'state' }>): void => {
    const { status, transport, l } = message;
    // The leader's connection live again ends the incident here too.
    if (status === 'live' && leaderStatus !== status) reported.clear();
    leaderStatus = status === 'expired' ? 'reconnecting' : status;
    silenceMs = typeof l === 'number' && l > 0 ? l : undefined;
    store.setStatus(leaderStatus, transport);
  };

  /**
   * A follower's own session. No server sees its token, so none refuses it: as the token
   * expires (by the server's clock), the tab asks its page again. `null` (or a token for
   * another consultant) ends this tab's session; a fresh token is watched in turn; the same
   * token back, or one already expired, is asked for again in 2, 4 and 8 s before the
   * session ends, as a refused connection's would be. A token service that fails is asked
   * again every 8 s. A token without `exp` is not looked at again.
   */
  const watchToken = (token: string, tries = 0): void => {
    const expiry = tokenExpiry(token);
    const left = expiry === null ? 2 ** 31 : expiry - store._serverNow();
    // Until the server's clock is told, "expired" is only this tab's clock's word: asked again,
    // at the first step, never ended on it.
    if (left <= 0 && !store._timed()) tries = 0;
    if (left <= 0 && tries >= STALE_TOKEN_TRIES) return expire();
    const ask = (): unknown =>
      tokenWithin(clock, ladderHost._getToken).then(
        (fresh) =>
          role === 'follower' &&
          relay &&
          (fresh === null ? expire() : watchToken(fresh, left > 0 ? 0 : tries + 1)),
        (error: unknown) => {
          if (role !== 'follower' || !relay) return;
          tokenFailed(report, error);
          after('token', 8_000, ask);
        },
      );
    // Past 2^31 - 1 ms a timer would run at once: a token good for more than 24 days is left be.
    if (left < 2 ** 31) after('token', left > 0 ? left : 2_000 * 2 ** tries, ask);
  };

  const onRelay = (message: RelayMessage): void => {
    guard(() => {
      if (closed) return;
      // Counted as a follower too: a tab that asked before this one led is listening.
      if (message.t === 'sync') asked++;
      if (role === 'leader') {
        if (message.t === 'sync') {
          listened = true;
          postState();
        }
        return;
      }
      if (message.t !== 'sync') heardLeader();
      if (message.t === 'frame') {
        const frame = decode(message.frame);
        if (frame) apply(frame);
      } else if (message.t === 'status') fromLeader(message);
      else if (message.t === 'state') followerState(message);
    });
  };

  // ---- start: alone, or as one of the tabs ----

  const start = async (): Promise<void> => {
    const { locks, BroadcastChannel: Channel } = runtime;
    if (options.tabSync === false || !locks || !Channel) return lead();
    // The lock is per consultant, and only the token says who that is.
    let token: string | null;
    try {
      token = await pageToken();
    } catch (error) {
      if (closed) return;
      tokenFailed(report, error);
      // Without a consultant there is no lock to share yet: ask again after the backoff, as a
      // connection would, and join the tabs then (alone, this tab would hold a connection of
      // its own for its whole life).
      return waitToStart();
    }
    if (closed) return;
    if (token === null) return expire();
    const subject = tokenSubject(token);
    if (!subject) return lead(token);
    consultant = subject;
    spareToken = token;
    lock = lockName(base, subject);
    role = 'follower';
    relay = openRelay(Channel, lock, onRelay);
    /** Connects: as the tabs' leader, or alone when the browser will not give this page the lock (as without Web Locks). */
    const connect = (leader: boolean): void => {
      // Closed, or left the tabs (its session ended) as the lock was granted: the lock goes
      // back at once, to a tab that can use it.
      if (closed || !relay) return;
      // Its connection resumes from the cursor: a gap suspected as a follower is its to fill;
      // its ladder asks for tokens from now on.
      clear('sync', 'watchdog', 'wake', 'gap', 'token');
      if (leader) {
        role = 'leader';
        countFollowers();
      } else {
        leaveTabs();
        role = 'solo';
      }
      lead(spareToken);
      // Tabs that asked the tab before for the state (a stuck one, whose lock this tab took)
      // hear at once who leads now, before they count it stuck too and take the lock again.
      if (leader) postState();
    };
    /** Waits for the lock, as a follower meanwhile; leads once it is granted. */
    const join = (): void => {
      heardLeader();
      election = electLeader(
        locks,
        lock!,
        () => connect(true),
        () => connect(false),
        () => {
          if (closed || !relay) return;
          if (role === 'leader') {
            // Another tab took the lock while this one answered nothing (a dialog or a busy
            // script held it up), or the browser let it go as it put the page in its
            // back/forward cache: another tab leads now. This one lets its connection go.
            ladder?._stop();
            ladder = null;
            // Its session is its page's still: the token it led with is watched as it expires.
            spareToken = ownToken;
          }
          // A follower whose request the browser dropped (the page was in its back/forward
          // cache) waits for the lock again, and asks for the state it missed meanwhile.
          role = 'follower';
          join();
        },
      );
      // If a leader exists, it answers with the state; if not, the lock is ours in a moment.
      askForState();
    };
    /**
     * Back from the back/forward cache, a follower's request for the lock may be gone, and the
     * tabs went on without it: it waits for the lock afresh and asks for the state. (A leader
     * hears whether it lost its lock: the browser rejects it.)
     */
    const restored = (event: Event): void => {
      if (!(event as PageTransitionEvent).persisted || closed || !relay || role !== 'follower') return;
      election?._resign();
      join();
    };
    const page = runtime.window;
    page?.addEventListener('pageshow', restored);
    unwatchRestore = () => page?.removeEventListener('pageshow', restored);
    join();
  };

  const begin = () => start().catch((error: unknown) => report('internal-error', describe(error)));

  // ---- the first token, asked again after it failed ----

  let tokenFailures = 0;
  /** Set while the first token waits to be asked again: the page's comings and goings. */
  let unwatch: (() => void) | undefined;
  /** As a connection's retry: the backoff, cut short when the page comes back; `offline` shown meanwhile. */
  const waitToStart = (): void => {
    store.setStatus(runtime.isOnline() ? 'connecting' : 'offline', null);
    after('start', fullJitter(tokenFailures++, runtime.random), startNow);
    unwatch = watchPage(
      runtime,
      (online) => (online ? startNow() : store.setStatus('offline', null)),
      startNow,
    );
  };
  const startNow = (): void => {
    unwatch?.();
    unwatch = undefined;
    clear('start');
    void begin();
  };

  void begin();

  // The store's methods use no `this`: the client hands them out as they are.
  const {
    subscribe,
    addEventListener,
    removeEventListener,
    metrics,
    clockOffset,
    notePainted,
    markMessageRead,
  } = store;
  return {
    get state() {
      return store.state;
    },
    get status() {
      return store.status;
    },
    subscribe,
    addEventListener,
    removeEventListener,
    metrics,
    clockOffset,
    notePainted,
    markMessageRead,
    close() {
      if (closed) return;
      closed = true;
      unwatch?.();
      ladder?._stop();
      leaveTabs();
      clear();
      store.close();
    },
  };
}
