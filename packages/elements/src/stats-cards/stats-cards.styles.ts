import { css } from 'lit';

export const statsCardsStyles = css`
  :host {
    container-type: inline-size;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: var(--fg-stats-cards-gap, 0.75rem);
  }
  @container (min-width: 40rem) {
    .grid {
      grid-template-columns: repeat(4, minmax(0, 1fr));
    }
  }
  /* Very narrow (a phone with large text): one card a row, so no label or number is cut short. */
  @container (width < 18rem) {
    .grid {
      grid-template-columns: minmax(0, 1fr);
    }
  }
  .card {
    container-type: inline-size;
    min-block-size: 5.5rem;
    background: var(--fg-stats-cards-background, var(--_surface));
  }
  .label {
    display: block;
    color: var(--fg-stats-cards-label-color, var(--_muted));
    font-size: 0.8125rem;
    font-weight: 500;
    line-height: 1.25rem;
    overflow-wrap: anywhere;
  }
  /* In a narrow card a label may take two lines: every label has room for two, so the values stay in line. */
  @container (width < 12rem) {
    .label {
      min-block-size: 2.5rem;
    }
  }
  /*
   * A layout root, one line tall whatever the number: a new value lays out this box alone,
   * not the page. (A flex item cannot be one, so the card is a plain block.)
   */
  .value {
    display: block;
    margin-block-start: 0.25rem;
    contain: size layout;
    block-size: 2.25rem;
    color: var(--fg-stats-cards-value-color, var(--_text));
    font-size: var(--fg-stats-cards-value-size, 1.75rem);
    font-weight: 650;
    line-height: 2.25rem;
  }
  /*
   * An amount shrinks to fit its card (about 0.68em a character, bold): money is never cut
   * short. Its line shrinks with it (2.25rem at full size), and moves down by what the text
   * lost: a line's baseline sits about 1em below its top, so the amount stays on the same
   * baseline as the other cards' numbers. Moved by a transform, which is no layout shift.
   */
  .revenue .value {
    font-size: calc(
      min(var(--fg-stats-cards-value-size, 1.75rem), 100cqi / (var(--_chars, 1) * 0.68)) * var(--_fit, 1)
    );
    line-height: min(2.25rem, 1.2857em);
    transform: translateY(calc(var(--fg-stats-cards-value-size, 1.75rem) - 1em));
  }
  .value .skeleton {
    inline-size: 4ch;
    block-size: 1.75rem;
  }
`;
