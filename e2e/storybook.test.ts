// Storybook, as designers open it: built once, every story and every docs page opened in
// Chromium. A story passes when it renders, logs no console error, and axe finds nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { run } from './support/run.js';
import { serveStatic, type StaticServer } from './support/static-server.js';

interface IndexEntry {
  id: string;
  title: string;
  name: string;
  type: 'story' | 'docs';
}

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * In the page: waits for the store's notification (an animation frame), for every Lit
 * element to finish updating, and for the paint. Plain JavaScript, as it runs in the page.
 */
const SETTLED_SOURCE = `
window.fgSettled = async function () {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const pending = [];
  const visit = (node) => {
    if ('updateComplete' in node) pending.push(node.updateComplete);
    for (const child of node.children) visit(child);
    if (node.shadowRoot) for (const child of node.shadowRoot.children) visit(child);
  };
  await frame();
  visit(document.body);
  await Promise.all(pending);
  await frame();
  return window.__STORYBOOK_PREVIEW__.currentRender.phase;
};
/** Shows another story or docs page in the same preview, as Storybook's sidebar does; a docs page resolves once rendered. */
window.fgShow = function (storyId, viewMode) {
  const channel = window.__STORYBOOK_PREVIEW__.channel;
  const rendered = new Promise((resolve) => {
    if (viewMode !== 'docs') return resolve();
    const onRendered = (id) => {
      if (id !== storyId) return;
      channel.off('docsRendered', onRendered);
      resolve();
    };
    channel.on('docsRendered', onRendered);
  });
  channel.emit('setCurrentStory', { storyId, viewMode });
  return rendered;
};`;

/** A story is a fragment, not a page: page-level rules (landmarks, a level-one heading) do not apply. */
const AXE_OPTIONS = {
  rules: {
    region: { enabled: false },
    'landmark-one-main': { enabled: false },
    'page-has-heading-one': { enabled: false },
  },
};

describe('Storybook', () => {
  let outDir: string;
  let server: StaticServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let entries: IndexEntry[];
  const problems: string[] = [];

  before(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'fg-storybook-'));
    await run('npm', ['run', '--silent', 'build-storybook', '--', '--output-dir', outDir]);
    const index = JSON.parse(readFileSync(join(outDir, 'index.json'), 'utf8')) as {
      entries: Record<string, IndexEntry>;
    };
    entries = Object.values(index.entries);
    server = await serveStatic(outDir);
    browser = await launchChromium();
    // No motion: a highlight caught mid-fade is not a contrast failure.
    context = await browser.newContext({ reducedMotion: 'reduce', viewport: { width: 1280, height: 900 } });
    await context.addInitScript({ content: AXE_SOURCE });
    await context.addInitScript({ content: SETTLED_SOURCE });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const first = entries.find((e) => e.type === 'story')!;
    await show(first.id, 'story');
    await settled(first.id);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  /**
   * Shows a story or docs page: the first through a page load, the next ones through
   * Storybook's channel, as the sidebar does (one load of the preview for all of them).
   */
  async function show(id: string, viewMode: 'story' | 'docs', args?: string): Promise<void> {
    if (args || !page.url().includes('/iframe.html')) {
      assert.equal(viewMode, 'story');
      await page.goto(`${server.url}/iframe.html?id=${id}&viewMode=story${args ? `&args=${args}` : ''}`);
    } else {
      await page.evaluate(
        ([id, viewMode]) =>
          (window as unknown as { fgShow: (i: string, v: string) => Promise<void> }).fgShow(id!, viewMode!),
        [id, viewMode],
      );
    }
  }

  /** Waits for Storybook to finish the story (render and play function) and every Lit element in it to paint. */
  async function settled(id: string): Promise<string> {
    await page.waitForFunction((id) => {
      const preview = (
        window as unknown as { __STORYBOOK_PREVIEW__?: { currentRender?: { id?: string; phase?: string } } }
      ).__STORYBOOK_PREVIEW__;
      const render = preview?.currentRender;
      return render?.id === id && ['finished', 'errored', 'aborted'].includes(render.phase ?? '');
    }, id);
    return page.evaluate(() => (window as unknown as { fgSettled: () => Promise<string> }).fgSettled());
  }

  async function axe(selector: string): Promise<AxeViolation[]> {
    return page.evaluate(
      async ({ selector, options }) => {
        const axe = (window as unknown as { axe: { run: (c: string, o: unknown) => Promise<unknown> } }).axe;
        const result = (await axe.run(selector, options)) as { violations: AxeViolation[] };
        return result.violations.map(({ id, help, nodes }) => ({
          id,
          help,
          nodes: nodes.map((n) => ({ target: n.target })),
        }));
      },
      { selector, options: AXE_OPTIONS },
    );
  }

  it('has a story in every state for every element', () => {
    const stories = entries.filter((e) => e.type === 'story');
    const widgets = [
      'Dashboard',
      'Welcome banner',
      'Stats cards',
      'Upcoming consultations',
      'Recent messages',
      'Tasks badge',
      'Unread badge',
      'Completed count',
      'Connection status',
    ];
    const states = [
      'Loading',
      'Empty',
      'Typical',
      '99+',
      'Reconnecting',
      'Offline',
      'Expired',
      'Dark',
      'German (de-DE, EUR)',
    ];
    for (const widget of widgets) {
      const names = stories.filter((s) => s.title === `Widgets/${widget}`).map((s) => s.name);
      for (const state of states) assert.ok(names.includes(state), `${widget}: no "${state}" story`);
    }
    assert.ok(stories.some((s) => s.title === 'Widgets/Live region'));
    assert.ok(stories.some((s) => s.title === 'Elements/Provider'));
    assert.ok(stories.some((s) => s.title.startsWith('Live/')));
  });

  it('renders every story with no console error and no axe violation', async (t) => {
    for (const story of entries.filter((e) => e.type === 'story')) {
      await t.test(`${story.title} / ${story.name}`, async () => {
        problems.length = 0;
        await show(story.id, 'story');
        assert.equal(await settled(story.id), 'finished', 'the story did not finish rendering');
        const rendered = await page.locator('#storybook-root').evaluate((root) => root.innerHTML.length);
        assert.ok(rendered > 0, 'the story rendered nothing');
        const violations = await axe('#storybook-root');
        assert.deepEqual(problems, []);
        assert.deepEqual(
          violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
          [],
        );
      });
    }
  });

  it("the provider's German story shows German numbers, for an English consultant", async () => {
    await show('elements-provider--german', 'story');
    assert.equal(await settled('elements-provider--german'), 'finished');
    await page
      .locator('#storybook-root')
      .getByText(/^5\.000\s\$$/)
      .first()
      .waitFor();
  });

  it('the live region stories show what a screen reader hears, once the changes have been quiet a moment', async () => {
    await show('widgets-live-region--one-booking', 'story');
    assert.equal(await settled('widgets-live-region--one-booking'), 'finished');
    await page.locator('#storybook-root fg-live-region p').first().waitFor();
    assert.match((await page.locator('#storybook-root fg-live-region p').first().textContent()) ?? '', /\S/);
  });

  it('offers a control only where it changes the element: text for text attributes, none for parts and events', async () => {
    const controls = await page.evaluate(async () => {
      const preview = (
        window as unknown as {
          __STORYBOOK_PREVIEW__: {
            storyStoreValue: {
              loadStory(o: { storyId: string }): Promise<{ argTypes: Record<string, { control?: unknown }> }>;
            };
          };
        }
      ).__STORYBOOK_PREVIEW__;
      // (No named functions in here: the test's compiler would name them through a helper the page lacks.)
      const [provider, cards, messages, theming] = (
        await Promise.all(
          [
            'elements-provider--with-a-store',
            'widgets-stats-cards--typical',
            'widgets-recent-messages--typical',
            'theming--brand-tokens',
          ].map((storyId) => preview.storyStoreValue.loadStory({ storyId })),
        )
      ).map((story) => story.argTypes);
      return {
        endpoint: provider!['endpoint']?.control,
        part: cards!['card-revenue']?.control,
        event: messages!['fg-mark-read']?.control,
        theming: theming!['--fg-dashboard-gap']?.control,
      };
    });
    assert.deepEqual(controls.endpoint, { type: 'text' });
    assert.equal(controls.part, false);
    assert.equal(controls.event, false);
    assert.equal(controls.theming, undefined);
  });

  it('builds every docs page from custom-elements.json, with no console error', async (t) => {
    for (const docs of entries.filter((e) => e.type === 'docs')) {
      await t.test(docs.title, async () => {
        problems.length = 0;
        await show(docs.id, 'docs');
        await page.locator('#storybook-docs table.docblock-argstable').first().waitFor();
        assert.deepEqual(problems, []);
      });
    }
    // The header of <fg-stats-cards> reaches its docs: summary, CSS properties and parts.
    await show('widgets-stats-cards--docs', 'docs');
    const docs = page.locator('#storybook-docs');
    await docs.getByText('The practice in four numbers').first().waitFor();
    await docs.getByText('--fg-stats-cards-value-size').first().waitFor();
    await docs.getByText('card-revenue').first().waitFor();
  });

  it('docs/theming.md names every CSS property and part of custom-elements.json', () => {
    const manifest = JSON.parse(
      readFileSync(join(import.meta.dirname, '../packages/elements/custom-elements.json'), 'utf8'),
    ) as {
      modules: {
        declarations?: {
          tagName?: string;
          cssProperties?: { name: string }[];
          cssParts?: { name: string }[];
        }[];
      }[];
    };
    const theming = readFileSync(join(import.meta.dirname, '../docs/theming.md'), 'utf8');
    const missing = manifest.modules
      .flatMap((m) => m.declarations ?? [])
      .filter((d) => d.tagName)
      .flatMap((d) => [
        ...(d.cssProperties ?? []).map((p) => p.name),
        ...(d.cssParts ?? []).map((p) => `\`${p.name}\``),
      ])
      .filter((name) => !theming.includes(name));
    assert.deepEqual(missing, []);
  });

  it('the Live story changes the dashboard on its own, with no server', async () => {
    problems.length = 0;
    await show('live-simulated-backend--live', 'story', 'intervalMs:250');
    await settled('live-simulated-backend--live');
    const readSeq = () =>
      (
        document.querySelector('fg-dashboard-provider') as unknown as {
          client: { state: { snapshot: { seq: number } } };
        }
      ).client.state.snapshot.seq;
    const first = await page.evaluate(readSeq);
    // The script books first: a new family shows in Upcoming Consultations.
    await page
      .getByRole('list', { name: 'Upcoming Consultations' })
      .getByText(/The (Okonkwo|Lindqvist|Haddad|Moreau|Tanaka|Brennan|Silva|Nowak) family/)
      .first()
      .waitFor();
    // The first booking may have come before `first` was read (it is due 250 ms after the
    // story renders): the next of its events moves the sequence on.
    await page.waitForFunction(`(${readSeq.toString()})() > ${first}`);
    assert.deepEqual(problems, []);
  });
});
