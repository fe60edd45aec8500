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
 * The tab holding the lock `name`, by its Web Locks `clientId` ('' where the browser names
 * none); null if none holds it; undefined where Web Locks cannot tell.
 */
export async function lockHolder(
  locks: LockManager | null,
  name: string,
): Promise<string | null | undefined> {
  if (!locks?.query) return undefined;
  return locks.query().then(
    ({ held = [] }) => {
      const found = held.find((request) => request.name === name);
      return found ? (found.clientId ?? '') : null;
    },
    () => undefined,
  );
}

export interface Election {
  /** Gives the lock up, or stops waiting for it. */
  _resign(): void;
  /**
   * Takes the lock from the tab that holds it, which answers nothing (a dialog or a busy
   * script blocks it): that tab hears it was deposed when it runs again. Settles once this
   * tab leads, or the lock could not be taken.
   */
  _steal(): Promise<void>;
}

/**
 * Whether the browser refuses this page the lock (a sandboxed frame, a policy), rather than
 * dropping one request: WebKit rejects the lock held, and every request waiting, with an
 * `AbortError` as it puts the page in its back/forward cache.
 */
const refused = (error: unknown): boolean => (error as { name?: unknown } | null)?.name !== 'AbortError';

/**
 * Waits for the lock, and leads once granted; `onRefused` if the browser will not give it (a
 * sandboxed frame, a policy); `onLost` if another tab took it while this one led, or the
 * browser let go of the lock or of the request (a page put in the back/forward cache). One
 * election leads once: a tab that lost its lock or its place joins a new one.
 */
export function electLeader(
  locks: LockManager,
  name: string,
  onLeader: () => void,
  onRefused: () => void,
  onLost: () => void,
): Election {
  const waiting = new AbortController();
  let resigned = false;
  let led = false;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const ask = (options: LockOptions): Promise<void> =>
    new Promise((settled) => {
      locks
        .request(name, options, () => {
          // Not if granted once this tab gave up its place (the grant's task queued behind a
          // page restored from the back/forward cache), nor twice (its own request and a
          // take-over racing it): the lock then goes back at once, or stays held once.
          if (!resigned && !led) {
            led = true;
            onLeader();
          }
          settled();
          // Held until this client closes; the page going away releases it too.
          return held;
        })
        .catch((error: unknown) => {
          settled();
          // Given up, or stopped waiting to take it instead: nothing to tell.
          if (resigned || options.signal?.aborted) return;
          if (led || !refused(error)) onLost();
          else onRefused();
        });
    });
  void ask({ mode: 'exclusive', signal: waiting.signal });
  return {
    _resign() {
      resigned = true;
      waiting.abort();
      release();
    },
    _steal() {
      if (led || resigned) return Promise.resolve();
      waiting.abort();
      return ask({ mode: 'exclusive', steal: true });
    },
  };
}
