/** Protocol frames for tests: valid by construction, with the story's numbers. */
import type { EventFrame, HeartbeatFrame, Snapshot, SnapshotFrame } from '@fg/protocol';

export function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    epoch: 'e1',
    seq: 10,
    serverTime: 1_700_000_000_000,
    consultant: { id: 'c-story', name: 'Dr. Story', timezone: 'UTC', currency: 'USD', locale: 'en-US' },
    counts: { upcoming: 3, active: 2, completed: 12, familyClients: 6, unreadMessages: 0, tasksDueToday: 1 },
    revenue: { month: '2025-10', amountMinor: 500_000, currency: 'USD' },
    upcoming: [],
    recentMessages: [],
    ...overrides,
  };
}

export function snapshotFrame(overrides: Partial<Snapshot> = {}): SnapshotFrame {
  return { type: 'snapshot', ...snapshot(overrides) };
}

/** A booking event that sets the upcoming count to `upcoming`. */
export function booking(seq: number, upcoming: number, epoch = 'e1'): EventFrame {
  return {
    type: 'event',
    epoch,
    seq,
    at: 1_700_000_000_000 + seq,
    kind: 'consultation.booked',
    subject: { type: 'consultation', id: `k${seq}` },
    patch: {
      counts: { upcoming, active: 2, completed: 12, familyClients: 6, unreadMessages: 0, tasksDueToday: 1 },
    },
  };
}

export function heartbeat(seq: number, epoch = 'e1', serverTime = 1_700_000_000_000): HeartbeatFrame {
  return { type: 'heartbeat', epoch, seq, serverTime };
}

/** Notifications on demand instead of on animation frames. */
export function manualFrames() {
  let queue: Array<() => void> = [];
  return {
    request(callback: () => void) {
      queue.push(callback);
      return () => {
        queue = queue.filter((c) => c !== callback);
      };
    },
    get pending() {
      return queue.length;
    },
    run() {
      const due = queue;
      queue = [];
      for (const callback of due) callback();
    },
  };
}
