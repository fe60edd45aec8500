/**
 * The contexts a `<fg-dashboard-provider>` offers to every widget below it, across
 * shadow roots: the one client (one connection for all widgets) and the display settings.
 *
 * They are `@lit/context` contexts and follow the Web Components Community Group context
 * protocol (a bubbling, composed `context-request` event whose callback the nearest provider
 * answers, again whenever the value changes). The elements speak it through the two small
 * controllers below rather than `@lit/context`'s own, which carry more than they need (the
 * CDN bundle counts every byte); a `ContextConsumer` or `ContextProvider` of `@lit/context`
 * given these contexts works with the elements as before.
 */
import { createContext, type Context } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DashboardClient } from '@fg/realtime';

export const dashboardClientContext = createContext<DashboardClient | undefined>(
  Symbol.for('fg-dashboard-client'),
);

export interface DashboardSettings {
  /** BCP 47 locale for numbers, money and dates; defaults to the consultant's own locale. */
  readonly locale?: string | undefined;
  /** Where a person signs in again after the session expired. */
  readonly loginUrl?: string | undefined;
}

export const dashboardSettingsContext = createContext<DashboardSettings>(Symbol.for('fg-dashboard-settings'));

type Callback<V> = (value: V, unsubscribe?: () => void) => void;

/** The protocol's `context-request` event. */
interface ContextRequest<V> extends Event {
  readonly context: Context<unknown, V>;
  readonly contextTarget?: Element;
  readonly callback: Callback<V>;
  readonly subscribe?: boolean;
}

type Host = ReactiveControllerHost & HTMLElement;

/**
 * Asks the nearest provider above the host for a context on connect and follows its
 * changes until disconnect; each value updates the host and goes to `callback`. It asks
 * again whenever a provider of the context arrives on the page: one that came after the
 * host (a host page's shell rendering it around a slot), or that replaced the one it had,
 * may now be the nearest.
 */
export class ContextConsumer<V> implements ReactiveController {
  /** The value provided, once a provider answered. */
  value: V | undefined;
  private _unsubscribe: (() => void) | undefined;
  private readonly _answer: Callback<V> = (value, unsubscribe) => {
    if (unsubscribe !== this._unsubscribe) this._leave();
    this._unsubscribe = unsubscribe;
    this.value = value;
    this._host.requestUpdate();
    this._callback?.(value);
  };
  private readonly _arrived = (event: Event): void => {
    if ((event as ContextRequest<V>).context === this._context) this._ask();
  };

  constructor(
    private readonly _host: Host,
    private readonly _context: Context<unknown, V>,
    private readonly _callback?: (value: V) => void,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    addEventListener('context-provider', this._arrived);
    this._ask();
  }

  hostDisconnected(): void {
    removeEventListener('context-provider', this._arrived);
    this._leave();
  }

  private _ask(): void {
    this._host.dispatchEvent(
      Object.assign(new Event('context-request', { bubbles: true, composed: true }), {
        context: this._context,
        contextTarget: this._host,
        callback: this._answer,
        subscribe: true,
      }),
    );
  }

  private _leave(): void {
    this._unsubscribe?.();
    this._unsubscribe = undefined;
  }
}

/**
 * Answers the context requests of the elements below the host, and tells its subscribers
 * each new value. It says it arrived (the protocol's `context-provider` event) as the host
 * connects, for those that asked before it was there.
 */
export class ContextProvider<V> implements ReactiveController {
  private readonly _subscribers = new Map<Callback<V>, () => void>();

  constructor(
    private readonly _host: Host,
    private readonly _context: Context<unknown, V>,
    private _value: V,
  ) {
    _host.addController(this);
    _host.addEventListener('context-request', (event) => {
      const { context: wanted, contextTarget, callback, subscribe } = event as ContextRequest<V>;
      if (wanted !== _context || (contextTarget ?? event.composedPath()[0]) === _host) return;
      event.stopPropagation();
      if (!subscribe) return callback(this._value);
      // Asked again by one subscribed already: the same subscription.
      let unsubscribe = this._subscribers.get(callback);
      if (!unsubscribe)
        this._subscribers.set(callback, (unsubscribe = () => this._subscribers.delete(callback)));
      callback(this._value, unsubscribe);
    });
  }

  hostConnected(): void {
    this._host.dispatchEvent(
      Object.assign(new Event('context-provider', { bubbles: true, composed: true }), {
        context: this._context,
        contextTarget: this._host,
      }),
    );
  }

  setValue(value: V): void {
    if (Object.is(value, this._value)) return;
    this._value = value;
    for (const [callback, unsubscribe] of this._subscribers) callback(value, unsubscribe);
  }
}
