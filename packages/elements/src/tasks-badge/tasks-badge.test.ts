import '../define/fg-tasks-badge.js';
import { countBadgeSuite } from '../test/count-badge-suite.js';

countBadgeSuite({
  tag: 'fg-tasks-badge',
  name: 'Tasks due today',
  story: 2,
  busy: 101,
  raise: (script) => script.addTask(),
  unrelated: (script) => script.associateFamily(),
});
