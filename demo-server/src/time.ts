/**
 * Calendar arithmetic in a consultant's own time zone. SQLite knows nothing of time zones,
 * so the boundaries (start of a local day or month, as UTC instants) are computed here and
 * passed to SQL as parameters. Local dates travel as `YYYY-MM-DD` strings.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(ms: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Offset of the zone from UTC at instant `ms`, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Throws a RangeError for a zone name the runtime does not know. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The local calendar date of instant `ms` in `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  const w = wallTime(ms, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

function parseDate(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number);
  return [y!, m!, d!];
}

/** Pure calendar arithmetic: `date` plus `days` days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** `YYYY-MM` of a local date. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** First day of the month after the month of `date`. */
export function nextMonthStart(date: string): string {
  const [y, m] = parseDate(date);
  return m === 12 ? `${pad(y + 1, 4)}-01-01` : `${pad(y, 4)}-${pad(m + 1)}-01`;
}

/**
 * The first instant of local date `date` in `timeZone`, as ms since the epoch. Usually
 * local midnight; where a daylight-saving jump skips midnight, the first instant that exists.
 */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = parseDate(date);
  const naive = Date.UTC(y, m - 1, d);
  // Two passes settle the offset, including on the day the offset itself changes.
  let t = naive - offsetAt(naive, timeZone);
  t = naive - offsetAt(t, timeZone);
  // A skipped midnight lands us on the previous day: step forward to the first hour that exists.
  while (localDate(t, timeZone) < date) t += 15 * 60 * 1000;
  while (localDate(t - 1, timeZone) === date) t -= 15 * 60 * 1000;
  return t;
}

/** The local month containing `date`, as a half-open range of instants [from, to). */
export function monthRange(date: string, timeZone: string): { month: string; from: number; to: number } {
  return {
    month: monthOf(date),
    from: startOfLocalDay(`${monthOf(date)}-01`, timeZone),
    to: startOfLocalDay(nextMonthStart(date), timeZone),
  };
}
