import { html, type TemplateResult } from 'lit';
import { Limits } from '@fg/protocol/frames';
import type { Formatter } from './format.js';

/**
 * A count as a person sees it: above the cap, "99+" on screen and the exact number for
 * screen readers. Nothing while the count is unknown.
 */
export function countText(format: Formatter, value: number | undefined): TemplateResult | string | undefined {
  if (value === undefined) return undefined;
  if (value <= Limits.badgeCap) return format.count(value);
  return html`<span aria-hidden="true">${format.capped(value)}</span
    ><span class="vh">${format.count(value)}</span>`;
}

/**
 * A number's box (`part="value"`): the value in the consultant's locale, marked with its
 * language (its digits and signs are read in it), or a placeholder of its size while unknown.
 */
export function renderValue(format: Formatter, value: TemplateResult | string | undefined): TemplateResult {
  return html`<span class="value" part="value"
    >${value === undefined ? skeleton('value') : html`<span lang=${format.locale}>${value}</span>`}</span
  >`;
}

/** A placeholder of the size of the value it stands for. */
export function skeleton(className: string): TemplateResult {
  return html`<span class="skeleton ${className}" aria-hidden="true"></span><span class="vh">Loading</span>`;
}

/** Sets a style property (a CSS variable) through the CSSOM, which a strict CSP allows; only when it changed. */
export function setStyle(element: HTMLElement, name: string, value: number | string): void {
  if (element.style.getPropertyValue(name) !== `${value}`) element.style.setProperty(name, `${value}`);
}

/** The direction marks `Intl` puts around numbers and signs in right-to-left locales: they take no room. */
const DIRECTION_MARKS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text each value box was last fitted to. */
const fitted = new WeakMap<HTMLElement, string>();
/**
 * Watches each fitted value's text (the box's first child, an inline block in the consultant's
 * language; not a skeleton): a reader's text spacing or a font that arrives late widens it with
 * no change of text, and it is fitted again only if it no longer fits (read after the browser's
 * own layout, so it costs no extra one).
 */
let widening: ResizeObserver | undefined;
/** The text box watched in each value box (one at a time: a skeleton's or a gone one's is let go). */
const watched = new WeakMap<HTMLElement, Element>();

/**
 * Tells a value's box how many characters it shows (`--_chars`), so that its font shrinks to
 * the box (the styles divide its width by that) instead of cutting an amount short. When its
 * text changes, and only then, it reads the box's layout once: a reader's own text spacing
 * (letter or word spacing, WCAG 1.4.12) widens every character, and the font in use, whether
 * fitted or held at its largest size, is then scaled (`--_fit`) by as much as it takes to fit.
 */
export function fitValue(value: HTMLElement | null): void {
  const text = value?.textContent;
  if (!value || text == null || fitted.get(value) === text) return;
  const shown = value.firstElementChild;
  const before = watched.get(value);
  if (shown !== before && typeof ResizeObserver === 'function') {
    // Fitted in the next frame: fitting resizes what is observed, which within this
    // notification would be a resize observer loop.
    widening ??= new ResizeObserver((entries) => {
      for (const { target } of entries) {
        const box = target.parentElement;
        if (box && box.scrollWidth > box.clientWidth)
          requestAnimationFrame(() => {
            fitted.delete(box);
            fitValue(box);
          });
      }
    });
    if (before) widening.unobserve(before);
    watched.delete(value);
    if (shown?.hasAttribute('lang')) {
      watched.set(value, shown);
      widening.observe(shown);
    }
  }
  setStyle(value, '--_chars', text.replace(DIRECTION_MARKS, '').trim().length);
  setStyle(value, '--_fit', 1);
  // A box not laid out yet (its widget hidden) is measured at its next update.
  if (!value.clientWidth) return;
  fitted.set(value, text);
  // Twice at most: widths are whole pixels.
  for (let step = 0; step < 2 && value.scrollWidth > value.clientWidth; step++) {
    const fit = parseFloat(value.style.getPropertyValue('--_fit'));
    // A little under the ratio, for the same reason.
    setStyle(value, '--_fit', Math.floor((fit * value.clientWidth * 98) / value.scrollWidth) / 100);
  }
}
