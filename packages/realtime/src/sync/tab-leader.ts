/**
 * Leader election between the tabs of one browser, with the Web Locks API: whoever holds
 * the lock owns the one connection. The browser releases the lock when the holding tab
 * closes or crashes, and grants it to the next waiting tab: that is the handover.
 */

export function lockName(endpoint: URL, consultantId: string): string {
  // Endpoint and consultant both: two dashboards for two consultants (or two backends)
  // in one browser must each have their own leader.
  return `fg-live:${endpoint.origin}${endpoint.pathname}:${consultantId}`;
}

/**
 * Waits for the lock, and leads once granted; `onRefused` if the browser will not give it (a
 * sandboxed frame, a policy). Returns the way to give the lock up, or stop waiting for it.
 */
export function electLeader(
  locks: LockManager,
  name: string,
  onLeader: () => void,
  onRefused: () => void,
): () => void {
  const abort = new AbortController();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  locks
    .request(name, { mode: 'exclusive', signal: abort.signal }, () => {
      onLeader();
      // Held until this client closes; the page going away releases it too.
      return held;
    })
    .catch(() => {
      // Aborted while waiting (this client closed before it ever led), or refused.
      if (!abort.signal.aborted) onRefused();
    });
  return () => {
    abort.abort();
    release();
  };
}
