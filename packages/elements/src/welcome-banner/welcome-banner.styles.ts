import { css } from 'lit';

export const welcomeBannerStyles = css`
  :host {
    container-type: inline-size;
  }
  .banner {
    min-block-size: var(--fg-welcome-banner-min-height, 9.5rem);
    background: var(--fg-welcome-banner-background, var(--_surface));
    color: var(--fg-welcome-banner-color, var(--_text));
  }
  h2 {
    font-size: var(--fg-welcome-banner-greeting-size, 1.375rem);
    line-height: 2rem;
    margin-block-end: 0.25rem;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  /* Narrow: the name may take a second line, and that line is reserved before it arrives. */
  @container (max-width: 30rem) {
    h2 {
      display: -webkit-box;
      -webkit-box-orient: vertical;
      -webkit-line-clamp: 2;
      min-block-size: 3rem;
      font-size: var(--fg-welcome-banner-greeting-size, 1.125rem);
      line-height: 1.5rem;
      white-space: normal;
    }
  }
  .intro {
    margin: 0 0 0.75rem;
    line-height: 1.25rem;
  }
  .facts {
    display: grid;
    grid-template-columns: repeat(3, minmax(0, 1fr));
    gap: 0.75rem;
  }
  /* Very narrow (a phone with large text): one fact a row, so no label runs into the next. */
  @container (width < 20rem) {
    .facts {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .fact {
    container-type: inline-size;
    margin: 0;
  }
  .value {
    /*
     * A full line of its own: the label sits below it yet reads "3 upcoming consultations".
     * A layout root one line tall: a new value lays out this box alone, not the page.
     */
    display: inline-block;
    inline-size: 100%;
    contain: size layout;
    block-size: 2rem;
    font-size: var(--fg-welcome-banner-value-size, 1.5rem);
    font-weight: 650;
    line-height: 2rem;
  }
  /*
   * An amount shrinks to fit its column (about 0.68em a character, bold): money is never cut
   * short. Its line shrinks with it (2rem at full size), and moves down by what the text
   * lost: a line's baseline sits about 1em below its top, so the amount stays on the same
   * baseline as the other facts' numbers. Moved by a transform, which is no layout shift.
   */
  .revenue .value {
    font-size: calc(
      min(var(--fg-welcome-banner-value-size, 1.5rem), 100cqi / (var(--_chars, 1) * 0.68)) * var(--_fit, 1)
    );
    line-height: min(2rem, 1.3333em);
    transform: translateY(calc(var(--fg-welcome-banner-value-size, 1.5rem) - 1em));
  }
  .label {
    color: var(--fg-welcome-banner-label-color, var(--_muted));
    font-size: 0.8125rem;
    line-height: 1.25rem;
    /* A word wider than its fact (a reader's letter spacing, a phone) breaks, not runs into the next. */
    overflow-wrap: anywhere;
  }
  /* A singular keeps its plural's room (an "s" unseen), so it takes the lines the plural does. */
  .singular::after {
    content: 's';
    visibility: hidden;
  }
  h2 .skeleton {
    inline-size: min(10rem, 40%);
    block-size: 1.25rem;
  }
  .value .skeleton {
    inline-size: 3ch;
    block-size: 1.5rem;
  }
`;
