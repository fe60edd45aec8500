import { css } from 'lit';

export const recentMessagesStyles = css`
  :host {
    --_row: var(--fg-recent-messages-row-height, 4.5rem);
    container-type: inline-size;
  }
  .card {
    background: var(--fg-recent-messages-background, var(--_surface));
  }
  .scroller {
    block-size: var(--fg-recent-messages-height, calc(3 * var(--_row)));
  }
  [role='listitem'],
  .row {
    /* The action's column widens for a reader's text spacing rather than cut the button short. */
    grid-template-columns: 0.625rem minmax(0, 1fr) minmax(7rem, max-content);
    grid-template-rows: 1.375rem 1.375rem;
    grid-template-areas: 'dot family time' '. preview action';
    column-gap: 0.5rem;
    row-gap: 0.25rem;
  }
  .dot {
    grid-area: dot;
    align-self: center;
    inline-size: 0.5rem;
    block-size: 0.5rem;
    border-radius: 50%;
  }
  [part~='item-unread'] .dot {
    background: var(--fg-recent-messages-unread-color, var(--_accent));
  }
  .family {
    grid-area: family;
    font-weight: 500;
  }
  [part~='item-unread'] .family {
    font-weight: 700;
  }
  time {
    grid-area: time;
    /* Its column's width is the action's: the time's text never moves it. */
    contain: inline-size;
    font-size: 0.8125rem;
    color: var(--_muted);
    line-height: 1.375rem;
  }
  .preview {
    grid-area: preview;
    color: var(--_muted);
  }
  /* Without an action (read, or the session expired), the preview runs to the end of its row. */
  [role='listitem']:not(:has(button)) .preview {
    grid-column: 2 / -1;
  }
  [part~='item-unread'] .preview {
    color: var(--_text);
  }
  button {
    grid-area: action;
    background: var(--fg-recent-messages-action-background, var(--_surface));
    color: var(--fg-recent-messages-action-color, var(--_accent));
    cursor: pointer;
  }
  button:hover {
    background: var(--_sunken);
  }
  [part~='mark-read-failed'] {
    color: var(--fg-color-danger, #c72c2c);
    border-color: currentColor;
  }
  button[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.6;
  }
  /*
   * Narrow (a phone with large text): who wrote (on up to two lines), when, the text and the
   * button each take the whole width, in taller rows. Their height depends on the width,
   * never on the data.
   */
  @container (width < 20rem) {
    .card {
      --_row: var(--fg-recent-messages-row-height, 9.5rem);
    }
    [role='listitem'],
    .row {
      grid-template-columns: 0.625rem minmax(0, 1fr);
      /* The button's track grows into the row's spare height if its text wraps (below). */
      grid-template-rows: repeat(4, 1.375rem) minmax(1.75rem, auto);
      grid-template-areas: 'dot family' '. family' '. time' '. preview' 'action action';
    }
    /* Never wider than the row: under a reader's text spacing its words wrap rather than go (over the chip's nowrap). */
    button.chip {
      max-inline-size: 100%;
      white-space: normal;
    }
    .family {
      display: -webkit-box;
      -webkit-box-orient: vertical;
      -webkit-line-clamp: 2;
      white-space: normal;
      overflow-wrap: anywhere;
      line-height: 1.375rem;
    }
  }
  .row .skeleton:first-child {
    grid-area: family;
    inline-size: 50%;
  }
  .row .skeleton + .skeleton {
    grid-area: preview;
    inline-size: 80%;
  }
  @media (forced-colors: active) {
    [part~='item-unread'] .dot {
      forced-color-adjust: none;
      background: CanvasText;
    }
  }
`;
