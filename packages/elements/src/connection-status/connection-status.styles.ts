import { css } from 'lit';

export const connectionStatusStyles = css`
  /*
   * At most as wide as its place: what gives way is the age; the link to sign in again moves
   * to a line of its own where it does not fit beside the status.
   */
  :host {
    display: inline-block;
    max-inline-size: 100%;
    --_live: var(--fg-connection-status-live-color, var(--_success));
  }
  /*
   * The status and the link wrap, inside a word if they must, rather than be cut (a reader's
   * text spacing, 200% text): the line is then taller than when it fits. Expired, the link
   * takes a line of its own where it does not fit beside the status.
   */
  .status {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    min-block-size: 2rem;
    max-inline-size: 100%;
    font-size: 0.8125rem;
    overflow-wrap: anywhere;
  }
  /*
   * A line the link moves to starts under the status's words, not under the dot: the dot sits
   * in the padding (its halo's 3px, itself and a gap), pulled there by a negative margin.
   */
  .expired {
    flex-wrap: wrap;
    padding-inline-start: calc(1.125rem + 3px);
  }
  .expired .indicator {
    margin-inline-start: -1.125rem;
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
  .label,
  a {
    font-weight: 600;
  }
  .expired .label {
    /* Leaves its line room for a gap after it: the link, not the status, moves on. */
    max-inline-size: calc(100% - 0.5rem);
  }
  .detail {
    /* Takes only the room the others leave. */
    flex: 1 1 0;
    color: var(--_muted);
    white-space: nowrap;
  }
  a {
    flex: none;
    max-inline-size: 100%;
    color: var(--_accent);
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
