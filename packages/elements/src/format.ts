/**
 * Numbers, money, dates and relative times, formatted with `Intl` in the consultant's
 * locale, currency and time zone, and the one shared clock that keeps every relative
 * label ("in 5 min", "updated 12 s ago") fresh.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Limits, currencyExponent, type Consultant } from '@fg/protocol/frames';
import { ContextConsumer, dashboardSettingsContext, type DashboardSettings } from './context.js';

type Host = ReactiveControllerHost & HTMLElement;

/** `Intl` objects and the answers of the checks below, by key: an `Intl` constructor costs far more than a render. */
const cache = new Map<string, unknown>();

/** `make()`'s answer for `key` in `map`, made once; a map that reaches `limit` answers is cleared first. */
function cached<T>(key: string, make: () => T, map = cache, limit = Infinity): T {
  if (!map.has(key)) {
    if (map.size >= limit) map.clear();
    map.set(key, make());
  }
  return map.get(key) as T;
}

/** `make()`, or `undefined` where `Intl` rejects its input. */
function attempt<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/** A formatter's memo is cleared at this many answers (see `Formatter._memo`). */
const MEMO_LIMIT = 64;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A day's date in a list: "Thu, Nov 28". */
const DAY_NAME: Intl.DateTimeFormatOptions = { weekday: 'short', month: 'short', day: 'numeric' };

/** Whether `at` names a time: `Intl` throws on one that does not (a host's own items are not checked). */
const isTime = (at: string | number): boolean => !Number.isNaN(new Date(at).getTime());

/**
 * Formats for one consultant in one locale. Cheap to create: the `Intl` objects behind it are
 * shared. A date or time that names no time formats as nothing.
 */
export class Formatter {
  /**
   * Days and times already formatted, by input. A list asks for the same rows' labels at
   * every update (a row's day label takes four `Intl` calls). Cleared at 64 answers: a row
   * takes two, so that is room for the dashboard's rows many times over.
   */
  private readonly _memo = new Map<string, unknown>();

  constructor(
    readonly locale: string,
    readonly timeZone: string,
    readonly currency: string,
  ) {}

  /** A count, e.g. "1,234". */
  count(value: number): string {
    return cached(`n${this.locale}`, () => new Intl.NumberFormat(this.locale)).format(value);
  }

  /** A count for a small space: above the cap it reads "99+". The exact number belongs in the accessible name. */
  capped(value: number): string {
    return value > Limits.badgeCap ? `${this.count(Limits.badgeCap)}+` : this.count(value);
  }

  /**
   * Money in integer minor units of ISO 4217 (`currencyExponent`): a whole amount without
   * decimals ("$5,000", "HUF 5,000"), any other with the currency's ISO 4217 decimals ("$5,012.50",
   * "HUF 5,000.50", "KWD 1,234.567") in every browser, where `Intl`'s own may be fewer (HUF and
   * IQD in Chromium) and would round what was paid.
   */
  money(amountMinor: number, currency = this.currency): string {
    const digits = currencyExponent(currency);
    return cached(
      `m${this.locale}|${currency}`,
      () =>
        new Intl.NumberFormat(this.locale, {
          style: 'currency',
          currency,
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
          trailingZeroDisplay: 'stripIfInteger',
        }),
    ).format(amountMinor / 10 ** digits);
  }

  /** A clock time, e.g. "2:30 PM". */
  time(at: string | number): string {
    if (!isTime(at)) return '';
    return this._dateTime({ hour: 'numeric', minute: '2-digit' }).format(new Date(at));
  }

  /**
   * A day and time relative to `now`'s calendar day: "Today, 2:30 PM", "Tomorrow, 9:00 AM",
   * "Thu, Nov 28, 4:00 PM", joined as the locale joins a date and a time ("今日 14:30", "اليوم، ٢:٣٠ م").
   */
  dayAndTime(at: string | number, now: number): string {
    // A day starts on a whole minute in every time zone: `now` to the minute is in the same day.
    const today = this._dayStart(now - (now % MINUTE));
    return cached(
      `t${at}|${today}`,
      () => {
        if (!isTime(at)) return '';
        const date = new Date(at);
        const days = this._daysBetween(now, at);
        const full = this._dateTime({ ...DAY_NAME, hour: 'numeric', minute: '2-digit' }).format(date);
        if (days < -1 || days > 1) return full;
        // Yesterday, today and tomorrow by name, where the locale puts the date.
        const day = this._dateTime(DAY_NAME).format(date);
        const word = this._relativeFormat('long').format(days, 'day');
        const where = full.indexOf(day);
        if (where < 0) return `${this._capitalized(word)} ${this.time(at)}`;
        return (
          full.slice(0, where) + (where ? word : this._capitalized(word)) + full.slice(where + day.length)
        );
      },
      this._memo,
      MEMO_LIMIT,
    );
  }

  /**
   * "in 5 min", "3 hr ago", "now": minutes and coarser. A day or more away counts calendar
   * days in the consultant's time zone, as the day names do: "tomorrow" is never two days off.
   * `besideDayName`: shown after `dayAndTime`, which already says "Tomorrow" or "Yesterday",
   * so those days count hours instead ("Tomorrow, 9:00 AM · in 21 hr.", not "· tomorrow").
   */
  relative(at: string | number, now: number, besideDayName?: boolean): string {
    const diff = new Date(at).getTime() - now;
    if (Number.isNaN(diff)) return '';
    const abs = Math.abs(diff);
    const format = this._relativeFormat('short');
    if (abs < MINUTE) return format.format(0, 'second');
    if (abs < HOUR) return format.format(Math.trunc(diff / MINUTE), 'minute');
    const days = abs < DAY ? 0 : this._daysBetween(now, at);
    // Within a day, later the same calendar day (a day of 25 hours), or a named day: hours.
    return days && !(besideDayName && Math.abs(days) === 1)
      ? format.format(days, 'day')
      : format.format(Math.trunc(diff / HOUR), 'hour');
  }

  /** "12 sec. ago", "3 min. ago": seconds while under a minute. */
  elapsed(at: number, now: number): string {
    const seconds = Math.max(0, Math.floor((now - at) / 1000));
    if (seconds >= 60) return this.relative(at, now);
    return this._relativeFormat('short', 'always').format(-seconds, 'second');
  }

  private _capitalized(word: string): string {
    return word.charAt(0).toLocaleUpperCase(this.locale) + word.slice(1);
  }

  private _relativeFormat(
    style: 'long' | 'short',
    numeric: 'auto' | 'always' = 'auto',
  ): Intl.RelativeTimeFormat {
    return cached(
      `r${this.locale}|${style}|${numeric}`,
      () => new Intl.RelativeTimeFormat(this.locale, { style, numeric }),
    );
  }

  private _dateTime(options: Intl.DateTimeFormatOptions, locale = this.locale): Intl.DateTimeFormat {
    return cached(
      `d${locale}|${this.timeZone}|${Object.keys(options)}`,
      () => new Intl.DateTimeFormat(locale, { ...options, timeZone: this.timeZone }),
    );
  }

  /** Calendar days in the consultant's time zone from `now`'s day to `at`'s. */
  private _daysBetween(now: number, at: string | number): number {
    return Math.round((this._dayStart(at) - this._dayStart(now - (now % MINUTE))) / DAY);
  }

  /**
   * Midnight of the calendar day of `at` in the consultant's time zone, as a UTC day number times a day.
   * The day is read in one fixed locale, Gregorian with Latin digits, not the display locale: that
   * may write digits `Number()` cannot read (Arabic, Persian, Bengali) or count months of other
   * lengths (the Buddhist and Persian calendars). The display locale words the answer alone.
   */
  private _dayStart(at: string | number): number {
    return cached(
      `s${at}`,
      () => {
        const parts = this._dateTime(
          { year: 'numeric', month: 'numeric', day: 'numeric' },
          'en-US-u-ca-gregory-nu-latn',
        ).formatToParts(new Date(at));
        const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
        return Date.UTC(part('year'), part('month') - 1, part('day'));
      },
      this._memo,
      MEMO_LIMIT,
    );
  }
}

/**
 * The formatter for a widget: the provider's `locale` if set, else the consultant's.
 * Money and times always use the consultant's currency and time zone.
 */
export class FormatController {
  /** The provider's display settings (its locale, its login URL). */
  readonly settings: ContextConsumer<DashboardSettings>;

  constructor(host: Host) {
    this.settings = new ContextConsumer(host, dashboardSettingsContext);
  }

  for(consultant: Consultant | undefined): Formatter {
    // The first locale `Intl` accepts (a browser may report a locale such as "C").
    let locale = 'en-US';
    for (const tag of [this.settings.value?.locale, consultant?.locale, globalThis.navigator?.language]) {
      const canonical = tag && cached(`l${tag}`, () => attempt(() => Intl.getCanonicalLocales(tag)[0]));
      if (canonical) {
        locale = canonical;
        break;
      }
    }
    const zone = consultant?.timezone;
    const timeZone =
      (zone &&
        cached(`z${zone}`, () =>
          attempt(() => new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone),
        )) ||
      cached('z', () => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const currency = consultant?.currency ?? 'USD';
    return cached(`f${locale}|${timeZone}|${currency}`, () => new Formatter(locale, timeZone, currency));
  }
}

// ---- the shared clock ----

let readNow: () => number = () => Date.now();
const members = new Set<ClockController>();
let timer: ReturnType<typeof setInterval> | undefined;
let period = Infinity;

/** The time every relative label is computed from. */
export function now(): number {
  return readNow();
}

/** Replaces the clock (tests, stories) and refreshes every label at once; `undefined` restores `Date.now`. */
export function setClock(read: (() => number) | undefined): void {
  readNow = read ?? (() => Date.now());
  tick();
}

/** Refreshes every relative label whose value may have changed. */
export function tick(): void {
  const time = readNow();
  for (const member of members) member.tick(time);
}

function onVisible(): void {
  if (document.visibilityState === 'visible') tick();
}

/** Ticks at the finest granularity of the members, and when the page is shown again; not at all without one. */
function reschedule(): void {
  const next = Math.min(...[...members].map((member) => member.granularity || Infinity));
  if (next === period) return;
  clearInterval(timer);
  period = next;
  const on = next < Infinity;
  timer = on ? setInterval(tick, next) : undefined;
  document[on ? 'addEventListener' : 'removeEventListener']('visibilitychange', onVisible);
}

/**
 * Joins the host to the one shared clock while connected. The host updates only when the
 * time crosses its granularity (1 s for "updated 12 s ago", a minute for "in 5 min"). A
 * granularity of 0 leaves the clock, for a host that shows no relative time right now.
 */
export class ClockController implements ReactiveController {
  private _bucket = -1;

  constructor(
    private readonly _host: Host,
    private _period: number,
  ) {
    _host.addController(this);
  }

  get granularity(): number {
    return this._period;
  }

  set granularity(value: number) {
    if (value === this._period) return;
    this._period = value;
    this._bucket = -1;
    if (members.has(this)) reschedule();
  }

  /** The clock's time now; read it in `render()`. */
  get now(): number {
    return readNow();
  }

  hostConnected(): void {
    members.add(this);
    reschedule();
  }

  hostDisconnected(): void {
    members.delete(this);
    reschedule();
  }

  /** Called by the shared clock. */
  tick(time: number): void {
    if (this._period <= 0) return;
    const bucket = Math.floor(time / this._period);
    if (bucket === this._bucket) return;
    this._bucket = bucket;
    this._host.requestUpdate();
  }
}
