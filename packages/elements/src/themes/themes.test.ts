import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { CSSResultOrNative, LitElement } from 'lit';
import '../define/fg-dashboard.js';
import { DashboardScript, messageItem } from '../test/frames.js';
import { WIDGET_TAGS, mount } from '../test/harness.js';

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

describe('forced colors (Windows high-contrast themes)', () => {
  /** The first element matching `selector` in `root` or any shadow root below it. */
  function deep(root: ParentNode, selector: string): Element | null {
    const found = root.querySelector(selector);
    if (found) return found;
    for (const element of root.querySelectorAll('*')) {
      const inner = element.shadowRoot && deep(element.shadowRoot, selector);
      if (inner) return inner;
    }
    return null;
  }
  /** A system colour as the browser computes it. */
  const system = (color: string) => {
    const probe = document.body.appendChild(document.createElement('div'));
    probe.style.cssText = `forced-color-adjust: none; background: ${color}`;
    const value = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return value;
  };
  const background = (root: ParentNode, selector: string) => {
    const element = deep(root, selector);
    expect(element, selector).to.not.equal(null);
    return getComputedStyle(element!).backgroundColor;
  };

  it('keeps what only a background shows: skeletons, the unread dot, the connection light (Chromium only)', async function () {
    try {
      await executeServerCommand('fg-forced-colors', true);
    } catch {
      this.skip();
    }
    try {
      const script = new DashboardScript();
      const { el, feed, status } = await mount<LitElement>('fg-dashboard');
      await status('connecting');
      expect(background(el.shadowRoot!, '.skeleton'), 'a skeleton').to.equal(system('GrayText'));
      expect(background(el.shadowRoot!, '.indicator'), 'the connection light').to.equal(system('CanvasText'));
      await feed(script.snapshotFrame(), script.message(messageItem(9, { id: 'unread' })));
      expect(background(el.shadowRoot!, "[part~='item-unread'] .dot"), 'the unread dot').to.equal(
        system('CanvasText'),
      );
      await status('live');
      expect(background(el.shadowRoot!, '.live .indicator'), 'the connection light, live').to.equal(
        system('CanvasText'),
      );
      const count = deep(el.shadowRoot!, '.count')!;
      expect(getComputedStyle(count).outlineStyle, "a count's pill").to.equal('solid');
    } finally {
      await executeServerCommand('fg-forced-colors', false);
    }
  });
});
