import { EVENT_PRIORITY } from '@fg/protocol/frames';
import type { ServerFrame, Snapshot } from '@fg/protocol/frames';
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
  const outcome = (result: ReceiveResult, snapshot = current, event?: AppliedEvent): ApplyOutcome => ({
    result,
    snapshot,
    event,
  });
  const { type } = frame;
  if (type === 'snapshot') {
    // An older view of the same log (a slow poll answering late) must not roll state back.
    if (current && frame.epoch === current.epoch && frame.seq < current.seq) return outcome('duplicate');
    const { type: _type, ...snapshot } = frame;
    return outcome(type, freezeDeep(snapshot));
  }
  // welcome, pong and error carry no dashboard state.
  if (type !== 'event' && type !== 'heartbeat') return outcome('ignored');
  const event = type === 'event';
  // With nothing to patch, any event is a gap: the client must fetch a snapshot first.
  if (!current) return outcome(event ? 'gap' : 'ignored');
  if (frame.epoch !== current.epoch) return outcome('epoch-changed');
  // A heartbeat names the head of the log: being behind it means something went missing.
  if (!event) return outcome(frame.seq > current.seq ? 'gap' : 'ignored');
  const { seq } = frame;
  if (seq <= current.seq) return outcome('duplicate');
  if (seq > current.seq + 1) return outcome('gap');
  // Each section in a patch is whole: replace, never merge, so the client cannot drift
  // from the server's computation. (A decoded patch holds only the sections it names.) A
  // section sent again unchanged (a booking after the first five still sends them) keeps its
  // reference, so a view that shows it has nothing to render.
  const next: Record<string, unknown> = { ...current, ...frame.patch, seq };
  for (const key in frame.patch) {
    const was = current[key as keyof Snapshot];
    if (JSON.stringify(next[key]) === JSON.stringify(was)) next[key] = was;
  }
  return outcome(
    'applied',
    freezeDeep(next as Snapshot),
    freezeDeep({
      seq,
      kind: frame.kind,
      subject: { ...frame.subject },
      priority: EVENT_PRIORITY[frame.kind],
      at: frame.at,
    }),
  );
}

/** State is shared by reference with every view; freezing turns an accidental mutation into an error. */
function freezeDeep<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) freezeDeep((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
