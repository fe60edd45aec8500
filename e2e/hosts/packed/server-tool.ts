// A Node tool with no DOM (lib ES2023 only): the store in a test or a script on a server.
import { createDashboardStore } from '@fg/realtime';
import type { Snapshot } from '@fg/protocol/frames';

const store = createDashboardStore();
export const seq: Snapshot['seq'] | undefined = store.state.snapshot?.seq;
