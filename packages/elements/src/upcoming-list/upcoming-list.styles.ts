import { css } from 'lit';

export const upcomingListStyles = css`
  :host {
    --_row: var(--fg-upcoming-list-row-height, 3.75rem);
    container-type: inline-size;
  }
  .card {
    background: var(--fg-upcoming-list-background, var(--_surface));
  }
  .scroller {
    block-size: var(--fg-upcoming-list-height, calc(5 * var(--_row)));
  }
  [role='listitem'],
  .row {
    grid-template-columns: minmax(0, 1fr) 6rem;
    grid-template-rows: 1.375rem 1.25rem;
    column-gap: 0.75rem;
  }
  .family {
    font-weight: 600;
  }
  .title {
    font-weight: 400;
    color: var(--_muted);
  }
  .when {
    grid-column: 1;
    font-size: 0.8125rem;
    color: var(--_muted);
  }
  /* Every chip as wide as its column: a status that changes never moves or resizes it. */
  .status {
    grid-row: 1 / span 2;
    grid-column: 2;
    align-self: center;
    justify-self: stretch;
    text-align: center;
    background: var(--fg-upcoming-list-scheduled-background, var(--_sunken));
    color: var(--fg-upcoming-list-scheduled-color, var(--_muted));
  }
  [part~='status-active'] {
    background: var(--fg-upcoming-list-active-background, var(--_success));
    color: var(--fg-upcoming-list-active-color, var(--_on-accent));
    border-color: transparent;
  }
  /*
   * Narrow: the family and title may take a second line beside the status, and the time
   * runs under both, so neither is cut short. Rows are taller at this width, whatever they show.
   */
  @container (width < 30rem) {
    /*
     * Under a reader's line height (text spacing: 1.5 where the widget sets 1.4), every row
     * keeps a second line for the time, which then wraps rather than be cut: the same in every
     * row, whatever its time. Nothing at the widget's own line height.
     */
    .card {
      --_spaced: clamp(0px, 99 * (1lh - 1.4em), 1.25rem);
      --_row: var(--fg-upcoming-list-row-height, calc(4.75rem + var(--_spaced)));
    }
    [role='listitem'],
    .row {
      grid-template-rows: 1.375rem 1.375rem calc(1.25rem + var(--_spaced));
    }
    .ellipsis {
      display: -webkit-box;
      -webkit-box-orient: vertical;
      -webkit-line-clamp: 2;
      white-space: normal;
      overflow-wrap: anywhere;
    }
    .ellipsis:not(.when) {
      grid-row: span 2;
      line-height: 1.375rem;
    }
    .status {
      grid-row: 1;
    }
    /* One line, ending in an ellipsis if it must, at the widget's own line height; two under a reader's. */
    .when {
      grid-column: 1 / -1;
      -webkit-line-clamp: calc(1 + sign(1lh - 1.4em));
    }
  }
  /*
   * Narrower still (a phone with large text): the family and title may take three lines, the
   * status gets a line of its own under them, and the time may take two lines under it.
   */
  @container (width < 20rem) {
    .card {
      --_row: var(--fg-upcoming-list-row-height, 9.5rem);
    }
    [role='listitem'],
    .row {
      grid-template-columns: minmax(0, 1fr);
      /*
       * The status's track grows into the row's spare height if its text wraps (below): only
       * where "Scheduled" breaks and "Active" does not (under about 250 px with 200% text and
       * a reader's text spacing) does a status that changes move the row's text.
       */
      grid-template-rows: repeat(3, 1.375rem) minmax(1.75rem, auto) 1.25rem 1.25rem;
    }
    .ellipsis:not(.when) {
      -webkit-line-clamp: 3;
      grid-row: span 3;
    }
    .status {
      grid-area: 4 / 1;
      justify-self: start;
      inline-size: 6rem;
      /*
       * Never wider than the row, its text centered with no room to spare: where even then it
       * has too little (200% text and a reader's text spacing), it breaks, inside the word if it must.
       */
      max-inline-size: 100%;
      padding-inline: 0;
      white-space: normal;
      overflow-wrap: anywhere;
    }
    .when {
      -webkit-line-clamp: 2;
      grid-row: span 2;
      line-height: 1.25rem;
    }
  }
  .row .skeleton:first-child {
    inline-size: 60%;
  }
  .row .skeleton + .skeleton {
    inline-size: 40%;
  }
`;
