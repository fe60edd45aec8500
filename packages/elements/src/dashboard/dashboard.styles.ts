import { css } from 'lit';

export const dashboardStyles = css`
  :host {
    container-type: inline-size;
  }
  .layout {
    display: grid;
    gap: var(--fg-dashboard-gap, 1rem);
    grid-template-columns: minmax(0, 1fr);
    grid-template-areas: 'banner' 'bar' 'stats' 'upcoming' 'messages';
  }
  .banner {
    grid-area: banner;
  }
  .bar {
    grid-area: bar;
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
  .status {
    margin-inline-end: auto;
  }
  .stats {
    grid-area: stats;
  }
  .upcoming {
    grid-area: upcoming;
  }
  .messages {
    grid-area: messages;
  }
  @container (min-width: 48rem) {
    .layout {
      grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      grid-template-areas: 'banner banner' 'bar bar' 'stats stats' 'upcoming messages';
    }
    .messages {
      align-self: start;
    }
  }
  @container (min-width: 72rem) {
    .layout {
      grid-template-columns: minmax(0, 7fr) minmax(0, 5fr);
      grid-template-areas: 'banner bar' 'stats stats' 'upcoming messages';
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
    .status {
      margin-inline-end: 0;
    }
  }
`;
