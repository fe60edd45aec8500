import { css } from 'lit';

/**
 * What every widget shares: the token aliases (each `--fg-*` token with the light theme as
 * its fallback, so a widget looks right with no theme loaded), tabular numbers, skeletons,
 * the quieter look of stale data, and the visually hidden text screen readers still read.
 */
export const widgetStyles = css`
  :host {
    --_text: var(--fg-color-text, #1f2328);
    --_muted: var(--fg-color-text-muted, #59636e);
    --_surface: var(--fg-color-surface, #fff);
    --_sunken: var(--fg-color-surface-sunken, #f3f5f8);
    --_border: var(--fg-color-border, #d8dee4);
    --_accent: var(--fg-color-accent, #2f5fd0);
    --_on-accent: var(--fg-color-on-accent, #fff);
    --_success: var(--fg-color-success, #1a7f37);
    --_warning: var(--fg-color-warning, #9a6700);
    --_radius: var(--fg-radius, 0.75rem);
    --_focus: var(--fg-focus-ring, 2px solid #2f5fd0);
    display: block;
    color: var(--_text);
    font-family: var(
      --fg-font-family,
      system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      'Helvetica Neue',
      sans-serif
    );
    font-size: var(--fg-font-size, 0.9375rem);
    line-height: 1.4;
    font-variant-numeric: tabular-nums;
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  /* Each widget gives its cards their background, from its own property. */
  .card {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    box-shadow: var(--fg-shadow, 0 1px 2px rgb(31 35 40 / 6%), 0 1px 3px rgb(31 35 40 / 6%));
    padding: var(--fg-space, 1rem);
  }
  /* A heading wraps, inside a word if it must (200% text, a reader's text spacing), rather than run out of its card. */
  h2 {
    margin: 0 0 0.75rem;
    font-size: var(--fg-heading-size, 1rem);
    font-weight: 600;
    line-height: 1.5rem;
    overflow-wrap: anywhere;
  }
  .muted {
    color: var(--_muted);
  }
  .vh {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  /* Text in its own direction (a family's name, a message) lines up with the text around it. */
  [dir='auto'] {
    text-align: match-parent;
  }
  .ellipsis,
  .value {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .skeleton {
    display: inline-block;
    vertical-align: middle;
    border-radius: var(--fg-radius-small, 0.375rem);
    background: var(--fg-color-skeleton, #e3e8ee);
    animation: fg-pulse 1.6s ease-in-out infinite;
  }
  .revenue .value .skeleton {
    inline-size: 6ch;
  }
  /* An amount's own box, as wide as its text: it tells when text spacing widens it (fitValue). */
  .revenue .value > [lang] {
    display: inline-block;
  }
  /* Stale or expired data: grey and quieter, yet every text keeps its contrast. */
  .dimmed {
    --_text: var(--_muted);
    color: var(--_muted);
    filter: grayscale(1);
  }
  .dimmed.card,
  .dimmed .card {
    background: var(--fg-color-stale-surface, var(--fg-color-surface-sunken, #eef1f4));
    border-style: dashed;
    box-shadow: none;
  }
  /* Also a list's heading, where focus goes when an update takes away what held it (list.ts). */
  button:focus-visible,
  a:focus-visible,
  h2:focus-visible {
    outline: var(--_focus);
    outline-offset: 2px;
  }
  @keyframes fg-pulse {
    50% {
      opacity: 0.5;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton {
      animation: none;
    }
  }
  /*
   * Forced colors (Windows' high-contrast themes) take every background away: what only a
   * background shows (here a skeleton; in the widgets the unread dot, the connection light, a
   * count's pill) gets a colour of the theme instead.
   */
  @media (forced-colors: active) {
    .skeleton {
      forced-color-adjust: none;
      background: GrayText;
    }
  }
`;

/**
 * A list of fixed-height rows, each placed by `transform` from its index (list.ts), in a
 * list as tall as its rows (`--_n`): sizes are reserved, and a row changing place is never a
 * layout shift. The scroller is its own layout root (strict containment, with its size
 * given): a row that comes or goes lays out the scroller alone, not the page around it.
 */
export const listStyles = css`
  .scroller {
    position: relative;
    overflow-y: auto;
    overflow-anchor: none;
    overscroll-behavior: contain;
    contain: strict;
  }
  [role='list'] {
    position: relative;
    block-size: calc(var(--_n, 0) * var(--_row));
  }
  /* Marks the top of the list, to see whether it is in view (list.ts). */
  .start {
    position: absolute;
    inset-inline: 0;
    inset-block-start: 0;
    block-size: 1px;
    pointer-events: none;
  }
  /* A row: a list item, or a skeleton's. A list item sits at the top, moved by its transform. */
  [role='listitem'],
  .row {
    display: grid;
    align-content: center;
    block-size: var(--_row);
    padding-inline: 0.25rem;
    overflow: hidden;
  }
  [role='listitem'] {
    position: absolute;
    inset-inline: 0;
    inset-block-start: 0;
  }
  /*
   * A row, where focus goes when an update takes away what held it, and a scroller holding
   * more than it shows (list.ts); the heading's ring is above.
   */
  [role='listitem']:focus-visible,
  .scroller:focus-visible {
    outline: var(--_focus);
    outline-offset: -2px;
  }
  [role='listitem'] + [role='listitem'],
  .row + .row {
    box-shadow: inset 0 1px 0 var(--_border);
  }
  .row .skeleton {
    block-size: 0.875rem;
    align-self: center;
  }
  /* The small rounded label of a row: a status, an action. */
  .chip {
    justify-self: start;
    padding: 0.125rem 0.5rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    font: inherit;
    font-size: 0.75rem;
    font-weight: 600;
    line-height: 1.125rem;
    white-space: nowrap;
  }
  .empty {
    position: absolute;
    inset: 0;
    display: grid;
    place-content: center;
    margin: 0;
    text-align: center;
  }
  /* A new high-priority row shows the highlight color while its entrance runs (list.ts). */
  [data-flash] {
    background-color: var(--fg-color-highlight, #fff3bf);
  }
`;
