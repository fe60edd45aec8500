/**
 * Prometheus text exposition of what an operator watches: open connections per transport,
 * events per kind, commit-to-send latency, authentication failures per reason, and the age
 * of the oldest event committed but not yet written to some connection (the delivery alarm).
 */
import { EVENT_KINDS, TRANSPORTS, type TransportName } from '@fg/protocol';

export const AUTH_FAILURE_REASONS = [
  'missing',
  'malformed',
  'bad-signature',
  'expired',
  'unknown-consultant',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** Seconds; fine at the low end, where a healthy loopback delivery lives. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) {
        this.counts[i]!++;
        break;
      }
    }
  }
}

/** Live values the registry reads at scrape time instead of tracking them itself. */
export interface MetricsGauges {
  connections(): Record<TransportName, number>;
  /** Age in ms of the oldest committed event not yet written to a connection, 0 when none. */
  oldestUnsentMs(): number;
  /** Whether this node has its database connection. */
  databaseUp(): boolean;
  /** Whether this node runs the scheduler (exactly one node does). */
  schedulerLeader(): boolean;
}

export class Metrics {
  private readonly events = new Map<string, number>(EVENT_KINDS.map((k) => [k, 0]));
  private readonly authFailures = new Map<string, number>(AUTH_FAILURE_REASONS.map((r) => [r, 0]));
  private readonly closes = new Map<number, number>();
  private readonly latency = new Map<TransportName, Histogram>(TRANSPORTS.map((t) => [t, new Histogram()]));
  private gauges: MetricsGauges | undefined;

  setGauges(gauges: MetricsGauges): void {
    this.gauges = gauges;
  }

  eventCommitted(kind: string): void {
    this.events.set(kind, (this.events.get(kind) ?? 0) + 1);
  }

  authFailed(reason: AuthFailureReason): void {
    this.authFailures.set(reason, (this.authFailures.get(reason) ?? 0) + 1);
  }

  webSocketClosed(code: number): void {
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
  }

  /** `committedAt` is a `performance.now()` reading taken right after the commit. */
  eventSent(transport: TransportName, committedAt: number): void {
    this.latency.get(transport)!.observe(Math.max(0, performance.now() - committedAt) / 1000);
  }

  authFailureCount(reason: AuthFailureReason): number {
    return this.authFailures.get(reason) ?? 0;
  }

  render(): string {
    const out: string[] = [];
    const connections = this.gauges?.connections();
    out.push('# HELP fg_connections Open real-time connections by transport.');
    out.push('# TYPE fg_connections gauge');
    for (const t of TRANSPORTS) out.push(`fg_connections{transport="${t}"} ${connections?.[t] ?? 0}`);

    out.push('# HELP fg_events_total Events committed, by kind.');
    out.push('# TYPE fg_events_total counter');
    for (const [kind, n] of this.events) out.push(`fg_events_total{kind="${kind}"} ${n}`);

    out.push('# HELP fg_auth_failures_total Refused tokens, by reason.');
    out.push('# TYPE fg_auth_failures_total counter');
    for (const [reason, n] of this.authFailures) out.push(`fg_auth_failures_total{reason="${reason}"} ${n}`);

    out.push('# HELP fg_commit_to_send_seconds Time from an event commit to its write on a connection.');
    out.push('# TYPE fg_commit_to_send_seconds histogram');
    for (const [transport, h] of this.latency) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += h.counts[i]!;
        out.push(`fg_commit_to_send_seconds_bucket{transport="${transport}",le="${le}"} ${cumulative}`);
      });
      out.push(`fg_commit_to_send_seconds_bucket{transport="${transport}",le="+Inf"} ${h.count}`);
      out.push(`fg_commit_to_send_seconds_sum{transport="${transport}"} ${h.sum}`);
      out.push(`fg_commit_to_send_seconds_count{transport="${transport}"} ${h.count}`);
    }

    out.push(
      '# HELP fg_oldest_unsent_event_age_seconds Age of the oldest committed event not yet written to a connection (max over connections).',
    );
    out.push('# TYPE fg_oldest_unsent_event_age_seconds gauge');
    out.push(`fg_oldest_unsent_event_age_seconds ${(this.gauges?.oldestUnsentMs() ?? 0) / 1000}`);

    out.push('# HELP fg_database_up 1 while this node has its database connection, else 0.');
    out.push('# TYPE fg_database_up gauge');
    out.push(`fg_database_up ${this.gauges?.databaseUp() === false ? 0 : 1}`);
    out.push('# HELP fg_scheduler_leader 1 on the one node that runs time-driven changes, else 0.');
    out.push('# TYPE fg_scheduler_leader gauge');
    out.push(`fg_scheduler_leader ${this.gauges?.schedulerLeader() ? 1 : 0}`);

    out.push('# HELP fg_websocket_closes_total WebSocket connections closed by the server, by close code.');
    out.push('# TYPE fg_websocket_closes_total counter');
    for (const [code, n] of this.closes) out.push(`fg_websocket_closes_total{code="${code}"} ${n}`);
    return out.join('\n') + '\n';
  }
}
