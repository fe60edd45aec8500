/**
 * `GET /api/ws`. The token arrives in the first frame (`hello`, within the hello timeout),
 * never in the URL. Then: `welcome`, the replay after the client's cursor (or a snapshot),
 * live events, heartbeats, `pong`s. Every refusal sends an `error` frame and closes with the
 * protocol's code; at the token's expiry the socket closes with 4401.
 */
import type { WebSocket } from 'ws';
import {
  CloseCode,
  ErrorCode,
  Limits,
  parseClientFrame,
  type HelloFrame,
  type WelcomeFrame,
} from '@fg/protocol';
import type { Auth } from '../auth.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { ConsultantRow, Consultants } from '../db/consultants.js';
import type { OutEvent } from '../db/eventlog.js';
import { AppError } from '../errors.js';
import { Stream, type Feed, type Outgoing } from '../feed.js';
import type { Connection, Hub } from '../hub.js';
import type { Metrics } from '../metrics.js';
import { PendingSends } from './pending.js';
import { TokenBucket } from './rate.js';

export interface WebSocketDeps {
  auth: Auth;
  feed: Feed;
  hub: Hub;
  consultants: Consultants;
  clock: Clock;
  /** False while this node has lost its database: new clients are sent elsewhere (1013). */
  healthy(): boolean;
  metrics: Metrics;
  helloTimeoutMs: number;
  /** A client this far behind (bytes queued on its socket) is closed with 1013. */
  maxBufferedBytes: number;
  /**
   * This node's sockets waiting for their hello (`count`), and how many may (`max`): more are
   * refused (503) before the upgrade.
   */
  awaitingHello: { count: number; readonly max: number };
}

type State = 'hello' | 'authenticating' | 'attaching' | 'open' | 'closed';

/** Close reasons are limited to 123 bytes by the WebSocket protocol. */
function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

function isHelloWithoutToken(text: string): boolean {
  try {
    const raw = JSON.parse(text) as { type?: unknown; token?: unknown } | null;
    return raw?.type === 'hello' && (raw.token === undefined || raw.token === '' || raw.token === null);
  } catch {
    return false;
  }
}

/** The subscriber side of an authenticated connection. */
class WebSocketStream extends Stream {
  readonly transport = 'websocket' as const;

  constructor(
    feed: Feed,
    consultant: ConsultantRow,
    private readonly socket: WebSocketConnection,
  ) {
    super(feed, consultant);
  }

  protected live(): boolean {
    return this.socket.live();
  }

  protected sendEvent(event: OutEvent): void {
    this.socket.sendEvent(event);
  }

  protected sendSnapshot(frame: Outgoing): void {
    this.socket.sendFrame(frame);
  }

  protected lost(): void {
    this.socket.unavailable();
  }

  heartbeat(json: string): void {
    this.socket.heartbeat(json);
  }

  oldestUnsent(): number | undefined {
    return this.socket.oldestUnsent();
  }

  shutdown(): void {
    this.socket.shutdown();
  }

  unavailable(): void {
    this.socket.unavailable();
  }
}

export class WebSocketConnection implements Connection {
  readonly transport = 'websocket' as const;
  private state: State = 'hello';
  private stream: WebSocketStream | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  private expiryTimer: TimerHandle | undefined;
  private forceTimer: NodeJS.Timeout | undefined;
  private readonly bucket = new TokenBucket(
    Limits.maxClientFramesPerSecond,
    2 * Limits.maxClientFramesPerSecond,
  );
  /** Frames that arrived while the hello's token was being verified. */
  private queued: string[] = [];
  /** Commit times of events handed to the socket and not yet written, oldest first. */
  private readonly unsent = new PendingSends();

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: WebSocketDeps,
  ) {
    deps.awaitingHello.count++;
    deps.hub.add(this);
    this.helloTimer = setTimeout(
      () => this.fail(CloseCode.helloTimeout, ErrorCode.helloTimeout, 'No hello frame in time'),
      deps.helloTimeoutMs,
    );
  }

  /** Open (or opening) for frames. */
  live(): boolean {
    return this.state === 'attaching' || this.state === 'open';
  }

  oldestUnsent(): number | undefined {
    return this.unsent.oldest();
  }

  receive(data: unknown): void {
    if (this.state === 'closed') return;
    if (typeof data !== 'string') {
      this.fail(CloseCode.malformed, ErrorCode.malformed, 'Frames must be JSON text');
      return;
    }
    if (Buffer.byteLength(data) > Limits.maxClientFrameBytes) {
      this.fail(CloseCode.malformed, ErrorCode.tooLarge, `Frame over ${Limits.maxClientFrameBytes} bytes`);
      return;
    }
    if (!this.bucket.take()) {
      this.fail(CloseCode.rateLimited, ErrorCode.rateLimited, 'Too many frames');
      return;
    }
    if (this.state === 'authenticating' || this.state === 'attaching') this.queued.push(data);
    else this.handle(data);
  }

  private handle(text: string): void {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      if (this.state === 'hello' && isHelloWithoutToken(text)) {
        // A hello with no token is an authentication failure (counted), not just bad syntax.
        void this.authenticate({ type: 'hello', token: '', since: null });
        return;
      }
      this.fail(CloseCode.malformed, ErrorCode.malformed, `Invalid frame: ${parsed.error}`);
      return;
    }
    const frame = parsed.value;
    if (frame.type === 'hello') {
      if (this.state !== 'hello') {
        this.fail(CloseCode.malformed, ErrorCode.malformed, 'Only one hello per connection');
        return;
      }
      void this.authenticate(frame);
      return;
    }
    if (this.state !== 'open') {
      this.fail(CloseCode.malformed, ErrorCode.malformed, 'The first frame must be hello');
      return;
    }
    // Pongs queue like events: a client that keeps pinging yet reads nothing is let go the same way.
    if (this.tooFarBehind()) return;
    this.send(JSON.stringify({ type: 'pong', id: frame.id, serverTime: this.deps.clock.now() }));
  }

  private async authenticate(hello: HelloFrame): Promise<void> {
    this.state = 'authenticating';
    this.deps.awaitingHello.count--;
    // The hello came in time: a check that takes longer (a cold lookup on a busy database) is
    // this server's trouble, not the network's, and a 4408 would send the client off WebSocket.
    // The database's own timeouts bound the check, and answer 1013 (try again) past them.
    clearTimeout(this.helloTimer);
    let consultant: ConsultantRow | undefined;
    let expiresAt: number;
    try {
      const result = await this.deps.auth.verify(hello.token);
      if (this.state !== 'authenticating') return; // closed meanwhile
      if (!result.ok) {
        const code = result.reason === 'expired' ? ErrorCode.authExpired : ErrorCode.unauthenticated;
        this.fail(CloseCode.unauthenticated, code, result.message);
        return;
      }
      consultant = await this.deps.consultants.get(result.principal.consultantId);
      expiresAt = result.principal.expiresAt;
    } catch {
      this.unavailable();
      return;
    }
    if (this.state !== 'authenticating') return;
    if (!consultant) {
      this.fail(CloseCode.unauthenticated, ErrorCode.unauthenticated, 'The token names no known consultant');
      return;
    }
    if (!this.deps.healthy()) {
      this.unavailable();
      return;
    }
    this.state = 'attaching';

    // Subscribe first, then read where the client stands: the stream holds what is
    // committed meanwhile and sends it after the replay, without duplicates.
    const stream = new WebSocketStream(this.deps.feed, consultant, this);
    this.deps.hub.remove(this);
    this.stream = stream;
    let attached;
    try {
      attached = await this.deps.feed.attach(stream, consultant, hello.since);
    } catch (error) {
      // Too many connections of this consultant already, or the database did not answer.
      if (error instanceof AppError && error.status === 429)
        this.fail(CloseCode.rateLimited, ErrorCode.rateLimited, error.message);
      else this.unavailable();
      return;
    }
    if (this.state !== 'attaching') return;
    const welcome: WelcomeFrame = {
      type: 'welcome',
      consultantId: consultant.id,
      epoch: attached.head.epoch,
      seq: attached.head.seq,
      heartbeatMs: this.deps.hub.heartbeatMs,
      tokenExpiresAt: expiresAt,
      serverTime: this.deps.clock.now(),
    };
    this.send(JSON.stringify(welcome));
    for (const frame of attached.frames) this.sendFrame(frame);
    this.state = 'open';
    stream.open(attached.head);

    this.expiryTimer = this.deps.clock.setTimer(expiresAt, () =>
      this.fail(CloseCode.unauthenticated, ErrorCode.authExpired, 'The token has expired'),
    );
    const queued = this.queued;
    this.queued = [];
    for (const text of queued) if (this.state === 'open') this.handle(text);
  }

  /** A live event, in seq order after what was sent. */
  sendEvent(event: OutEvent): void {
    if (!this.live() || this.tooFarBehind()) return;
    this.sendFrame({
      type: 'event',
      epoch: event.epoch,
      seq: event.seq,
      json: event.json,
      committedAt: event.committedAt,
    });
  }

  heartbeat(json: string): void {
    if (this.state === 'open' && !this.tooFarBehind()) this.send(json);
  }

  /** More is queued on the socket than a client may fall behind: it is closed with 1013, to resume. */
  private tooFarBehind(): boolean {
    if (this.ws.bufferedAmount <= this.deps.maxBufferedBytes) return false;
    this.fail(CloseCode.overloaded, ErrorCode.overloaded, 'Too far behind; reconnect and resume');
    return true;
  }

  sendFrame(frame: Outgoing): void {
    const committedAt = frame.committedAt;
    if (committedAt === undefined) {
      this.send(frame.json);
      return;
    }
    this.unsent.push(committedAt);
    this.ws.send(frame.json, (error) => {
      this.unsent.shift();
      if (!error) this.deps.metrics.eventSent('websocket', committedAt);
    });
  }

  private send(json: string): void {
    this.ws.send(json);
  }

  /** Refuses or ends the connection: an `error` frame, then the close code. */
  fail(code: number, errorCode: string, message: string): void {
    if (this.state === 'closed') return;
    if (this.ws.readyState === this.ws.OPEN) {
      // The message may quote the client's frame: it is cut to what the protocol allows.
      const text = message.slice(0, Limits.errorMessageChars);
      this.send(JSON.stringify({ type: 'error', code: errorCode, message: text }));
    }
    this.close(code, message);
  }

  shutdown(): void {
    this.close(CloseCode.goingAway, 'Server shutting down');
  }

  /** This node cannot reach its database: the client reconnects, through the balancer, elsewhere. */
  unavailable(): void {
    this.fail(CloseCode.overloaded, ErrorCode.overloaded, 'This server lost its database; reconnect');
  }

  private close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.deps.metrics.webSocketClosed(code);
    this.cleanup();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) {
      this.ws.close(code, closeReason(reason));
      // A peer that never answers the close handshake is cut off rather than waited for.
      this.forceTimer = setTimeout(() => this.ws.terminate(), 2_000);
      this.forceTimer.unref();
      this.ws.once('close', () => clearTimeout(this.forceTimer));
    }
  }

  /** The socket closed (either side). */
  closed(): void {
    this.cleanup();
    clearTimeout(this.forceTimer);
  }

  private cleanup(): void {
    if (this.state === 'closed') return;
    if (this.state === 'hello') this.deps.awaitingHello.count--;
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    if (this.expiryTimer) this.deps.clock.clearTimer(this.expiryTimer);
    this.queued = [];
    this.deps.hub.remove(this);
    if (this.stream) this.deps.hub.remove(this.stream);
  }
}
