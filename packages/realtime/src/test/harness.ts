import { createDashboardClient, type ClientEnvironment } from '../client.js';
import type {
  ClientErrorDetail,
  ConnectionStatus,
  DashboardClient,
  DashboardClientOptions,
} from '../types.js';
import { ManualClock } from './manual-clock.js';
import { expect } from '@open-wc/testing';
import { serverSnapshot, token, until } from './server.js';

/** A client on a manual clock with no jitter, recording what it tells the page. */
export interface Harness {
  readonly client: DashboardClient;
  readonly clock: ManualClock;
  readonly errors: ClientErrorDetail[];
  readonly statuses: ConnectionStatus[];
  readonly events: EventTarget;
  readonly navigations: string[];
  close(): void;
}

export function harness(
  options: Partial<DashboardClientOptions> & { endpoint: string; consultant?: string },
  environment: ClientEnvironment = {},
): Harness {
  const clock = new ManualClock();
  const events = new EventTarget();
  const errors: ClientErrorDetail[] = [];
  const statuses: ConnectionStatus[] = [];
  const navigations: string[] = [];
  events.addEventListener('fg-error', (event) =>
    errors.push((event as CustomEvent<ClientErrorDetail>).detail),
  );
  const consultant = options.consultant ?? 'c-story';
  const client = createDashboardClient(
    { getToken: () => token(consultant), tabSync: false, eventTarget: events, ...options },
    // random 0: every backoff is zero and probes come at half their ceiling, so only the
    // clock decides when things happen.
    { clock, random: () => 0, navigate: (url) => navigations.push(url), ...environment },
  );
  client.addEventListener('status', () => statuses.push(client.status));
  return { client, clock, errors, statuses, events, navigations, close: () => client.close() };
}

/** Waits until the client holds exactly the server's dashboard for `consultant`. */
export async function expectCurrent(client: DashboardClient, consultant = 'c-story'): Promise<void> {
  const server = await serverSnapshot(consultant);
  await until(() => client.state.snapshot?.seq === server.seq, `seq ${server.seq}`);
  expect({ ...client.state.snapshot, serverTime: 0 }).to.deep.equal({ ...server, serverTime: 0 });
}
