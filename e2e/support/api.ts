import type { SimulateRequest, SimulateResponse, Snapshot, TokenResponse } from '@fg/protocol';

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type SimulateBody = DistributiveOmit<SimulateRequest, 'consultantId'>;

/** What "a family in a separate session" does, through the server's demo routes. */
export class DemoApi {
  constructor(readonly baseUrl: string) {}

  async token(consultantId: string, ttlSeconds = 3600): Promise<TokenResponse> {
    return this.post('/api/demo/token', { consultantId, ttlSeconds });
  }

  async simulate(consultantId: string, body: SimulateBody): Promise<SimulateResponse> {
    return this.post('/api/demo/simulate', { consultantId, ...body });
  }

  async advanceClock(advanceMs: number): Promise<{ now: number }> {
    return this.post('/api/demo/clock', { advanceMs });
  }

  async setClock(setTime: number): Promise<{ now: number }> {
    return this.post('/api/demo/clock', { setTime });
  }

  async now(): Promise<number> {
    const res = await fetch(`${this.baseUrl}/api/demo/clock`);
    return ((await res.json()) as { now: number }).now;
  }

  async snapshot(consultantId: string): Promise<Snapshot> {
    const { token } = await this.token(consultantId);
    const res = await fetch(`${this.baseUrl}/api/dashboard`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`GET /api/dashboard: ${res.status} ${await res.text()}`);
    return (await res.json()) as Snapshot;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}
