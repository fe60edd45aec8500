import '../define/fg-completed-count.js';
import { countBadgeSuite } from '../test/count-badge-suite.js';

countBadgeSuite({
  tag: 'fg-completed-count',
  name: 'Completed consultations',
  story: 14,
  busy: 1500,
  raise: (script) => script.completeConsultation(),
  unrelated: (script) => script.payment(1_000),
});
