/**
 * The demo page: a seeded consultant's live dashboard (switch to any other), and play the families
 * (book, write, pay, ...) from the simulator panel. Every change goes through the server's
 * demo routes and comes back to the dashboard over the real-time connection, exactly as a
 * family's action in another session would.
 *
 * `/` opens the story's consultant and `/?consultant=<id>` any other; `&ttl=<seconds>` gives the page a
 * session of that lifetime that is not renewed (it ends on the login page);
 * `&transports=sse polling` narrows the transport ladder.
 */
import { html, nothing, render, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type {
  DemoConsultant,
  SimulateRequest,
  SimulateResponse,
  TokenResponse,
  UpcomingItem,
} from '@fg/protocol';
import { DemoLimits, currencyExponent } from '@fg/protocol/frames';
import type { DashboardClient } from '@fg/realtime';
import type { FgDashboardProvider } from '@fg/dashboard-elements';
import '@fg/dashboard-elements/define/fg-dashboard.js';
import '@fg/dashboard-elements/themes/light.css';
import '@fg/dashboard-elements/themes/dark.css';
import './app.css';

type Action = SimulateRequest['action'];
type Body = { [K in Action]: Omit<Extract<SimulateRequest, { action: K }>, 'consultantId' | 'action'> };

interface LogEntry {
  readonly id: number;
  readonly ok: boolean;
  readonly text: string;
}

const FAMILIES = [
  'The Okonkwo family',
  'The Haddads',
  'The Lindqvists',
  'The Moreau family',
  'The Tanakas',
  'The Rossi family',
  'The Mensah family',
  'The Nguyens',
];
const MESSAGES = [
  'Could we move Friday’s session to the morning?',
  'Thank you, the new routine is working!',
  'Our son had a rough night, can we talk briefly?',
  'We filled in the sleep diary, see you soon.',
  'Is there anything we should prepare for next week?',
];

const params = new URLSearchParams(location.search);
const ttlParam = Number(params.get('ttl'));
/** A session of `ttl` seconds (the server's longest token: 7 days), to see one end. */
const ttlSeconds =
  Number.isInteger(ttlParam) && ttlParam > 0 ? Math.min(ttlParam, DemoLimits.maxTokenTtlSeconds) : undefined;
/** The farthest start the simulator takes, in the form's minutes. */
const MAX_MINUTES = Math.floor(DemoLimits.maxStartsInSeconds / 60);
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

// ---- server calls ----

async function request<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const answer = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new Error(answer?.message ?? `${path}: HTTP ${response.status}`);
  }
  return (await response.json()) as T;
}

const demoToken = (consultantId: string): Promise<TokenResponse> =>
  request('/api/demo/token', { consultantId, ttlSeconds: ttlSeconds ?? 3600 });

// ---- theme ----

const THEME_KEY = 'fg-demo-theme';

function applyTheme(theme: 'light' | 'dark'): void {
  document.documentElement.classList.toggle('fg-theme-dark', theme === 'dark');
  document.documentElement.classList.toggle('fg-theme-light', theme === 'light');
}

function currentTheme(): 'light' | 'dark' {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function themeToggle(): TemplateResult {
  const dark = currentTheme() === 'dark';
  return html`<button
    type="button"
    class="quiet"
    aria-pressed=${dark ? 'true' : 'false'}
    @click=${() => {
      localStorage.setItem(THEME_KEY, dark ? 'light' : 'dark');
      applyTheme(dark ? 'light' : 'dark');
      refresh();
    }}
  >
    Dark theme
  </button>`;
}

// ---- the page ----

const root = document.getElementById('app')!;
let view: () => TemplateResult = () => html`<p class="note loading">Loading the demo…</p>`;
const refresh = () => render(view(), root);

function header(extra: TemplateResult | typeof nothing = nothing): TemplateResult {
  return html`<header class="top">
    <a class="brand" href="/">FG Live <span class="tag">demo</span></a>
    ${extra} ${themeToggle()}
  </header>`;
}

class DashboardPage {
  private readonly log: LogEntry[] = [];
  private upcoming: readonly UpcomingItem[] = [];
  /** The consultation picked in the simulator, by id: it stays picked while the list changes around it. */
  private chosenConsultation = '';
  private nextLogId = 0;
  /** Suggested names and text; new ones after each action, so that a run of clicks reads like real life. */
  private suggested = {
    booking: pick(FAMILIES),
    writer: pick(FAMILIES),
    text: pick(MESSAGES),
    family: pick(FAMILIES),
  };
  private expiresAt: number;
  private handedOut = false;
  private client: DashboardClient | undefined;

  constructor(
    private readonly consultant: DemoConsultant,
    private readonly consultants: readonly DemoConsultant[],
    private token: TokenResponse,
  ) {
    this.expiresAt = token.expiresAt;
  }

  /** The provider asks before each connect and when the server refused a token. */
  readonly getToken = async (): Promise<string | null> => {
    // A fixed-lifetime session (`ttl`) ends with its token: at its expiry (by the server's
    // clock as the page knows it, give or take a second) the page has none to give, and
    // lands on /login.
    if (ttlSeconds !== undefined) {
      const serverNow = Date.now() + (this.client?.clockOffset?.() ?? 0);
      return serverNow >= this.expiresAt - 1000 ? null : this.token.token;
    }
    if (!this.handedOut) {
      this.handedOut = true;
      return this.token.token;
    }
    // Otherwise the page renews the session for each connection, as a signed-in app would.
    this.token = await demoToken(this.consultant.id);
    this.expiresAt = this.token.expiresAt;
    return this.token.token;
  };

  async mounted(): Promise<void> {
    const provider = document.querySelector<FgDashboardProvider>('fg-dashboard-provider');
    await provider?.updateComplete; // the provider creates its client in its first update
    this.client = provider?.client;
    this.client?.subscribe(
      (state) => state.snapshot?.upcoming ?? [],
      (upcoming) => {
        this.upcoming = upcoming;
        // A consultation gone from the list (started elsewhere, cancelled) is no longer picked.
        if (!upcoming.some((u) => u.id === this.chosenConsultation)) this.chosenConsultation = '';
        refresh();
      },
    );
    if (ttlSeconds !== undefined) setInterval(refresh, 1000);
  }

  render(): TemplateResult {
    const transports = params.get('transports') ?? undefined;
    return html`${header(this.renderSwitcher())}
      <div class="layout">
        <main id="main" aria-labelledby="dashboard-title">
          <h1 id="dashboard-title" class="vh">Dashboard of ${this.consultant.name}</h1>
          <fg-dashboard-provider
            endpoint=${location.origin}
            login-url=${`/login?consultant=${encodeURIComponent(this.consultant.id)}`}
            transports=${transports ?? nothing}
            .getToken=${this.getToken}
          >
            <fg-dashboard></fg-dashboard>
          </fg-dashboard-provider>
        </main>
        ${this.renderSimulator()}
      </div>`;
  }

  /** Another consultant, here or in a new tab (where isolation shows: their dashboards never mix). */
  private renderSwitcher(): TemplateResult {
    const left = Math.max(0, Math.round((this.expiresAt - Date.now()) / 1000));
    return html`<form class="switcher" action="/" method="get">
        <label
          >Consultant
          <select name="consultant">
            ${this.consultants.map(
              (c) => html`<option value=${c.id} ?selected=${c.id === this.consultant.id}>${c.name}</option>`,
            )}
          </select>
        </label>
        <button>Open</button>
        <button formtarget="_blank">Open in a new tab</button>
      </form>
      <span class="session"
        >${this.consultant.description}
        ${ttlSeconds === undefined ? nothing : html`<strong>Session ends in ${left} s.</strong>`}</span
      >`;
  }

  private renderSimulator(): TemplateResult {
    // The smallest amount the currency has: 0.01 USD, 1 JPY, 0.001 KWD.
    const cent = 1 / 10 ** currencyExponent(this.consultant.currency);
    const consultation = html`<label
      >Consultation
      <select
        name="consultationId"
        @change=${(event: Event) => (this.chosenConsultation = (event.target as HTMLSelectElement).value)}
      >
        <option value="">The next suitable one</option>
        ${repeat(
          this.upcoming,
          (u) => u.id,
          (u) =>
            html`<option value=${u.id} .selected=${u.id === this.chosenConsultation}>
              ${u.familyName} · ${u.status === 'active' ? 'Active' : 'Scheduled'}
            </option>`,
        )}
      </select>
    </label>`;
    return html`<aside class="simulator" aria-labelledby="simulator-title">
      <h2 id="simulator-title">Play the families</h2>
      <p class="note">Each action happens on the server, as if a family did it in another session.</p>

      <form @submit=${this.submit('book')}>
        <fieldset>
          <legend>Book a consultation</legend>
          <label
            >Family <input name="familyName" .value=${this.suggested.booking} required maxlength="200"
          /></label>
          <div class="pair">
            <label
              >Starts in (min)
              <input name="startsIn" type="number" min="0" max=${MAX_MINUTES} value="30" required
            /></label>
            <label
              >Length (min) <input name="durationMinutes" type="number" min="5" max="480" value="50"
            /></label>
          </div>
          <button class="primary">Book</button>
        </fieldset>
      </form>

      <form @submit=${this.submit('message')}>
        <fieldset>
          <legend>Send a message</legend>
          <label
            >Family <input name="familyName" .value=${this.suggested.writer} required maxlength="200"
          /></label>
          <label
            >Message
            <textarea name="text" rows="2" required maxlength="2000" .value=${this.suggested.text}></textarea>
          </label>
          <button class="primary">Send message</button>
        </fieldset>
      </form>

      <form @submit=${this.submit('payment')}>
        <fieldset>
          <legend>Complete a payment</legend>
          <label
            >Amount (${this.consultant.currency})
            <input
              name="amount"
              type="number"
              min=${cent}
              max=${DemoLimits.maxPaymentMinor * cent}
              step=${cent}
              value="250"
              required
            />
          </label>
          <button class="primary">Pay</button>
        </fieldset>
      </form>

      <form @submit=${this.submit('start-consultation')}>
        <fieldset>
          <legend>Consultations</legend>
          ${consultation}
          <label
            >Reschedule to start in (min)
            <input name="rescheduleIn" type="number" min="0" max=${MAX_MINUTES} value="120" />
          </label>
          <div class="buttons">
            <button class="primary" value="start-consultation">Start</button>
            <button value="complete-consultation">Complete</button>
            <button value="cancel-consultation">Cancel</button>
            <button value="reschedule-consultation">Reschedule</button>
          </div>
        </fieldset>
      </form>

      <form @submit=${this.submit('associate-family')}>
        <fieldset>
          <legend>Family clients</legend>
          <label>Family <input name="familyName" .value=${this.suggested.family} maxlength="200" /></label>
          <div class="buttons">
            <button class="primary" value="associate-family">Associate</button>
            <button value="dissociate-family">Dissociate one</button>
          </div>
        </fieldset>
      </form>

      <form @submit=${this.submit('add-task')}>
        <fieldset>
          <legend>Tasks</legend>
          <label>Task <input name="title" value="Send session notes" maxlength="200" /></label>
          <label>Due in (days) <input name="dueInDays" type="number" min="0" max="365" value="0" /></label>
          <div class="buttons">
            <button class="primary" value="add-task">Add task</button>
            <button value="complete-task">Complete one</button>
          </div>
        </fieldset>
      </form>

      <h3 id="log-title">What happened</h3>
      <ol class="log" aria-labelledby="log-title">
        ${
          this.log.length === 0
            ? html`<li class="note">Nothing yet: press a button above.</li>`
            : this.log.map((entry) => html`<li class=${entry.ok ? 'ok' : 'failed'}>${entry.text}</li>`)
        }
      </ol>
    </aside>`;
  }

  /** A form's submit plays its action, or the one of the button pressed. */
  private submit(fallback: Action) {
    return (event: SubmitEvent) => {
      event.preventDefault();
      const form = event.currentTarget as HTMLFormElement;
      const pressed = (event.submitter as HTMLButtonElement | null)?.value as Action | undefined;
      const action = pressed || fallback;
      void this.play(action, this.bodyFor(action, new FormData(form)));
    };
  }

  private bodyFor<A extends Action>(action: A, data: FormData): Body[A] {
    const text = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    const whole = (name: string) => {
      const value = Number(data.get(name));
      return data.get(name) === null || data.get(name) === '' || !Number.isFinite(value)
        ? undefined
        : Math.round(value);
    };
    const consultationId = text('consultationId');
    const bodies: { [K in Action]: () => Body[K] } = {
      book: () => ({
        familyName: text('familyName'),
        startsInSeconds: (whole('startsIn') ?? 30) * 60,
        durationMinutes: whole('durationMinutes'),
      }),
      message: () => ({ familyName: text('familyName'), text: text('text') }),
      payment: () => ({ amountMinor: this.minorUnits(Number(data.get('amount'))) }),
      'associate-family': () => ({ familyName: text('familyName') }),
      'dissociate-family': () => ({}),
      'start-consultation': () => ({ consultationId }),
      'complete-consultation': () => ({ consultationId }),
      'cancel-consultation': () => ({ consultationId }),
      'reschedule-consultation': () => ({
        consultationId,
        startsInSeconds: (whole('rescheduleIn') ?? 120) * 60,
      }),
      'add-task': () => ({ title: text('title'), dueInDays: whole('dueInDays') }),
      'complete-task': () => ({}),
    };
    return bodies[action]();
  }

  /** The amount in the currency's ISO 4217 minor units, as the protocol carries money (not `Intl`'s display digits). */
  private minorUnits(amount: number): number {
    return Math.max(1, Math.round(amount * 10 ** currencyExponent(this.consultant.currency)));
  }

  private async play(action: Action, body: object): Promise<void> {
    const started = performance.now();
    try {
      const answer = await request<SimulateResponse>('/api/demo/simulate', {
        consultantId: this.consultant.id,
        action,
        ...body,
      });
      const shownIn = await this.shown(answer.seq, started);
      this.note(
        true,
        `#${answer.seq} ${answer.kind}${shownIn === null ? '' : ` · on screen in ${shownIn} ms`}`,
      );
      if (action === 'book') this.suggested = { ...this.suggested, booking: pick(FAMILIES) };
      if (action === 'message')
        this.suggested = { ...this.suggested, writer: pick(FAMILIES), text: pick(MESSAGES) };
      if (action === 'associate-family') this.suggested = { ...this.suggested, family: pick(FAMILIES) };
    } catch (error) {
      this.note(false, `${action}: ${error instanceof Error ? error.message : String(error)}`);
    }
    refresh();
  }

  /** Milliseconds from the click to the frame that painted event `seq`, or null if it takes over 5 s. */
  private shown(seq: number, started: number): Promise<number | null> {
    const client = this.client;
    if (!client) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        requestAnimationFrame(() => setTimeout(() => resolve(Math.round(performance.now() - started))));
      };
      const timer = setTimeout(() => {
        stop();
        resolve(null);
      }, 5000);
      const stop = client.subscribe(
        (state) => (state.snapshot?.seq ?? 0) >= seq,
        (reached) => {
          if (reached) done();
        },
      );
      if ((client.state.snapshot?.seq ?? 0) >= seq) done();
    });
  }

  private note(ok: boolean, text: string): void {
    this.log.unshift({ id: this.nextLogId++, ok, text });
    this.log.length = Math.min(this.log.length, 8);
  }
}

function loginPage(): void {
  const back = document.querySelector<HTMLAnchorElement>('a[data-back]');
  const consultant = params.get('consultant');
  if (back && consultant) back.href = `/?consultant=${encodeURIComponent(consultant)}`;
}

/** The page when the demo cannot start: why, in the page rather than the console. */
function unavailable(error: unknown): void {
  view = () =>
    html`${header()}
      <main class="picker" id="main">
        <h1>The demo is not available</h1>
        <p class="note">
          This server does not run in demo mode (start it with <code>FG_DEMO=1</code>), or it cannot be
          reached: ${error instanceof Error ? error.message : String(error)}
        </p>
      </main>`;
  refresh();
}

async function main(): Promise<void> {
  applyTheme(currentTheme());
  if (document.body.dataset.page === 'login') return loginPage();
  refresh();
  let consultants: DemoConsultant[];
  try {
    consultants = await request<DemoConsultant[]>('/api/demo/consultants');
  } catch (error) {
    return unavailable(error);
  }
  // The first seeded consultant is the story's; `/` opens it.
  const id = params.get('consultant') ?? consultants[0]?.id;
  const consultant = consultants.find((c) => c.id === id);
  if (!consultant) {
    view = () =>
      html`${header()}
        <main class="picker" id="main">
          <h1>No such consultant</h1>
          <p>Open one of the demo consultants:</p>
          <ul>
            ${consultants.map(
              (c) =>
                html`<li>
                  <a href=${`/?consultant=${encodeURIComponent(c.id)}`}>${c.name}</a>: ${c.description}
                </li>`,
            )}
          </ul>
        </main>`;
    refresh();
    return;
  }
  document.title = `${consultant.name} · FG Live demo`;
  let token: TokenResponse;
  try {
    token = await demoToken(consultant.id);
  } catch (error) {
    return unavailable(error);
  }
  const page = new DashboardPage(consultant, consultants, token);
  view = () => page.render();
  refresh();
  await page.mounted();
}

void main();
