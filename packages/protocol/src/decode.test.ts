/// <reference types="mocha" />
import { expect } from '@open-wc/testing';
import { decodeServerFrame, decodeSnapshot, formatCursor, parseCursor, parseServerFrame } from './frames.js';
import { ServerFrameSchema, SnapshotSchema } from './schemas.js';
import { validate } from './validate.js';

const snapshot = {
  epoch: 'e-1_a',
  seq: 10,
  serverTime: 1_700_000_000_000,
  consultant: { id: 'c1', name: 'Dr. Story', timezone: 'Europe/Paris', currency: 'EUR', locale: 'fr-FR' },
  counts: { upcoming: 3, active: 2, completed: 12, familyClients: 6, unreadMessages: 1, tasksDueToday: 0 },
  revenue: { month: '2026-11', amountMinor: -500, currency: 'EUR' },
  upcoming: [
    {
      id: 'k1',
      familyName: 'Ada',
      title: 'Intro',
      startsAt: '2026-11-26T10:00:00.000Z',
      endsAt: '2026-11-26T10:30:00+01:00',
      status: 'scheduled',
    },
  ],
  recentMessages: [
    { id: 'm1', familyName: 'Ada', preview: 'Hi', sentAt: '2026-11-26T09:00:00Z', read: false },
  ],
};

const valid: Record<string, unknown>[] = [
  { type: 'snapshot', ...snapshot },
  {
    type: 'event',
    epoch: 'e1',
    seq: 11,
    at: 5,
    kind: 'message.received',
    subject: { type: 'message', id: 'm2' },
    patch: { counts: snapshot.counts, recentMessages: snapshot.recentMessages },
  },
  {
    type: 'event',
    epoch: 'e1',
    seq: 1,
    at: 0,
    kind: 'metrics.recalculated',
    subject: { type: 'consultant', id: 'c1' },
    patch: {},
  },
  {
    type: 'welcome',
    consultantId: 'c1',
    epoch: 'e1',
    seq: 0,
    heartbeatMs: 15000,
    tokenExpiresAt: 9,
    serverTime: 9,
  },
  { type: 'heartbeat', epoch: 'e1', seq: 0, serverTime: 1 },
  { type: 'pong', id: '', serverTime: 1 },
  { type: 'error', code: 'busy', message: 'try later' },
  {
    type: 'event',
    epoch: 'e1',
    seq: 12,
    at: 6,
    kind: 'consultation.booked',
    subject: {
      type: 'consultation',
      id: 'k9',
      familyName: 'The Kim family',
      startsAt: '2026-12-24T09:00:00.000Z',
    },
    patch: { counts: snapshot.counts },
  },
];

/** Each changes one thing in a valid frame (`valid[index]`) so that the frame is invalid. */
type Invalid = [string, number, (frame: Record<string, unknown>) => unknown];
const invalid: Invalid[] = [
  ['an unknown type', 4, (f) => ({ ...f, type: 'launch-missiles' })],
  ['no type', 4, ({ type: _type, ...f }) => f],
  ['not an object', 4, () => 'heartbeat'],
  ['null', 4, () => null],
  ['a missing field', 4, ({ serverTime: _s, ...f }) => f],
  ['a negative seq', 1, (f) => ({ ...f, seq: -4 })],
  ['seq 0 on an event', 1, (f) => ({ ...f, seq: 0 })],
  ['a fractional seq', 4, (f) => ({ ...f, seq: 1.5 })],
  ['a seq as text', 1, (f) => ({ ...f, seq: '11' })],
  ['NaN', 4, (f) => ({ ...f, serverTime: NaN })],
  ['an epoch with a colon', 4, (f) => ({ ...f, epoch: 'bad:epoch' })],
  ['an empty epoch', 4, (f) => ({ ...f, epoch: '' })],
  ['an unknown kind', 1, (f) => ({ ...f, kind: 'consultation.exploded' })],
  ['an inherited name as kind', 1, (f) => ({ ...f, kind: 'toString' })],
  ['an unknown subject type', 1, (f) => ({ ...f, subject: { type: 'planet', id: 'x' } })],
  ['an empty subject id', 1, (f) => ({ ...f, subject: { type: 'message', id: '' } })],
  [
    'a subject that starts at no time',
    7,
    (f) => ({ ...f, subject: { type: 'consultation', id: 'k9', startsAt: 'Tuesday' } }),
  ],
  [
    'a subject family name of 201 characters',
    7,
    (f) => ({ ...f, subject: { type: 'consultation', id: 'k9', familyName: 'x'.repeat(201) } }),
  ],
  ['an unknown patch section', 1, (f) => ({ ...f, patch: { consultant: snapshot.consultant } })],
  ['an inherited name as a patch section', 1, (f) => ({ ...f, patch: { constructor: {} } })],
  ['__proto__ as a patch section', 1, (f) => ({ ...f, patch: JSON.parse('{"__proto__": {}}') })],
  ['a patch that is null', 1, (f) => ({ ...f, patch: null })],
  ['a partial counts section', 1, (f) => ({ ...f, patch: { counts: { upcoming: 1 } } })],
  ['an upcoming list with a hole (an object, not JSON)', 0, (f) => ({ ...f, upcoming: Array(1) })],
  [
    'a message list with a hole after an item (an object, not JSON)',
    0,
    (f) => ({ ...f, recentMessages: Object.assign(Array(2), { 0: snapshot.recentMessages[0] }) }),
  ],
  ['six upcoming items', 0, (f) => ({ ...f, upcoming: Array(6).fill(snapshot.upcoming[0]) })],
  ['four messages', 0, (f) => ({ ...f, recentMessages: Array(4).fill(snapshot.recentMessages[0]) })],
  ['a bad status', 0, (f) => ({ ...f, upcoming: [{ ...snapshot.upcoming[0], status: 'done' }] })],
  ['a bad time', 0, (f) => ({ ...f, upcoming: [{ ...snapshot.upcoming[0], startsAt: '2026-11-26' }] })],
  ...[
    '2026-11-26 10:00:00Z',
    '2026-11-26T10:00:00+01',
    '2026-11-26T10:00:00+0100',
    '2026-11-26T10:00:00 +01:00',
  ].map((sentAt): Invalid => [
    `a time that browsers do not all read (${sentAt})`,
    0,
    (f) => ({ ...f, recentMessages: [{ ...snapshot.recentMessages[0], sentAt }] }),
  ]),
  ...['2026-02-29T10:00:00Z', '2026-02-31T10:00:00Z', '2026-04-31T23:00:00-01:00'].map(
    (startsAt): Invalid => [
      `a day its month does not have (${startsAt}), which only some browsers read, as another day`,
      0,
      (f) => ({ ...f, upcoming: [{ ...snapshot.upcoming[0], startsAt }] }),
    ],
  ),
  ['read as text', 0, (f) => ({ ...f, recentMessages: [{ ...snapshot.recentMessages[0], read: 'no' }] })],
  [
    'a long preview',
    0,
    (f) => ({ ...f, recentMessages: [{ ...snapshot.recentMessages[0], preview: 'x'.repeat(141) }] }),
  ],
  ['a bad month', 0, (f) => ({ ...f, revenue: { ...snapshot.revenue, month: '2026-13' } })],
  ['a bad currency', 0, (f) => ({ ...f, consultant: { ...snapshot.consultant, currency: 'eur' } })],
  ['a short locale', 0, (f) => ({ ...f, consultant: { ...snapshot.consultant, locale: 'f' } })],
  ['a fractional amount', 0, (f) => ({ ...f, revenue: { ...snapshot.revenue, amountMinor: 0.5 } })],
  ['heartbeatMs 0', 3, (f) => ({ ...f, heartbeatMs: 0 })],
  ['a long error message', 6, (f) => ({ ...f, message: 'x'.repeat(501) })],
];

describe('decodeServerFrame', () => {
  it('accepts what the schemas accept, with the same value', () => {
    for (const frame of valid) {
      const reference = validate(ServerFrameSchema, frame);
      const decoded = decodeServerFrame(frame);
      expect(reference.ok, JSON.stringify(frame)).to.equal(true);
      expect(decoded).to.deep.equal(reference);
    }
  });

  for (const [what, index, change] of invalid) {
    it(`rejects ${what}, like the schemas`, () => {
      const frame = change(valid[index]!);
      expect(validate(ServerFrameSchema, frame).ok).to.equal(false);
      const decoded = decodeServerFrame(frame);
      expect(decoded.ok).to.equal(false);
      if (!decoded.ok) expect(decoded.error).to.be.a('string').and.not.equal('');
    });
  }

  it('drops unknown keys, as valibot objects do', () => {
    const decoded = decodeServerFrame({ ...valid[4], extra: 1 });
    expect(decoded).to.deep.equal({ ok: true, value: valid[4] });
  });

  it('names the path of the first problem', () => {
    const decoded = decodeServerFrame({ ...valid[1], patch: { counts: { ...snapshot.counts, active: -1 } } });
    expect(decoded.ok ? '' : decoded.error).to.match(/^patch\.counts\.active: /);
  });

  it("accepts a date and time only as this browser's Date reads it", () => {
    for (const sentAt of [
      '2026-11-26T15:00:00Z',
      '2026-11-26T15:00:00.5Z',
      '2026-11-26T15:00:00.123-08:00',
      '2026-11-26T15:00:00.123456789+05:30',
      '2028-02-29T15:00:00Z',
      '2000-02-29T15:00:00Z',
      '2026-12-31T23:59:59-12:00',
    ]) {
      const frame = { ...snapshot, recentMessages: [{ ...snapshot.recentMessages[0], sentAt }] };
      expect(decodeSnapshot(frame).ok, sentAt).to.equal(true);
      expect(Number.isNaN(Date.parse(sentAt)), sentAt).to.equal(false);
    }
  });

  it('checks a snapshot without its type', () => {
    expect(decodeSnapshot(snapshot)).to.deep.equal(validate(SnapshotSchema, snapshot));
    expect(decodeSnapshot({ ...snapshot, seq: -1 }).ok).to.equal(false);
  });
});

describe('parseServerFrame', () => {
  it('parses text and never throws', () => {
    expect(parseServerFrame(JSON.stringify(valid[4]))).to.deep.equal({ ok: true, value: valid[4] });
    expect(parseServerFrame('{not json')).to.deep.equal({ ok: false, error: 'malformed JSON' });
    expect(parseServerFrame('null').ok).to.equal(false);
  });
});

describe('cursors', () => {
  it('round-trips and rejects anything else', () => {
    expect(parseCursor(formatCursor({ epoch: 'e-1_a', seq: 42 }))).to.deep.equal({ epoch: 'e-1_a', seq: 42 });
    for (const text of [
      null,
      undefined,
      '',
      'e1',
      ':4',
      'e1:',
      'e1:-1',
      'e1:1.5',
      'a:b:1',
      'e1:1234567890123456',
    ]) {
      expect(parseCursor(text), String(text)).to.equal(null);
    }
  });
});
