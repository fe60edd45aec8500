import { expect } from '@open-wc/testing';
import type { CSSResultOrNative, LitElement } from 'lit';
import '../define/fg-dashboard.js';
import { WIDGET_TAGS } from '../test/harness.js';

/** The `--fg-*` tokens a theme file sets, and their values. */
async function themeTokens(name: string): Promise<Map<string, string>> {
  const text = await (await fetch(new URL(`./${name}.css`, import.meta.url))).text();
  const body = text.replace(/\/\*[\s\S]*?\*\//g, '');
  return new Map([...body.matchAll(/(--fg-[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));
}

/** Every `var(--fg-token, fallback)` of every element's styles whose fallback is a value of its own. */
function fallbacks(): [token: string, fallback: string, tag: string][] {
  const found: [string, string, string][] = [];
  for (const tag of ['fg-dashboard', ...WIDGET_TAGS]) {
    const element = customElements.get(tag) as unknown as typeof LitElement;
    const text = element.elementStyles
      .map((sheet: CSSResultOrNative) => ('cssText' in sheet ? sheet.cssText : ''))
      .join('\n');
    for (const m of text.matchAll(/var\((--fg-[\w-]+),\s*((?:[^()]|\([^()]*\))+)\)/g)) {
      if (!m[2]!.trim().startsWith('var(')) found.push([m[1]!, m[2]!.trim(), tag]);
    }
  }
  return found;
}

/** A value as the browser computes it for a property that takes it, so `#fff` equals `#ffffff`. */
function computed(token: string, value: string): string {
  const property = /shadow/.test(token)
    ? 'box-shadow'
    : /focus-ring/.test(token)
      ? 'outline'
      : /radius/.test(token)
        ? 'border-top-left-radius'
        : /font-family/.test(token)
          ? 'font-family'
          : /size|space|gap|height/.test(token)
            ? 'padding-top'
            : 'color';
  const probe = document.createElement('div');
  document.body.append(probe);
  probe.style.setProperty(property, value);
  const answer = getComputedStyle(probe).getPropertyValue(property);
  probe.remove();
  return answer;
}

describe('themes', () => {
  it('without a theme, every widget looks as with the light theme: each fallback is the light value', async () => {
    const light = await themeTokens('light');
    const checked = fallbacks().filter(([token]) => light.has(token));
    expect(checked.length).to.be.greaterThan(15);
    const differing = checked
      .filter(([token, fallback]) => computed(token, fallback) !== computed(token, light.get(token)!))
      .map(
        ([token, fallback, tag]) =>
          `${tag}: ${token} falls back to ${fallback}, light.css has ${light.get(token)}`,
      );
    expect(differing).to.deep.equal([]);
  });

  it('the dark theme sets every token the light theme sets', async () => {
    const [light, dark] = [await themeTokens('light'), await themeTokens('dark')];
    expect([...light.keys()].filter((token) => !dark.has(token))).to.deep.equal([]);
  });
});
