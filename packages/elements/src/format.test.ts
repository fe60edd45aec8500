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
});
