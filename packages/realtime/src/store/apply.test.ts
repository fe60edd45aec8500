import { expect } from '@open-wc/testing';
import type { Snapshot } from '@fg/protocol/frames';
import { applyFrame } from './apply.js';
import { booking, heartbeat, snapshot, snapshotFrame } from '../test/frames.js';

describe('applyFrame', () => {
  const current = Object.freeze(snapshot({ seq: 10 }));

  it('applies exactly the next seq, replacing the patched sections whole', () => {
    const outcome = applyFrame(current, booking(11, 4));
    expect(outcome.result).to.equal('applied');
    expect(outcome.snapshot!.seq).to.equal(11);
    expect(outcome.snapshot!.counts.upcoming).to.equal(4);
    // Untouched sections keep their identity, so views of them do not re-render.
    expect(outcome.snapshot!.revenue).to.equal(current.revenue);
    expect(outcome.event).to.include({ seq: 11, kind: 'consultation.booked', priority: 'high' });
  });

  it('keeps the reference of a patched section that came again unchanged, and replaces one that changed', () => {
    const upcoming: Snapshot['upcoming'] = [
      {
        id: 'k1',
        familyName: 'The Okonkwo family',
        title: 'Intake',
        startsAt: '2025-10-02T10:00:00.000Z',
        endsAt: '2025-10-02T11:00:00.000Z',
        status: 'scheduled',
      },
    ];
    const before = Object.freeze(snapshot({ seq: 10, upcoming }));
    const frame = booking(11, 4);
    const outcome = applyFrame(before, {
      ...frame,
      patch: { ...frame.patch, upcoming: upcoming.map((item) => ({ ...item })) },
    });
    expect(outcome.result).to.equal('applied');
    expect(outcome.snapshot!.upcoming).to.equal(before.upcoming);
    expect(outcome.snapshot!.counts).to.not.equal(before.counts);
    expect(outcome.snapshot!.counts.upcoming).to.equal(4);
    const moved = applyFrame(before, {
      ...frame,
      patch: { upcoming: [{ ...upcoming[0]!, status: 'active' }] },
    });
    expect(moved.snapshot!.upcoming).to.not.equal(before.upcoming);
    expect(moved.snapshot!.upcoming[0]!.status).to.equal('active');
  });

  it('drops a seq at or below the current one as a duplicate', () => {
    for (const seq of [10, 9, 1]) {
      const outcome = applyFrame(current, booking(seq, 99));
      expect(outcome.result).to.equal('duplicate');
      expect(outcome.snapshot).to.equal(current);
    }
  });

  it('reports a gap for a seq beyond the next one and leaves state untouched', () => {
    const outcome = applyFrame(current, booking(12, 99));
    expect(outcome.result).to.equal('gap');
    expect(outcome.snapshot).to.equal(current);
  });

  it('reports an epoch change for an event of another log', () => {
    expect(applyFrame(current, booking(11, 4, 'e2')).result).to.equal('epoch-changed');
  });

  it('treats any event before the first snapshot as a gap', () => {
    expect(applyFrame(null, booking(1, 1)).result).to.equal('gap');
  });

  it('replaces state with a snapshot, even from a new epoch', () => {
    const outcome = applyFrame(current, snapshotFrame({ epoch: 'e2', seq: 3 }));
    expect(outcome.result).to.equal('snapshot');
    expect(outcome.snapshot).to.include({ epoch: 'e2', seq: 3 });
    expect(outcome.snapshot).not.to.have.property('type');
  });

  it('does not roll back to an older snapshot of the same log', () => {
    const outcome = applyFrame(current, snapshotFrame({ seq: 8 }));
    expect(outcome.result).to.equal('duplicate');
    expect(outcome.snapshot).to.equal(current);
  });

  it('reads a heartbeat ahead of the state as a gap, and one of another epoch as an epoch change', () => {
    expect(applyFrame(current, heartbeat(10)).result).to.equal('ignored');
    expect(applyFrame(current, heartbeat(11)).result).to.equal('gap');
    expect(applyFrame(current, heartbeat(10, 'e2')).result).to.equal('epoch-changed');
  });

  it('freezes what it produces', () => {
    const next = applyFrame(current, booking(11, 4)).snapshot!;
    expect(Object.isFrozen(next)).to.equal(true);
    expect(Object.isFrozen(next.counts)).to.equal(true);
    expect(() => {
      (next.counts as { upcoming: number }).upcoming = 0;
    }).to.throw(TypeError);
  });
});
