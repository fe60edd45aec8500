import { LitElement, css, html, type PropertyValues } from 'lit';
import { TRANSPORTS, type TransportName } from '@fg/protocol/frames';
import {
  createDashboardClient,
  tokenSubject,
  webPage,
  type DashboardClient,
  type DashboardClientOptions,
} from '@fg/realtime';
import { ContextProvider, dashboardClientContext, dashboardSettingsContext } from '../context.js';

function parseTransports(value: string | undefined): TransportName[] | undefined {
  const names = value
    ?.split(/[\s,]+/)
    .filter((name): name is TransportName => (TRANSPORTS as readonly string[]).includes(name));
  return names?.length ? names : undefined;
}

const subjectOf = (token: string | undefined) => (token ? tokenSubject(token) : null);

/**
 * @summary Connects the dashboard widgets inside it to a backend: one client, one
 * connection, shared by every widget through context, across shadow roots.
 *
 * Give it an `endpoint` and a `token` (or a `getToken` function) and it creates the client
 * itself once it has both (a page script may set `getToken` after the elements are defined),
 * closing it when removed from the page; or hand it a ready `client` (any
 * `DashboardClient`, such as a store fed by hand in tests and stories). A new `token` for
 * the same consultant is used at the next connect; one for another consultant (the JWT
 * `sub`) starts a new client, so nothing of the last consultant's dashboard stays on screen.
 *
 * @slot - The widgets, at any depth.
 *
 * @fires {CustomEvent<SessionExpiredDetail>} fg-session-expired - The session ended and no fresh
 * token came. Cancelable: its default action sends the page to `login-url`.
 * @fires {CustomEvent<ClientErrorDetail>} fg-error - The client met something it could not use
 * (a malformed frame, a failed request).
 */
export class FgDashboardProvider extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;
  static override properties = {
    endpoint: {},
    token: {},
    loginUrl: { attribute: 'login-url' },
    transports: {},
    locale: {},
    getToken: { attribute: false },
    // An accessor: Lit wraps it, so a change requests an update, and a value set before the
    // element upgraded is not lost.
    client: { attribute: false },
  };

  private readonly _clientProvider = new ContextProvider(this, dashboardClientContext, undefined);
  private readonly _settingsProvider = new ContextProvider(this, dashboardSettingsContext, {});

  /** Base URL of the backend, e.g. `https://api.example.com`. */
  declare endpoint: string | undefined;

  /** A Bearer token for the backend; `getToken` wins when both are set. */
  declare token: string | undefined;

  /** Where a person signs in again when the session expired. */
  declare loginUrl: string | undefined;

  /** The transport ladder, highest rung first, e.g. `"websocket sse polling"`. */
  declare transports: string | undefined;

  /** Locale for numbers, money and dates; defaults to the consultant's own. */
  declare locale: string | undefined;

  /** Called before each connect and when the session needs a fresh token. */
  declare getToken: DashboardClientOptions['getToken'] | undefined;

  /** The client the widgets use: the one given, or the one the provider created. */
  get client(): DashboardClient | undefined {
    return this._given ?? this._owned;
  }
  set client(value: DashboardClient | undefined) {
    this._given = value;
  }

  private _given: DashboardClient | undefined;
  private _owned: DashboardClient | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A provider moved elsewhere in the page reconnects in the same task: keep its client.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this._closeOwned();
      // Widgets slotted into it from outside stay on the page: none keeps a client it no
      // longer gives (another consultant's, perhaps, where a new provider comes).
      this._clientProvider.setValue(undefined);
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale') || changed.has('loginUrl')) {
      this._settingsProvider.setValue({ locale: this.locale, loginUrl: webPage(this.loginUrl) });
    }
    const recreate =
      changed.has('endpoint') ||
      changed.has('transports') ||
      (changed.has('token') &&
        // A session that ended, or one of another consultant: nothing of the last one may show.
        (this._owned?.status === 'expired' || subjectOf(changed.get('token')) !== subjectOf(this.token)));
    // The provider owns a client while it is connected, has an endpoint and was given no client.
    const endpoint = !this._given && this.isConnected && this.endpoint;
    if (!endpoint || recreate) this._closeOwned();
    // Nor a token nor getToken yet: the page has not said (a script sets getToken after the
    // elements are defined). Asked now, the client would find no session and end it.
    if (endpoint && !this._owned && (this.getToken || this.token !== undefined)) {
      // Read as the session ends: a new login-url keeps the client and its connection.
      const loginUrl = () => this.loginUrl;
      this._owned = createDashboardClient({
        endpoint,
        getToken: () => (this.getToken ? this.getToken() : (this.token ?? null)),
        transports: parseTransports(this.transports),
        get loginUrl() {
          return loginUrl();
        },
        // The client's events (bubbling, composed) leave from the provider itself.
        eventTarget: this,
      });
    }
    this._clientProvider.setValue(this.client);
  }

  override render() {
    return html`<slot></slot>`;
  }

  private _closeOwned(): void {
    this._owned?.close();
    this._owned = undefined;
  }
}
