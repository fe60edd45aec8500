import { decodeSnapshot } from '@fg/protocol/frames';
import type { ErrorCode, Limits, Paths, ServerFrame, TransportName } from '@fg/protocol/frames';
import type {
  ClientErrorDetail,
  ClientMetrics,
  ConnectionStatus,
  DashboardClient,
  DashboardClientOptions,
  DashboardState,
  SessionExpiredDetail,
} from './types.js';
import { Store } from './store/store.js';
import type { FrameRequest } from './store/frame-scheduler.js';
import { browserRuntime, type Runtime, type TimerHandle } from './runtime.js';
import { endpointUrl, isSecureEndpoint, parseEndpoint } from './auth/endpoint.js';
import { tokenSubject } from './auth/token.js';
import {
  createLadder,
  describe,
  rungsFor,
  type Connection,
  type Ladder,
  type LadderHost,
} from './transport/ladder.js';
import { REQUEST_TIMEOUT_MS, bearer, fetchWithTimeout } from './transport/types.js';
import type { Rung, TransportFactory } from './transport/types.js';
import { electLeader, lockName, type Election } from './sync/tab-leader.js';
import { openRelay, type Relay, type RelayMessage } from './sync/relay.js';

/** A heartbeat ahead of our seq may just have overtaken its event; wait this long before calling it a gap. */
const HEARTBEAT_GAP_GRACE_MS = 2_000;
/** A follower asking for the state waits this long for an answer before asking again. */
const SYNC_RETRY_MS = 1_000;
/** What `parseServerFrame` says about text that is not JSON at all. */
const MALFORMED_JSON = 'malformed JSON';

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
 * to anything but this machine): a misconfiguration to fix, not a condition to live with.
 */
export function createDashboardClient(
  options: DashboardClientOptions,
  environment: ClientEnvironment = {},
): DashboardClient {
  return new Client(options, environment);
}

class Client implements DashboardClient {
  readonly #options: DashboardClientOptions;
  readonly #runtime: Runtime;
  readonly #environment: ClientEnvironment;
  readonly #base: URL;
  readonly #store: Store;
  readonly #target: EventTarget | null;

  #ladder: Ladder | null = null;
  #election: Election | null = null;
  #relay: Relay | null = null;
  #role: ClientMetrics['role'] = 'solo';
  /** The session's consultant: from the token, else pinned by the first welcome or snapshot. */
  #consultant: string | null = null;
  /** A token already fetched for the lock name, handed to the first connect instead of asking twice. */
  #spareToken: string | null = null;
  /** After an epoch change, resume from nothing: the old cursor means nothing in the new log. */
  #fromScratch = false;
  #reported = new Set<string>();
  #heartbeatGapTimer: TimerHandle | null = null;
  #syncTimer: TimerHandle | null = null;
  /** A follower that asked the leader for the state and has not had it yet. */
  #awaitingState = false;
  #followerWatchdog: TimerHandle | null = null;
  #lastLiveTransport: TransportName | null = null;
  /** The leader's heartbeat interval, for a follower's watchdog. */
  #heartbeatMs: number = 15_000 satisfies typeof Limits.heartbeatMs;
  #expiredFired = false;
  #closed = false;

  constructor(options: DashboardClientOptions, environment: ClientEnvironment) {
    this.#options = options;
    this.#environment = environment;
    this.#runtime = browserRuntime(environment);
    this.#base = parseEndpoint(options.endpoint);
    if (!isSecureEndpoint(this.#base)) {
      throw new TypeError(
        `FG Live refuses to send a token to ${this.#base.origin}: use https, or a loopback address in development`,
      );
    }
    this.#target = options.eventTarget ?? (globalThis as unknown as EventTarget);
    this.#store = new Store({
      now: this.#runtime.clock.now,
      requestFrame: environment.requestFrame,
      markMessageRead: (id) => this.#markRead(id),
    });
    this.#start().catch((error: unknown) => this.#report('internal-error', describe(error)));
  }

  get state(): DashboardState {
    return this.#store.state;
  }

  get status(): ConnectionStatus {
    return this.#store.status;
  }

  subscribe<T>(
    selector: (state: DashboardState) => T,
    listener: (value: T, previous: T) => void,
    equals?: (a: T, b: T) => boolean,
  ): () => void {
    return this.#store.subscribe(selector, listener, equals);
  }

  addEventListener(type: 'status', listener: EventListener): void {
    this.#store.addEventListener(type, listener);
  }

  removeEventListener(type: 'status', listener: EventListener): void {
    this.#store.removeEventListener(type, listener);
  }

  metrics(): ClientMetrics {
    return this.#store.metrics();
  }

  notePainted(seq: number): void {
    this.#store.notePainted(seq);
  }

  markMessageRead(messageId: string): Promise<void> {
    return this.#store.markMessageRead(messageId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ladder?.stop();
    this.#election?.release();
    this.#relay?.close();
    for (const timer of [this.#heartbeatGapTimer, this.#syncTimer, this.#followerWatchdog]) {
      if (timer !== null) this.#runtime.clock.clearTimeout(timer);
    }
    this.#store.close();
  }

  // ---- start: alone, or as one of the tabs ----

  async #start(): Promise<void> {
    const { locks, BroadcastChannel: Channel } = this.#runtime;
    if (this.#options.tabSync === false || !locks || !Channel) return this.#lead();
    // The lock is per consultant, and only the token says who that is.
    let token: string | null;
    try {
      token = await this.#options.getToken();
    } catch (error) {
      this.#report('token-unavailable', `getToken() failed: ${describe(error)}`);
      // Without a consultant there is no lock to share: connect alone, and retry tokens there.
      if (!this.#closed) this.#lead();
      return;
    }
    if (this.#closed) return;
    if (token === null) return this.#expire();
    const consultant = tokenSubject(token);
    if (!consultant) return this.#lead(token);
    this.#consultant = consultant;
    this.#spareToken = token;
    const name = lockName(this.#base, consultant);
    this.#role = 'follower';
    this.#store.setRole('follower');
    this.#relay = openRelay(Channel, name, (message) => this.#onRelay(message));
    this.#election = electLeader(locks, name, () => {
      if (this.#closed) return;
      this.#role = 'leader';
      this.#store.setRole('leader');
      this.#cancelFollowerTimers();
      this.#lead(this.#spareToken);
    });
    // If a leader exists, it answers with the state; if not, the lock is ours in a moment.
    this.#askForState();
  }

  #lead(firstToken: string | null = null): void {
    if (this.#closed) return;
    this.#spareToken = firstToken;
    if (firstToken) this.#consultant ??= tokenSubject(firstToken);
    this.#ladder = createLadder({
      base: this.#base,
      rungs: this.#environment.rungs ?? rungsFor(this.#options.transports ?? ['websocket', 'sse', 'polling']),
      runtime: this.#runtime,
      host: this.#ladderHost,
      factories: this.#environment.transports,
    });
    this.#ladder.start();
  }

  // ---- the leader's (or lone tab's) connection ----

  readonly #ladderHost: LadderHost = {
    getToken: async () => {
      const spare = this.#spareToken;
      this.#spareToken = null;
      const token = spare ?? (await this.#options.getToken());
      if (token) this.#consultant ??= tokenSubject(token);
      return token;
    },
    cursor: () => (this.#fromScratch ? null : this.#store.cursor),
    decode: (raw, connection) => this.#guard(() => this.#decode(raw, connection)) ?? null,
    apply: (frame, connection) => this.#guard(() => this.#apply(frame, connection)),
    status: (status, transport) => {
      if (transport && this.#lastLiveTransport && transport !== this.#lastLiveTransport) {
        this.#store.count('transportSwitches');
      }
      if (transport) this.#lastLiveTransport = transport;
      // A tab taking over from a leader already has state: for it, this is a reconnect.
      if (status === 'connecting' && this.#store.snapshot) status = 'reconnecting';
      this.#store.setStatus(status, transport);
      this.#relay?.post({ t: 'status', status, transport });
    },
    expired: () => this.#expire(),
    error: (code, message) => this.#report(code, message),
    live: () => {
      // A live connection ends the incident: the next problem is news again.
      this.#reported.clear();
    },
    reconnecting: () => this.#store.count('reconnects'),
  };

  #decode(raw: unknown, connection: Connection): ServerFrame | null {
    const decoded = this.#store.decode(raw);
    if (!decoded.ok) {
      const code = decoded.error === MALFORMED_JSON ? 'malformed-frame' : 'invalid-frame';
      this.#dropped(code, `${connection.rung}: ${decoded.error}`, connection);
      return null;
    }
    return this.#isForThisSession(decoded.value, connection) ? decoded.value : null;
  }

  /** Someone else's data must never reach this page, whatever the server (or another tab) says. */
  #isForThisSession(frame: ServerFrame, connection?: Connection): boolean {
    const claimed =
      frame.type === 'welcome' ? frame.consultantId : frame.type === 'snapshot' ? frame.consultant.id : null;
    if (claimed === null) return true;
    this.#consultant ??= claimed;
    if (claimed === this.#consultant) return true;
    this.#store.count('invalidFrames');
    this.#dropped(
      'foreign-frame',
      `${connection?.rung ?? 'relay'}: a frame for another consultant`,
      connection,
    );
    return false;
  }

  #apply(frame: ServerFrame, connection: Connection): void {
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
    const result = this.#store.applyValid(frame);
    this.#relay?.post({ t: 'frame', frame });
    switch (result) {
      case 'snapshot':
        this.#fromScratch = false;
        break;
      case 'duplicate':
        if (frame.type === 'event' && frame.seq > connection.quietDuplicatesThrough) {
          this.#report('duplicate-seq', `${connection.rung}: seq ${frame.seq} arrived twice`);
        }
        break;
      case 'gap':
        if (frame.type === 'heartbeat') this.#suspectGap(frame);
        else {
          this.#report(
            'sequence-gap',
            `${connection.rung}: expected seq ${(this.#store.cursor?.seq ?? 0) + 1}`,
          );
          this.#resync(connection);
        }
        break;
      case 'epoch-changed':
        // The server's log was reset: start over from its snapshot. Not an error.
        this.#fromScratch = true;
        this.#resync(connection);
        break;
    }
  }

  /** A frame was unusable: log it, count it, tell the page once, and fetch what we missed. */
  #dropped(code: string, message: string, connection?: Connection): void {
    console.warn(`FG Live: dropped a frame (${code}): ${message}`);
    this.#report(code, message);
    this.#resync(connection);
  }

  /** Fetches what is missing: a follower from its leader, a connection by resuming from the cursor. */
  #resync(connection?: Connection): void {
    this.#store.count('resyncs');
    if (this.#role === 'follower') this.#askForState();
    else this.#ladder?.resync(connection);
  }

  #suspectGap(head: ServerFrame & { type: 'heartbeat' }): void {
    if (this.#heartbeatGapTimer !== null) return;
    this.#heartbeatGapTimer = this.#runtime.clock.setTimeout(() => {
      this.#heartbeatGapTimer = null;
      const cursor = this.#store.cursor;
      // Caught up meanwhile, or moved to another log: nothing is missing.
      if (!cursor || cursor.epoch !== head.epoch || cursor.seq >= head.seq) return;
      this.#report('sequence-gap', `behind the server's seq ${head.seq}`);
      this.#resync();
    }, HEARTBEAT_GAP_GRACE_MS);
  }

  // ---- followers ----

  #onRelay(message: RelayMessage): void {
    this.#guard(() => {
      if (this.#closed) return;
      if (this.#role === 'leader') {
        if (message.t === 'sync') {
          const { snapshot, status, transport } = this.#store.state;
          this.#relay?.post({ t: 'state', snapshot, status, transport });
        }
        return;
      }
      if (message.t === 'frame') this.#followerFrame(message.frame);
      else if (message.t === 'status') this.#followerStatus(message.status, message.transport);
      else if (message.t === 'state') this.#followerState(message);
    });
  }

  #followerFrame(raw: unknown): void {
    const decoded = this.#store.decode(raw);
    if (!decoded.ok) return this.#dropped('invalid-frame', `relay: ${decoded.error}`);
    const frame = decoded.value;
    if (!this.#isForThisSession(frame)) return;
    this.#armFollowerWatchdog(frame.type === 'welcome' ? frame.heartbeatMs : undefined);
    const result = this.#store.applyValid(frame);
    if (result === 'snapshot') this.#clearSync();
    // A follower resumes by asking the leader, which answers with a snapshot.
    if (result === 'gap' || result === 'epoch-changed') this.#resync();
  }

  #followerStatus(status: ConnectionStatus, transport: TransportName | null): void {
    this.#store.setStatus(status, transport);
    if (status === 'expired') this.#expire();
  }

  #followerState(message: Extract<RelayMessage, { t: 'state' }>): void {
    // Answers go to every tab; one that did not ask has its state already.
    if (!this.#awaitingState && this.#store.snapshot) return;
    this.#clearSync();
    // There is a leader: should this tab lead later, its token will be old by then.
    this.#spareToken = null;
    if (message.snapshot) {
      const checked = decodeSnapshot(message.snapshot);
      if (!checked.ok || checked.value.consultant.id !== this.#consultant) {
        this.#store.count('invalidFrames');
        this.#report('invalid-frame', 'relay: an unusable state');
      } else {
        this.#store.applyValid({ type: 'snapshot', ...checked.value });
      }
    }
    this.#followerStatus(message.status, message.transport);
    this.#armFollowerWatchdog();
  }

  /** A follower hears everything through the leader; silence means the leader's connection (or tab) is stuck. */
  #armFollowerWatchdog(heartbeatMs?: number): void {
    if (heartbeatMs) this.#heartbeatMs = heartbeatMs;
    if (this.#followerWatchdog !== null) this.#runtime.clock.clearTimeout(this.#followerWatchdog);
    this.#followerWatchdog = this.#runtime.clock.setTimeout(
      () => {
        this.#followerWatchdog = null;
        if (this.#role === 'follower' && this.#store.status === 'live') this.#store.setStatus('stale');
      },
      this.#heartbeatMs + (10_000 satisfies typeof Limits.staleGraceMs),
    );
  }

  #askForState(): void {
    this.#awaitingState = true;
    if (this.#syncTimer !== null || this.#closed) return;
    this.#relay?.post({ t: 'sync' });
    this.#syncTimer = this.#runtime.clock.setTimeout(() => {
      this.#syncTimer = null;
      // Unanswered: no leader yet (the lock is on its way to someone), or the request was lost.
      if (this.#role === 'follower' && this.#awaitingState) this.#askForState();
    }, SYNC_RETRY_MS);
  }

  #clearSync(): void {
    this.#awaitingState = false;
    if (this.#syncTimer === null) return;
    this.#runtime.clock.clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
  }

  #cancelFollowerTimers(): void {
    this.#clearSync();
    if (this.#followerWatchdog !== null) this.#runtime.clock.clearTimeout(this.#followerWatchdog);
    this.#followerWatchdog = null;
  }

  // ---- session ----

  #expire(): void {
    this.#store.setStatus('expired', null);
    if (this.#expiredFired || this.#closed) return;
    this.#expiredFired = true;
    const loginUrl = this.#options.loginUrl;
    const event = new CustomEvent<SessionExpiredDetail>('fg-session-expired', {
      detail: { loginUrl },
      bubbles: true,
      composed: true,
      cancelable: true,
    });
    const proceed = this.#dispatch(event);
    if (proceed && loginUrl) this.#runtime.navigate(loginUrl);
  }

  async #markRead(messageId: string): Promise<void> {
    const path = `/api/messages/${encodeURIComponent(messageId)}/read` satisfies ReturnType<
      typeof Paths.markRead
    >;
    const url = endpointUrl(this.#base, path);
    const send = async (token: string) =>
      fetchWithTimeout(
        this.#runtime,
        url,
        { method: 'POST', headers: { Authorization: bearer(token) } },
        REQUEST_TIMEOUT_MS,
        new AbortController(),
      );
    const token = await this.#options.getToken();
    if (!token) throw new Error('FG Live: no session to mark a message read with');
    let response = await send(token);
    if (response.status === 401) {
      // Same rule as the connection: one more token, then give up.
      const fresh = await this.#options.getToken();
      if (fresh && fresh !== token) response = await send(fresh);
    }
    if (!response.ok)
      throw new Error(`FG Live: marking message ${messageId} read failed (HTTP ${response.status})`);
  }

  /** Tells the page about a problem once per kind, until the connection is live again. */
  #report(code: string, message: string): void {
    if (this.#reported.has(code)) return;
    this.#reported.add(code);
    this.#dispatch(
      new CustomEvent<ClientErrorDetail>('fg-error', {
        detail: { code, message },
        bubbles: true,
        composed: true,
      }),
    );
  }

  #dispatch(event: Event): boolean {
    try {
      return this.#target?.dispatchEvent(event) ?? true;
    } catch (error) {
      console.error(error);
      return true;
    }
  }

  /** Nothing a frame does may throw into the page: a bug here is reported, and the connection goes on. */
  #guard<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      console.error('FG Live: internal error while handling a frame', error);
      this.#report('internal-error', describe(error));
      return undefined;
    }
  }
}
