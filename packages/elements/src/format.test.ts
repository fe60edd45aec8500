import { expect } from '@open-wc/testing';
import { Formatter } from './format.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('Formatter.dayAndTime', () => {
  // New York is at UTC-4 in October: its midnight is 04:00 UTC.
  const at = Date.UTC(2025, 9, 16, 14, 0); // Thu, Oct 16, 10:00 AM in New York
  const midnight = Date.UTC(2025, 9, 16, 4, 0);

  it("names the day by the calendar of the consultant's time zone, and moves on when the day does", () => {
    const format = new Formatter('en-US', 'America/New_York', 'USD');
    expect(format.dayAndTime(at, midnight - MINUTE)).to.equal('Tomorrow, 10:00 AM');
    // The same row asked again a minute later: the day has turned.
    expect(format.dayAndTime(at, midnight)).to.equal('Today, 10:00 AM');
    expect(format.dayAndTime(at, midnight + MINUTE - 1)).to.equal('Today, 10:00 AM');
    expect(format.dayAndTime(at, midnight + 24 * HOUR)).to.equal('Yesterday, 10:00 AM');
    expect(format.dayAndTime(at, midnight - 2 * 24 * HOUR)).to.equal('Thu, Oct 16, 10:00 AM');
    expect(format.dayAndTime(new Date(at).toISOString(), midnight - MINUTE)).to.equal('Tomorrow, 10:00 AM');
  });

  it('gives the same answers in another time zone, and after many different inputs', () => {
    const tokyo = new Formatter('en-US', 'Asia/Tokyo', 'JPY');
    // 10:00 AM in New York is 11:00 PM the same day in Tokyo; Tokyo's midnight is 15:00 UTC.
    expect(tokyo.dayAndTime(at, Date.UTC(2025, 9, 16, 14, 59))).to.equal('Today, 11:00 PM');
    expect(tokyo.dayAndTime(at, Date.UTC(2025, 9, 16, 15, 0))).to.equal('Yesterday, 11:00 PM');
    const format = new Formatter('en-US', 'America/New_York', 'USD');
    for (let i = 0; i < 1_000; i++) format.dayAndTime(at + i * HOUR, midnight + i * MINUTE);
    expect(format.dayAndTime(at, midnight - MINUTE)).to.equal('Tomorrow, 10:00 AM');
    expect(format.dayAndTime(at + 3 * HOUR, midnight)).to.equal('Today, 1:00 PM');
  });
});

describe('Formatter.dayAndTime in other locales', () => {
  it("joins the day and the time with the locale's own separator, not an English comma", () => {
    // Sat 18 Oct 2025, 8:00 PM UTC.
    const at = Date.UTC(2025, 9, 18, 20, 0);
    const japanese = new Formatter('ja-JP', 'UTC', 'JPY');
    expect(japanese.dayAndTime(at, at)).to.equal(`今日 ${japanese.time(at)}`);
    expect(japanese.dayAndTime(at, at - 3 * 24 * HOUR)).to.equal('10月18日(土) 20:00');
    const chinese = new Formatter('zh-CN', 'UTC', 'CNY');
    expect(chinese.dayAndTime(at, at - 24 * HOUR)).to.equal(`明天 ${chinese.time(at)}`);
    const arabic = new Formatter('ar-EG', 'UTC', 'EGP');
    for (const days of [0, 3]) {
      const label = arabic.dayAndTime(at, at - days * 24 * HOUR);
      expect(label, `${days} days`).to.include('، ').and.not.include(', ');
      expect(label, `${days} days`).to.match(new RegExp(`${arabic.time(at)}$`));
    }
    expect(new Formatter('en-US', 'UTC', 'USD').dayAndTime(at, at - 3 * 24 * HOUR)).to.equal(
      'Sat, Oct 18, 8:00 PM',
    );
  });
});

describe('Formatter.relative', () => {
  // New York's midnight starting Thu, Oct 16 is 04:00 UTC.
  const midnight = Date.UTC(2025, 9, 16, 4, 0);
  const format = new Formatter('en-US', 'America/New_York', 'USD');

  it("counts minutes and hours, then calendar days in the consultant's time zone", () => {
    const now = midnight + 22 * HOUR + 36 * MINUTE; // Thu 10:36 PM
    expect(format.relative(now + 5 * MINUTE + 30_000, now)).to.equal('in 5 min.');
    expect(format.relative(now + 3 * HOUR, now)).to.equal('in 3 hr.');
    // Sat 12:35 AM: 26 hours away, but two calendar days, as its day label says.
    expect(format.relative(midnight + 2 * 24 * HOUR + 35 * MINUTE, now)).to.equal('in 2 days');
    expect(format.dayAndTime(midnight + 2 * 24 * HOUR + 35 * MINUTE, now)).to.equal('Sat, Oct 18, 12:35 AM');
    // Fri 11:00 PM: the next calendar day.
    expect(format.relative(midnight + 24 * HOUR + 23 * HOUR, now)).to.equal('tomorrow');
    // A message from Wed 1:00 AM, read Thu 10:36 PM: 45 hours, one calendar day.
    expect(format.relative(midnight - 23 * HOUR, now)).to.equal('yesterday');
    expect(format.relative(midnight - 2 * 24 * HOUR, now)).to.equal('2 days ago');
  });

  it('counts hours, not "tomorrow" or "yesterday", beside a day already named', () => {
    const now = midnight + 22 * HOUR + 36 * MINUTE; // Thu 10:36 PM
    const friday = midnight + 24 * HOUR + 23 * HOUR; // Fri 11:00 PM
    expect(format.dayAndTime(friday, now)).to.equal('Tomorrow, 11:00 PM');
    expect(format.relative(friday, now, true)).to.equal('in 24 hr.');
    expect(format.relative(midnight - 23 * HOUR, now, true)).to.equal('45 hr. ago');
    // Further days are named by their date: the count of days says something it does not.
    expect(format.relative(midnight + 2 * 24 * HOUR + 35 * MINUTE, now, true)).to.equal('in 2 days');
    expect(format.relative(now + 3 * HOUR, now, true)).to.equal('in 3 hr.');
  });

  it('counts hours for a time a day or more away on the same calendar day (the 25 hours when clocks go back)', () => {
    // Sun, Nov 2, 2025 in New York: 12:15 AM EDT to 11:30 PM EST is 24 hours and 15 minutes.
    const now = Date.UTC(2025, 10, 2, 4, 15);
    const at = Date.UTC(2025, 10, 3, 4, 30);
    expect(format.dayAndTime(at, now)).to.equal('Today, 11:30 PM');
    expect(format.relative(at, now)).to.equal('in 24 hr.');
    expect(format.relative(now, at)).to.equal('24 hr. ago');
  });

  it('formats a date or time that names no time as nothing, instead of throwing', () => {
    for (const at of ['2026-13-45T99:00:00Z', 'Tuesday', NaN]) {
      expect(format.time(at)).to.equal('');
      expect(format.dayAndTime(at, midnight)).to.equal('');
      expect(format.relative(at, midnight)).to.equal('');
    }
  });
});

describe('Formatter days in other numbering systems and calendars', () => {
  /** The locale's own words for a day `days` away, as the formatter words them. */
  const dayWord = (locale: string, days: number, style: 'long' | 'short' = 'long') =>
    new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style }).format(days, 'day');
  const capitalized = (locale: string, word: string) =>
    word.charAt(0).toLocaleUpperCase(locale) + word.slice(1);
  /** The separator between a date and a time: the locale's own. */
  const separators: Record<string, string> = { 'ar-EG': '، ', 'ar-SA': '، ', 'fa-IR': '، ', 'th-TH': ' ' };
  const dayAndTime = (locale: string, days: number, time: string) =>
    `${capitalized(locale, dayWord(locale, days))}${separators[locale.slice(0, 5)] ?? ', '}${time}`;

  it('counts days with digits other than 0-9 (Arabic in Egypt, Bengali, Marathi)', () => {
    // 14:00 UTC on Wed 15 Oct 2025: late afternoon or evening of that Wednesday in each of these zones.
    const now = Date.UTC(2025, 9, 15, 14, 0);
    for (const [locale, timeZone] of [
      ['ar-EG', 'Africa/Cairo'],
      ['ar-SA', 'Asia/Riyadh'],
      ['bn-BD', 'Asia/Dhaka'],
      ['mr-IN', 'Asia/Kolkata'],
    ]) {
      const format = new Formatter(locale!, timeZone!, 'USD');
      const tomorrow = now + 20 * HOUR;
      expect(format.dayAndTime(now, now), locale).to.equal(dayAndTime(locale!, 0, format.time(now)));
      expect(format.dayAndTime(tomorrow, now), locale).to.equal(
        dayAndTime(locale!, 1, format.time(tomorrow)),
      );
      expect(format.relative(now + 26 * HOUR, now), locale).to.equal(dayWord(locale!, 1, 'short'));
      expect(format.relative(now - 30 * HOUR, now), locale).to.equal(dayWord(locale!, -1, 'short'));
      expect(format.relative(now + 3 * 24 * HOUR, now), locale).to.equal(
        new Intl.RelativeTimeFormat(locale, { style: 'short' }).format(3, 'day'),
      );
    }
  });

  it('counts days across the end of a month in the Buddhist calendar (Thai)', () => {
    const format = new Formatter('th-TH', 'Asia/Bangkok', 'THB');
    // Fri 28 Feb 2025 (2568 in the Buddhist era), 10:00 AM in Bangkok (UTC+7), to Sat 1 Mar.
    const now = Date.UTC(2025, 1, 28, 3, 0);
    const nextDay = Date.UTC(2025, 2, 1, 2, 0);
    expect(format.dayAndTime(nextDay, now)).to.equal(dayAndTime('th-TH', 1, format.time(nextDay)));
    expect(format.relative(nextDay + 13 * HOUR, now)).to.equal(dayWord('th-TH', 1, 'short'));
    expect(format.relative(now, nextDay + 13 * HOUR)).to.equal(dayWord('th-TH', -1, 'short'));
    // Tue 29 Feb 2028 (2571, which would not be a leap year in the Gregorian calendar) to Wed 1 Mar.
    const leapDay = Date.UTC(2028, 1, 29, 3, 0);
    const march = Date.UTC(2028, 2, 1, 2, 0);
    expect(format.dayAndTime(march, leapDay)).to.equal(dayAndTime('th-TH', 1, format.time(march)));
    expect(format.dayAndTime(leapDay, leapDay)).to.equal(dayAndTime('th-TH', 0, format.time(leapDay)));
  });

  it('counts days across the end of a month in the Persian calendar, in Persian and in Latin digits', () => {
    // Wed 21 May 2025 is 31 Ordibehesht 1404, the last day of the month; Thu 22 May is 1 Khordad.
    const now = Date.UTC(2025, 4, 21, 6, 30); // 10:00 AM in Tehran (UTC+3:30)
    const nextDay = Date.UTC(2025, 4, 22, 5, 30);
    for (const locale of ['fa-IR', 'fa-IR-u-nu-latn']) {
      const format = new Formatter(locale, 'Asia/Tehran', 'IRR');
      expect(format.dayAndTime(nextDay, now), locale).to.equal(dayAndTime(locale, 1, format.time(nextDay)));
      expect(format.dayAndTime(now - 2 * HOUR, now), locale).to.equal(
        dayAndTime(locale, 0, format.time(now - 2 * HOUR)),
      );
      expect(format.relative(nextDay + 12 * HOUR, now), locale).to.equal(dayWord(locale, 1, 'short'));
      expect(format.relative(now - 24 * HOUR, nextDay), locale).to.equal(dayWord(locale, -2, 'short'));
    }
  });
});

describe('Formatter.money', () => {
  /** The formatter's text with its no-break spaces as spaces (browsers differ in which they put where). */
  const money = (amountMinor: number, currency: string, locale = 'en-US') =>
    new Formatter(locale, 'UTC', currency).money(amountMinor).replace(/[\u00a0\u202f]/g, ' ');

  it("reads minor units by the currency's ISO 4217 exponent, in every browser", () => {
    expect(money(500_000, 'USD')).to.equal('$5,000');
    expect(money(501_250, 'USD')).to.equal('$5,012.50');
    expect(money(123_455, 'EUR')).to.equal('€1,234.55');
    expect(money(-500, 'EUR')).to.equal('-€5');
    expect(money(500_000, 'JPY')).to.equal('¥500,000');
    // ISO 4217: 2 for the forint and 3 for the Iraqi dinar, whatever digits a browser shows for them.
    expect(money(500_000, 'HUF')).to.equal('HUF 5,000');
    expect(money(500_000, 'IQD')).to.equal('IQD 500');
    expect(money(500_000, 'KWD')).to.equal('KWD 500');
    expect(money(1_234_567, 'KWD')).to.equal('KWD 1,234.567');
    expect(money(500_000, 'CLF')).to.equal('CLF 50');
    expect(money(123_456, 'CLF')).to.equal('CLF 12.3456');
  });

  it('shows a part of the main unit as it was paid, where a browser shows fewer digits for the currency', () => {
    expect(money(500_050, 'HUF')).to.equal('HUF 5,000.50');
    expect(money(500_125, 'IQD')).to.equal('IQD 500.125');
    expect(money(123_456_750, 'HUF', 'hu-HU')).to.equal('1 234 567,50 Ft');
    expect(money(123_456_700, 'HUF', 'hu-HU')).to.equal('1 234 567 Ft');
  });

  it("keeps the consultant's currency in the display locale", () => {
    expect(money(123_455, 'EUR', 'de-DE')).to.equal('1.234,55 €');
    expect(money(500_000, 'JPY', 'ja-JP')).to.equal('￥500,000');
  });
});
