/**
 * A backend in the browser, for designers: it keeps a consultant's practice, changes it as
 * families book, write and pay, and sends the widgets the same protocol frames a server
 * would (next `seq`, every touched section whole) through a `createDashboardStore`. The
 * widgets cannot tell it from a live connection, so the "Live" stories need no server.
 */
import { Limits } from '@fg/protocol';
import type {
  EventFrame,
  EventKind,
  MessageItem,
  Patch,
  ServerFrame,
  Snapshot,
  Subject,
  UpcomingItem,
} from '@fg/protocol';
import { createDashboardStore, type DashboardStore } from '@fg/realtime';

const MINUTE = 60_000;

const FAMILIES = [
  'The Okonkwo family',
  'The Lindqvist family',
  'The Haddad family',
  'The Moreau family',
  'The Tanaka family',
  'The Brennan family',
  'The Silva family',
  'The Nowak family',
];
const TOPICS = ['Sleep routines', 'Picky eating', 'Starting school', 'Screen time', 'Big feelings'];
const TEXTS = [
  'Thank you, the tips from Tuesday already help.',
  'Is there a slot earlier in the week?',
  'We tried the bedtime chart, two calm nights so far!',
  'Could you send the notes from our session?',
  'Our son asked if he can come along next time.',
];

export type SimulatedAction =
  'book' | 'message' | 'payment' | 'start' | 'complete' | 'family' | 'task' | 'task-done' | 'recalculate';

/** What the timer plays, in order, again and again: the busy middle of a working day. */
const SCRIPT: readonly SimulatedAction[] = [
  'book',
  'message',
  'payment',
  'task',
  'start',
  'message',
  'family',
  'complete',
  'book',
  'task-done',
  'recalculate',
];

export interface SimulatedBackendOptions {
  /** Where the practice starts; its `seq` is where the event log continues. */
  snapshot: Snapshot;
  /** The server's clock, for `at` and `serverTime`. Default `Date.now`. */
  now?: () => number;
  /** How long a "server" takes to answer mark-as-read with its `message.read` event. */
  latencyMs?: number;
}

export class SimulatedBackend {
  /** The store the widgets read: hand it to `<fg-dashboard-provider>` as `.client`. */
  readonly store: DashboardStore;

  #snapshot: Snapshot;
  /** Every consultation of the practice; `upcoming` shows the first five by start time. */
  #consultations: UpcomingItem[];
  readonly #now: () => number;
  readonly #latencyMs: number;
  /** Frames held back while the connection is down, replayed on resume as a server would. */
  #held: ServerFrame[] | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #step = 0;
  #serial = 0;

  constructor(options: SimulatedBackendOptions) {
    this.#now = options.now ?? Date.now;
    this.#latencyMs = options.latencyMs ?? 120;
    this.#snapshot = options.snapshot;
    this.#consultations = [...options.snapshot.upcoming];
    this.store = createDashboardStore({
      markMessageRead: (id) => this.#markRead(id),
      now: this.#now,
    });
    this.store.receive({ type: 'snapshot', ...this.#snapshot, serverTime: this.#now() });
    this.store.setStatus('live', 'websocket');
  }

  get snapshot(): Snapshot {
    return this.#snapshot;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Plays the script, one change every `intervalMs`, while `alive()` says the page still
   * shows it (a story that was left stops its backend on the next tick).
   */
  start(intervalMs: number, alive: () => boolean = () => true): void {
    this.stop();
    const tick = () => {
      if (!alive()) {
        this.stop();
        this.store.close();
        return;
      }
      this.act(SCRIPT[this.#step++ % SCRIPT.length]!);
      this.#timer = setTimeout(tick, intervalMs);
    };
    this.#timer = setTimeout(tick, intervalMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One change of the practice, committed and sent as its event frame. */
  act(action: SimulatedAction): EventFrame {
    const now = this.#now();
    const { counts, revenue } = this.#snapshot;
    const serial = ++this.#serial;
    const family = FAMILIES[serial % FAMILIES.length]!;
    switch (action) {
      case 'book': {
        const startsAt = now + (30 + (serial % 7) * 25) * MINUTE;
        const item: UpcomingItem = {
          id: `sim-c${serial}`,
          familyName: family,
          title: TOPICS[serial % TOPICS.length]!,
          startsAt: new Date(startsAt).toISOString(),
          endsAt: new Date(startsAt + 50 * MINUTE).toISOString(),
          status: 'scheduled',
        };
        this.#consultations.push(item);
        return this.#commit(
          'consultation.booked',
          { type: 'consultation', id: item.id },
          {
            counts: { ...counts, upcoming: counts.upcoming + 1 },
            upcoming: this.#upcoming(),
          },
        );
      }
      case 'start': {
        const next = this.#sorted().find((c) => c.status === 'scheduled');
        if (!next) return this.act('book');
        this.#consultations = this.#consultations.map((c) =>
          c === next ? { ...c, status: 'active', startsAt: new Date(now).toISOString() } : c,
        );
        return this.#commit(
          'consultation.started',
          { type: 'consultation', id: next.id },
          {
            counts: { ...counts, upcoming: counts.upcoming - 1, active: counts.active + 1 },
            upcoming: this.#upcoming(),
          },
        );
      }
      case 'complete': {
        const done = this.#sorted().find((c) => c.status === 'active');
        if (!done) return this.act('start');
        this.#consultations = this.#consultations.filter((c) => c !== done);
        return this.#commit(
          'consultation.completed',
          { type: 'consultation', id: done.id },
          {
            counts: { ...counts, active: counts.active - 1, completed: counts.completed + 1 },
            upcoming: this.#upcoming(),
          },
        );
      }
      case 'message': {
        const item: MessageItem = {
          id: `sim-m${serial}`,
          familyName: family,
          preview: TEXTS[serial % TEXTS.length]!.slice(0, Limits.messagePreviewChars),
          sentAt: new Date(now).toISOString(),
          read: false,
        };
        return this.#commit(
          'message.received',
          { type: 'message', id: item.id },
          {
            counts: { ...counts, unreadMessages: counts.unreadMessages + 1 },
            recentMessages: [item, ...this.#snapshot.recentMessages].slice(0, Limits.recentMessages),
          },
        );
      }
      case 'payment':
        return this.#commit(
          'payment.completed',
          { type: 'payment', id: `sim-p${serial}` },
          { revenue: { ...revenue, amountMinor: revenue.amountMinor + 15_000 + (serial % 4) * 2_500 } },
        );
      case 'family':
        return this.#commit(
          'family.associated',
          { type: 'family', id: `sim-f${serial}` },
          { counts: { ...counts, familyClients: counts.familyClients + 1 } },
        );
      case 'task':
        return this.#commit(
          'task.created',
          { type: 'task', id: `sim-t${serial}` },
          { counts: { ...counts, tasksDueToday: counts.tasksDueToday + 1 } },
        );
      case 'task-done':
        if (counts.tasksDueToday === 0) return this.act('task');
        return this.#commit(
          'task.completed',
          { type: 'task', id: `sim-t${serial}` },
          { counts: { ...counts, tasksDueToday: counts.tasksDueToday - 1 } },
        );
      case 'recalculate':
        // The server recounts and finds the same numbers: shown quietly, never announced.
        return this.#commit(
          'metrics.recalculated',
          { type: 'consultant', id: this.#snapshot.consultant.id },
          { counts: { ...counts } },
        );
    }
  }

  /** Many changes in one go, as after a busy minute: order kept, only messages and bookings announced. */
  burst(size = 12): void {
    for (let i = 0; i < size; i++) this.act(SCRIPT[this.#step++ % SCRIPT.length]!);
  }

  /** The connection drops: changes keep happening on the server and arrive on `resume()`. */
  drop(status: 'reconnecting' | 'stale' | 'offline' = 'reconnecting'): void {
    this.#held ??= [];
    this.store.setStatus(status, null);
  }

  /** The connection is back: what happened meanwhile is replayed in order, then it is live. */
  resume(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const frame of held) this.store.receive(frame);
    this.store.setStatus('live', 'websocket');
  }

  /** The session ends and no fresh token comes: nothing more arrives, the state stays. */
  expire(): void {
    this.stop();
    this.#held = [];
    this.store.setStatus('expired', null);
  }

  #commit(kind: EventKind, subject: Subject, patch: Patch): EventFrame {
    const seq = this.#snapshot.seq + 1;
    const at = this.#now();
    this.#snapshot = { ...this.#snapshot, ...patch, seq, serverTime: at };
    const frame: EventFrame = { type: 'event', epoch: this.#snapshot.epoch, seq, at, kind, subject, patch };
    this.#send(frame);
    return frame;
  }

  #send(frame: ServerFrame): void {
    if (this.#held) this.#held.push(frame);
    else this.store.receive(frame);
  }

  async #markRead(id: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    const message = this.#snapshot.recentMessages.find((m) => m.id === id);
    if (!message || message.read) return;
    const { counts } = this.#snapshot;
    this.#commit(
      'message.read',
      { type: 'message', id },
      {
        counts: { ...counts, unreadMessages: Math.max(0, counts.unreadMessages - 1) },
        recentMessages: this.#snapshot.recentMessages.map((m) => (m.id === id ? { ...m, read: true } : m)),
      },
    );
  }

  #sorted(): UpcomingItem[] {
    return [...this.#consultations].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  }

  #upcoming(): UpcomingItem[] {
    return this.#sorted().slice(0, Limits.upcomingItems);
  }
}
