import { css } from 'lit';

export const connectionStatusStyles = css`
  /*
   * At most as wide as its place: what gives way is the age, then (beside the link, on a
   * phone with large text) the status, never the link to sign in again.
   */
  :host {
    display: inline-block;
    max-inline-size: 100%;
    --_live: var(--fg-connection-status-live-color, var(--_success));
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    min-block-size: 2rem;
    max-inline-size: 100%;
    font-size: 0.8125rem;
    white-space: nowrap;
  }
  .indicator {
    flex: none;
    /* Room for the live halo (3px), in every state: the line never moves. */
    margin-inline-start: 3px;
    inline-size: 0.625rem;
    block-size: 0.625rem;
    border-radius: 50%;
    /* Connecting, reconnecting, delayed. */
    background: var(--fg-connection-status-reconnecting-color, var(--_warning));
  }
  .live .indicator {
    background: var(--_live);
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--_live) 25%, transparent);
  }
  .offline .indicator,
  .expired .indicator {
    background: var(--fg-connection-status-offline-color, var(--fg-color-danger, #c72c2c));
  }
  .label,
  .detail {
    min-inline-size: 0;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  /*
   * The status wraps, inside a word if it must, rather than be cut (a reader's text spacing, 200%
   * text): the line is then taller than when it fits. Beside the link it still gives way.
   */
  .label {
    font-weight: 600;
    white-space: normal;
    overflow-wrap: anywhere;
  }
  .expired .label {
    white-space: nowrap;
  }
  .detail {
    /* Takes only the room the others leave: the status gives way only once the age has none. */
    flex: 1 1 0;
    color: var(--_muted);
  }
  a {
    flex: none;
    color: var(--_accent);
    font-weight: 600;
  }
  @media (forced-colors: active) {
    /* In every state (each state's colour is set by a more specific rule). */
    .indicator.indicator {
      forced-color-adjust: none;
      background: CanvasText;
      box-shadow: none;
    }
  }
`;
