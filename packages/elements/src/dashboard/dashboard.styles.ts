import { css } from 'lit';

export const dashboardStyles = css`
  :host {
    container-type: inline-size;
  }
  /* One column; from 48rem two, banner, bar and stats across; from 72rem banner and bar side by side. */
  .layout {
    display: grid;
    gap: var(--fg-dashboard-gap, 1rem);
    grid-template-columns: minmax(0, 1fr);
  }
  .stats {
    grid-column: 1 / -1;
  }
  /* Heard, not seen: out of the grid, so it adds no row, and no gap, below the widgets. */
  fg-live-region {
    position: absolute;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 0.75rem;
  }
  .badges {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  @container (width < 72rem) {
    .banner,
    .bar {
      grid-column: 1 / -1;
    }
    /* The status takes what the badges leave, at least 16rem, and no more: what it says never moves the badges. */
    .status {
      flex: 1 1 16rem;
      min-inline-size: 0;
    }
  }
  @container (min-width: 48rem) {
    .layout {
      grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
    }
    .messages {
      align-self: start;
    }
  }
  @container (min-width: 72rem) {
    .layout {
      grid-template-columns: minmax(0, 7fr) minmax(0, 5fr);
    }
    .bar {
      flex-direction: column;
      align-items: flex-start;
      justify-content: center;
      padding: var(--fg-space, 1rem);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_surface);
    }
  }
`;
