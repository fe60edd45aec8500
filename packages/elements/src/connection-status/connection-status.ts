import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type { ConnectionStatus, DashboardState } from '@fg/realtime';
import { ClockController, FormatController } from '../format.js';
import { StoreController, shallowEqual } from '../store-controller.js';
import { widgetStyles } from '../styles.js';
import { connectionStatusStyles } from './connection-status.styles.js';

const select = (state: DashboardState) => ({
  consultant: state.snapshot?.consultant,
  status: state.status,
  // Only a line that is not live shows the age: while live, frames change it on every event.
  lastHeardAt: state.status === 'live' || state.status === 'connecting' ? null : state.lastHeardAt,
});

const LABELS: Readonly<Record<ConnectionStatus, string>> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stale: 'Updates delayed',
  offline: 'Offline',
  expired: 'Session expired',
};

/**
 * @summary Whether the dashboard is current: "Live", "Reconnecting…", "Updates delayed"
 * (nothing heard for a while), "Offline" or "Session expired", with how long ago the last
 * update arrived when it is not live, and a link to sign in again once the session expired.
 *
 * It is not a live region: `<fg-live-region>` announces the changes worth hearing.
 *
 * @csspart base - The whole status line (a group named "Connection").
 * @csspart indicator - The colored dot.
 * @csspart label - The state in words.
 * @csspart detail - "updated 12 sec. ago".
 * @csspart login-link - "Sign in again", when the session expired and a login URL is known.
 *
 * @cssproperty --fg-connection-status-live-color - Defaults to `--fg-color-success`.
 * @cssproperty --fg-connection-status-reconnecting-color - Also for connecting and delayed; defaults to `--fg-color-warning`.
 * @cssproperty --fg-connection-status-offline-color - Also for an expired session; defaults to `--fg-color-danger`.
 */
export class FgConnectionStatus extends LitElement {
  static override styles = [widgetStyles, connectionStatusStyles];

  private readonly _view = new StoreController(this, select, shallowEqual);
  private readonly _format = new FormatController(this);
  private readonly _clock = new ClockController(this, 0);

  protected override willUpdate(_changed: PropertyValues<this>): void {
    // Only a line that shows an age (see `select`) needs the clock, and then every second.
    this._clock.granularity = this._view.value.lastHeardAt === null ? 0 : 1000;
  }

  override render() {
    const { consultant, status, lastHeardAt } = this._view.value;
    const loginUrl = this._format.settings.value?.loginUrl;
    const format = this._format.for(consultant);
    return html`
      <span class="status ${status}" part="base" role="group" aria-label="Connection">
        <span class="indicator" part="indicator"></span>
        <span class="label" part="label">${LABELS[status]}</span>
        ${
          lastHeardAt !== null
            ? html`<span class="detail" part="detail"
                >· updated
                <span lang=${format.locale}>${format.elapsed(lastHeardAt, this._clock.now)}</span></span
              >`
            : nothing
        }
        ${
          status === 'expired' && loginUrl
            ? html`<a part="login-link" href=${loginUrl}>Sign in again</a>`
            : nothing
        }
      </span>
    `;
  }
}
