import '../define/fg-unread-badge.js';
import { countBadgeSuite } from '../test/count-badge-suite.js';
import { messageItem } from '../test/frames.js';

countBadgeSuite({
  tag: 'fg-unread-badge',
  name: 'Unread messages',
  story: 0,
  busy: 150,
  raise: (script) => script.message(messageItem(script.snapshot.seq, { id: `n${script.snapshot.seq}` })),
  unrelated: (script) => script.addTask(),
});
