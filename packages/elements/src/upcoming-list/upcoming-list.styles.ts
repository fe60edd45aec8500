import { css } from 'lit';

export const upcomingListStyles = css`
  :host {
    --_row: var(--fg-upcoming-list-row-height, 3.75rem);
  }
  .card {
    background: var(--fg-upcoming-list-background, var(--_surface));
  }
  .scroller {
    block-size: var(--fg-upcoming-list-height, calc(5 * var(--_row)));
  }
  [role='listitem'],
  .row {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 5.5rem;
    grid-template-rows: 1.375rem 1.25rem;
    column-gap: 0.75rem;
    align-content: center;
    padding-inline: 0.25rem;
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
  .status {
    grid-row: 1 / span 2;
    grid-column: 2;
    align-self: center;
    justify-self: start;
    padding: 0.125rem 0.5rem;
    border-radius: 999px;
    font-size: 0.75rem;
    font-weight: 600;
    line-height: 1.125rem;
    background: var(--fg-upcoming-list-scheduled-background, var(--_sunken));
    color: var(--fg-upcoming-list-scheduled-color, var(--_muted));
    border: 1px solid var(--_border);
  }
  [part~='status-active'] {
    background: var(--fg-upcoming-list-active-background, var(--_success));
    color: var(--fg-upcoming-list-active-color, var(--_on-accent));
    border-color: transparent;
  }
  .row .skeleton {
    block-size: 0.875rem;
    align-self: center;
  }
  .row .skeleton:first-child {
    inline-size: 60%;
  }
  .row .skeleton + .skeleton {
    inline-size: 40%;
  }
`;
