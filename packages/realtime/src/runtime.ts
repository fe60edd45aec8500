/// <reference lib="dom" preserve="true" />
/**
 * Everything the client takes from its surroundings, in one place, so tests can run the
 * whole client on a clock they advance by hand and count the sockets it opens.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Wall clock, ms since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface Runtime {
  readonly clock: Clock;
  /** In [0, 1): backoff jitter. */
  readonly random: () => number;
  readonly WebSocket: typeof WebSocket;
  readonly fetch: typeof fetch;
  /** Where `online`/`offline` fire (the window). */
  readonly window: EventTarget | null;
  /** Where `visibilitychange` fires and `visibilityState` is read. */
  readonly document: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'> | null;
  readonly isOnline: () => boolean;
  /** Web Locks; null where the browser has none (every tab then connects for itself). */
  readonly locks: LockManager | null;
  readonly BroadcastChannel: typeof BroadcastChannel | null;
  /** The default action of `fg-session-expired`. */
  readonly navigate: (url: string) => void;
}

export const realClock: Clock = {
  // Looked up at each call, as the timers are: a test's fake clock installed later is used.
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function browserRuntime(overrides?: Partial<Runtime>): Runtime {
  // Optional reads off the global object: a worker or a server has no window, document or navigator.
  const nav = globalThis.navigator as Navigator | undefined;
  return {
    clock: realClock,
    random: Math.random,
    WebSocket: globalThis.WebSocket,
    // Bound: calling an unbound `fetch` off another object throws "Illegal invocation".
    fetch: (input, init) => fetch(input, init),
    window: globalThis.window ?? null,
    document: globalThis.document ?? null,
    isOnline: () => nav?.onLine !== false,
    locks: nav?.locks ?? null,
    BroadcastChannel: globalThis.BroadcastChannel ?? null,
    navigate: (url) => globalThis.location?.assign(url),
    ...overrides,
  };
}

/**
 * Follows the page: `network(online)` as the browser says `online` or `offline`, and
 * `visible()` when the page is shown again. Returns the way to stop following it.
 */
export function watchPage(
  runtime: Runtime,
  network: (online: boolean) => void,
  visible: () => void,
): () => void {
  const connectivity = (event: Event) => network(event.type === 'online');
  const visibility = () => {
    if (runtime.document?.visibilityState === 'visible') visible();
  };
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    runtime.window?.[method]('online', connectivity);
    runtime.window?.[method]('offline', connectivity);
    runtime.document?.[method]('visibilitychange', visibility);
  };
  listen('addEventListener');
  return () => listen('removeEventListener');
}

/** Named one-shot timers on a clock, at most one per name. */
export interface Timers<Name extends string> {
  /** The names set and not fired or cleared yet. */
  readonly _pending: Partial<Record<Name, TimerHandle>>;
  /** Runs `callback` in `ms`, replacing the timer of that name. */
  _after(name: Name, ms: number, callback: () => void): void;
  /** Clears the named timers; with no names, every pending one. */
  _clear(...names: Name[]): void;
}

export function timers<Name extends string>(clock: Clock): Timers<Name> {
  const pending: Partial<Record<Name, TimerHandle>> = {};
  const clear = (...names: Name[]) => {
    for (const name of names.length ? names : (Object.keys(pending) as Name[])) {
      // A host's clock is given back only its own handles.
      if (name in pending) clock.clearTimeout(pending[name]);
      delete pending[name];
    }
  };
  return {
    _pending: pending,
    _clear: clear,
    _after(name, ms, callback) {
      clear(name);
      pending[name] = clock.setTimeout(() => {
        delete pending[name];
        callback();
      }, ms);
    },
  };
}
