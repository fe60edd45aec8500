/**
 * Real protocol frames for tests and stories, valid by construction. `DashboardScript`
 * plays a backend: it holds the dashboard, changes it as the server would, and hands out
 * the event frames (next seq, whole patched sections) a client receives.
 */
import { Limits } from '@fg/protocol';
import type {
  Consultant,
  Counts,
  EventFrame,
  EventKind,
  MessageItem,
  Patch,
  Snapshot,
  SnapshotFrame,
  Subject,
  UpcomingItem,
} from '@fg/protocol';

/** The tests' "now": Wednesday 15 October 2025, 10:00 in New York. */
export const NOW = Date.UTC(2025, 9, 15, 14, 0, 0);
const MIN = 60_000;

export const CONSULTANT: Consultant = {
  id: 'c-story',
  name: 'Dr. Maya Chen',
  timezone: 'America/New_York',
  currency: 'USD',
  locale: 'en-US',
};

const iso = (ms: number) => new Date(ms).toISOString();

export function upcomingItem(index: number, overrides: Partial<UpcomingItem> = {}): UpcomingItem {
  const startsAt = NOW + (45 + index * 60) * MIN;
  return {
    id: `u${index}`,
    familyName: `The Family ${index}`,
    title: 'Sleep routines',
    startsAt: iso(startsAt),
    endsAt: iso(startsAt + 50 * MIN),
    status: 'scheduled',
    ...overrides,
  };
}

export function messageItem(index: number, overrides: Partial<MessageItem> = {}): MessageItem {
  return {
    id: `m${index}`,
    familyName: `The Writers ${index}`,
    preview: `Message number ${index}`,
    sentAt: iso(NOW - (index + 1) * 30 * MIN),
    read: true,
    ...overrides,
  };
}

/** The story's consultant: 3 upcoming, 2 active, $5,000 this month, 6 families, 0 unread. */
export function storySnapshot(): Snapshot {
  return {
    epoch: 'e1',
    seq: 40,
    serverTime: NOW,
    consultant: CONSULTANT,
    counts: { upcoming: 3, active: 2, completed: 14, familyClients: 6, unreadMessages: 0, tasksDueToday: 2 },
    revenue: { month: '2025-10', amountMinor: 500_000, currency: 'USD' },
    upcoming: [
      upcomingItem(0, {
        id: 'a1',
        familyName: 'The Johnson family',
        startsAt: iso(NOW - 20 * MIN),
        endsAt: iso(NOW + 90 * MIN),
        status: 'active',
      }),
      upcomingItem(1, {
        id: 'a2',
        familyName: 'The Patel family',
        startsAt: iso(NOW - 10 * MIN),
        endsAt: iso(NOW + 90 * MIN),
        status: 'active',
      }),
      upcomingItem(2, { id: 's1', familyName: 'The Garcia family', startsAt: iso(NOW + 45 * MIN) }),
      upcomingItem(3, { id: 's2', familyName: 'The Kim family', startsAt: iso(NOW + 26 * 60 * MIN) }),
      upcomingItem(4, { id: 's3', familyName: 'The Novak family', startsAt: iso(NOW + 72 * 60 * MIN) }),
    ],
    recentMessages: [
      messageItem(0, { familyName: 'The Abara family', preview: 'See you tomorrow.' }),
      messageItem(1, { familyName: 'The Kim family', preview: 'The new bedtime routine is working!' }),
      messageItem(2, { familyName: 'The Patel family', preview: 'Could we bring our daughter?' }),
    ],
  };
}

/** A consultant with nothing at all yet. */
export function emptySnapshot(): Snapshot {
  return {
    ...storySnapshot(),
    seq: 0,
    consultant: { ...CONSULTANT, id: 'c-empty', name: 'Sam Rivera' },
    counts: { upcoming: 0, active: 0, completed: 0, familyClients: 0, unreadMessages: 0, tasksDueToday: 0 },
    revenue: { month: '2025-10', amountMinor: 0, currency: 'USD' },
    upcoming: [],
    recentMessages: [],
  };
}

/** A consultant past every cap: more than 99 of everything. */
export function busySnapshot(): Snapshot {
  return {
    ...storySnapshot(),
    consultant: { ...CONSULTANT, id: 'c-busy', name: 'Dr. Busy' },
    counts: {
      upcoming: 120,
      active: 104,
      completed: 1500,
      familyClients: 230,
      unreadMessages: 150,
      tasksDueToday: 101,
    },
  };
}

export class DashboardScript {
  snapshot: Snapshot;

  constructor(snapshot: Snapshot = storySnapshot()) {
    this.snapshot = snapshot;
  }

  snapshotFrame(): SnapshotFrame {
    return { type: 'snapshot', ...this.snapshot, serverTime: NOW };
  }

  /** A family books: the item joins the first five if it is soon enough. */
  book(item: UpcomingItem): EventFrame {
    const upcoming = [...this.snapshot.upcoming, item]
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
      .slice(0, Limits.upcomingItems);
    return this.event(
      'consultation.booked',
      { type: 'consultation', id: item.id, familyName: item.familyName, startsAt: item.startsAt },
      {
        counts: this.counts({ upcoming: this.snapshot.counts.upcoming + 1 }),
        upcoming,
      },
    );
  }

  /** A scheduled consultation reaches its start time. */
  start(id: string): EventFrame {
    const { counts } = this.snapshot;
    return this.event(
      'consultation.started',
      { type: 'consultation', id },
      {
        counts: this.counts({ upcoming: counts.upcoming - 1, active: counts.active + 1 }),
        upcoming: this.snapshot.upcoming.map((u) => (u.id === id ? { ...u, status: 'active' as const } : u)),
      },
    );
  }

  /** A family writes: the message goes on top, unread. */
  message(item: MessageItem): EventFrame {
    return this.event(
      'message.received',
      { type: 'message', id: item.id },
      {
        counts: this.counts({ unreadMessages: this.snapshot.counts.unreadMessages + 1 }),
        recentMessages: [{ ...item, read: false }, ...this.snapshot.recentMessages].slice(
          0,
          Limits.recentMessages,
        ),
      },
    );
  }

  markRead(id: string): EventFrame {
    return this.event(
      'message.read',
      { type: 'message', id },
      {
        counts: this.counts({ unreadMessages: Math.max(0, this.snapshot.counts.unreadMessages - 1) }),
        recentMessages: this.snapshot.recentMessages.map((m) => (m.id === id ? { ...m, read: true } : m)),
      },
    );
  }

  payment(amountMinor: number): EventFrame {
    const { revenue } = this.snapshot;
    return this.event(
      'payment.completed',
      { type: 'payment', id: `p${this.snapshot.seq + 1}` },
      {
        revenue: { ...revenue, amountMinor: revenue.amountMinor + amountMinor },
      },
    );
  }

  associateFamily(): EventFrame {
    return this.event(
      'family.associated',
      { type: 'family', id: `f${this.snapshot.seq + 1}` },
      {
        counts: this.counts({ familyClients: this.snapshot.counts.familyClients + 1 }),
      },
    );
  }

  addTask(): EventFrame {
    return this.event(
      'task.created',
      { type: 'task', id: `t${this.snapshot.seq + 1}` },
      {
        counts: this.counts({ tasksDueToday: this.snapshot.counts.tasksDueToday + 1 }),
      },
    );
  }

  completeConsultation(): EventFrame {
    const { counts } = this.snapshot;
    const done = this.snapshot.upcoming.find((u) => u.status === 'active');
    return this.event(
      'consultation.completed',
      { type: 'consultation', id: done?.id ?? 'none' },
      {
        counts: this.counts({ active: Math.max(0, counts.active - 1), completed: counts.completed + 1 }),
        upcoming: this.snapshot.upcoming.filter((u) => u !== done),
      },
    );
  }

  /** The consultant's day turns: no task is due today any more (a low-priority recalculation). */
  recalculate(): EventFrame {
    return this.event(
      'metrics.recalculated',
      { type: 'consultant', id: this.snapshot.consultant.id },
      { counts: this.counts({ tasksDueToday: 0 }) },
    );
  }

  private counts(change: Partial<Counts>): Counts {
    return { ...this.snapshot.counts, ...change };
  }

  private event(kind: EventKind, subject: Subject, patch: Patch): EventFrame {
    const seq = this.snapshot.seq + 1;
    const at = NOW + seq;
    this.snapshot = { ...this.snapshot, ...patch, seq };
    return { type: 'event', epoch: this.snapshot.epoch, seq, at, kind, subject, patch };
  }
}
