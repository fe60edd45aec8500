import { EVENT_PRIORITY } from '@fg/protocol/frames';
import type { EventFrame, ServerFrame, Snapshot } from '@fg/protocol/frames';
import type { AppliedEvent, ReceiveResult } from '../types.js';

export interface ApplyOutcome {
  readonly result: ReceiveResult;
  /** The state after the frame: the same reference when the frame changed nothing. */
  readonly snapshot: Snapshot | null;
  /** Set when an event was applied. */
  readonly event?: AppliedEvent;
}

/**
 * The apply rules, as a pure function of the current snapshot and one valid frame.
 * Sequence numbers are law: a frame is applied only when it is exactly the next one,
 * so state is never half-applied and never reordered.
 */
export function applyFrame(current: Snapshot | null, frame: ServerFrame): ApplyOutcome {
  switch (frame.type) {
    case 'snapshot': {
      // An older view of the same log (a slow poll answering late) must not roll state back.
      if (current && frame.epoch === current.epoch && frame.seq < current.seq) {
        return { result: 'duplicate', snapshot: current };
      }
      const { type: _type, ...snapshot } = frame;
      return { result: 'snapshot', snapshot: freezeDeep(snapshot) };
    }
    case 'event':
      return applyEvent(current, frame);
    case 'heartbeat':
      if (!current) return { result: 'ignored', snapshot: current };
      if (frame.epoch !== current.epoch) return { result: 'epoch-changed', snapshot: current };
      // The heartbeat names the head of the log: being behind it means something went missing.
      if (frame.seq > current.seq) return { result: 'gap', snapshot: current };
      return { result: 'ignored', snapshot: current };
    default:
      // welcome, pong and error carry no dashboard state.
      return { result: 'ignored', snapshot: current };
  }
}

function applyEvent(current: Snapshot | null, frame: EventFrame): ApplyOutcome {
  // With nothing to patch, any event is a gap: the client must fetch a snapshot first.
  if (!current) return { result: 'gap', snapshot: current };
  if (frame.epoch !== current.epoch) return { result: 'epoch-changed', snapshot: current };
  if (frame.seq <= current.seq) return { result: 'duplicate', snapshot: current };
  if (frame.seq > current.seq + 1) return { result: 'gap', snapshot: current };

  // Each section in a patch is whole: replace, never merge, so the client cannot drift
  // from the server's computation.
  const { patch } = frame;
  const next: Snapshot = { ...current, seq: frame.seq };
  if (patch.counts) next.counts = freezeDeep(patch.counts);
  if (patch.revenue) next.revenue = freezeDeep(patch.revenue);
  if (patch.upcoming) next.upcoming = freezeDeep(patch.upcoming);
  if (patch.recentMessages) next.recentMessages = freezeDeep(patch.recentMessages);
  const event: AppliedEvent = Object.freeze({
    seq: frame.seq,
    kind: frame.kind,
    subject: Object.freeze({ ...frame.subject }),
    priority: EVENT_PRIORITY[frame.kind],
    at: frame.at,
  });
  return { result: 'applied', snapshot: Object.freeze(next), event };
}

/** State is shared by reference with every view; freezing turns an accidental mutation into an error. */
function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) freezeDeep((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
