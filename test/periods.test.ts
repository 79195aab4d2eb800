// Shanghai's weeks and months as the duty checks count them (domain/periods.ts): Monday 00:00 to Monday
// 00:00 and the 1st to the 1st at +08:00, whatever the machine's own time zone; the last minute of a
// Sunday against the first of a Monday; a visit across midnight counted in the week it started; month
// ends of 28, 29, 30 and 31 days; December into January.

import { describe, expect, it } from 'vitest';
import { periodChecked, shortfallId, weekOfVisit, weekComplies } from '../domain/duties.js';
import {
  parseShanghaiDay,
  parseShanghaiMonth,
  previousShanghaiMonth,
  previousShanghaiWeek,
  shanghaiDay,
  shanghaiMonthOf,
  shanghaiMonthsStartingIn,
  shanghaiWeekOf,
  shanghaiWeeksStartingIn,
} from '../domain/periods.js';

const at = (s: string) => new Date(s);
const iso = (p: { start: Date; end: Date }) => ({ start: p.start.toISOString(), end: p.end.toISOString() });

describe('Asia/Shanghai weeks', () => {
  it('When it is Sunday 23:59 in Shanghai, then the week is the one that began the Monday before', () => {
    // Sunday 2026-11-22 23:59 +08:00 is 15:59 UTC that Sunday.
    expect(iso(shanghaiWeekOf(at('2026-11-22T23:59:00+08:00')))).toEqual({ start: '2026-11-15T16:00:00.000Z', end: '2026-11-22T16:00:00.000Z' });
    expect(iso(shanghaiWeekOf(at('2026-11-22T23:59:59.999+08:00')))).toEqual({ start: '2026-11-15T16:00:00.000Z', end: '2026-11-22T16:00:00.000Z' });
  });

  it('When it is Monday 00:00 in Shanghai (still Sunday in UTC), then a new week has begun', () => {
    const monday = at('2026-11-23T00:00:00+08:00');
    expect(monday.getUTCDay()).toBe(0); // Sunday 16:00 UTC: a UTC week would still be the old one
    expect(iso(shanghaiWeekOf(monday))).toEqual({ start: '2026-11-22T16:00:00.000Z', end: '2026-11-29T16:00:00.000Z' });
    expect(shanghaiDay(shanghaiWeekOf(monday).start)).toBe('2026-11-23');
  });

  it('When any instant of a week is asked, then every one gives the same week, and the end is the next start', () => {
    const week = shanghaiWeekOf(at('2026-11-25T12:00:00+08:00'));
    for (let h = 0; h < 7 * 24; h += 5) expect(iso(shanghaiWeekOf(new Date(week.start.getTime() + h * 3_600_000)))).toEqual(iso(week));
    expect(iso(shanghaiWeekOf(week.end)).start).toBe(week.end.toISOString());
    expect(week.end.getTime() - week.start.getTime()).toBe(7 * 86_400_000);
  });

  it('When a week runs over a month or a year, then it is still Monday to Monday', () => {
    // Wednesday 31 December 2025: the week of Monday 29 December 2025 to Monday 5 January 2026.
    expect(iso(shanghaiWeekOf(at('2025-12-31T10:00:00+08:00')))).toEqual({ start: '2025-12-28T16:00:00.000Z', end: '2026-01-04T16:00:00.000Z' });
    expect(iso(shanghaiWeekOf(at('2026-01-04T23:00:00+08:00')))).toEqual({ start: '2025-12-28T16:00:00.000Z', end: '2026-01-04T16:00:00.000Z' });
  });

  it('When a check runs on Monday morning, then it checks the week just ended; one run a minute earlier checks the week before that', () => {
    expect(iso(previousShanghaiWeek(at('2026-11-23T06:00:00+08:00')))).toEqual({ start: '2026-11-15T16:00:00.000Z', end: '2026-11-22T16:00:00.000Z' });
    expect(iso(previousShanghaiWeek(at('2026-11-22T23:59:00+08:00')))).toEqual({ start: '2026-11-08T16:00:00.000Z', end: '2026-11-15T16:00:00.000Z' });
    expect(iso(periodChecked('weekly_visits', at('2026-11-23T06:00:00+08:00')))).toEqual(iso(previousShanghaiWeek(at('2026-11-23T06:00:00+08:00'))));
  });

  it('When a visit runs from Sunday 23:00 to Monday 01:00, then it counts, whole, in the week it started', () => {
    const started = at('2026-11-22T23:00:00+08:00');
    expect(iso(weekOfVisit(started))).toEqual({ start: '2026-11-15T16:00:00.000Z', end: '2026-11-22T16:00:00.000Z' });
    // The same two hours starting at Monday 00:00 are the next week's.
    expect(shanghaiDay(weekOfVisit(at('2026-11-23T00:00:00+08:00')).start)).toBe('2026-11-23');
    expect(weekComplies({ minVisits: 1, minMinutes: 120 }, { visits: 1, minutes: 120 })).toBe(true);
    expect(weekComplies({ minVisits: 1, minMinutes: 120 }, { visits: 1, minutes: 119 })).toBe(false);
    expect(weekComplies({ minVisits: 1, minMinutes: 120 }, { visits: 0, minutes: 0 })).toBe(false);
  });

  it('When a range of days is given, then its weeks are those whose Monday lies in it', () => {
    const november = parseShanghaiMonth('2026-11')!;
    expect(shanghaiWeeksStartingIn(november).map((w) => shanghaiDay(w.start))).toEqual(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
    const range = { start: parseShanghaiDay('2026-11-02')!, end: parseShanghaiDay('2026-11-16')! };
    expect(shanghaiWeeksStartingIn(range).map((w) => shanghaiDay(w.start))).toEqual(['2026-11-02', '2026-11-09']);
  });
});

describe('Asia/Shanghai months', () => {
  it('When it is the last minute of a month in Shanghai, then it is that month; the next minute is the next month, though UTC still says the old one', () => {
    expect(iso(shanghaiMonthOf(at('2026-11-30T23:59:00+08:00')))).toEqual({ start: '2026-10-31T16:00:00.000Z', end: '2026-11-30T16:00:00.000Z' });
    const first = at('2026-12-01T00:00:00+08:00');
    expect(first.getUTCMonth()).toBe(10); // still November in UTC
    expect(iso(shanghaiMonthOf(first))).toEqual({ start: '2026-11-30T16:00:00.000Z', end: '2026-12-31T16:00:00.000Z' });
  });

  it('When December ends, then the month runs to 1 January 00:00 of the next year, and January checks December', () => {
    expect(iso(shanghaiMonthOf(at('2026-12-31T23:59:59+08:00')))).toEqual({ start: '2026-11-30T16:00:00.000Z', end: '2026-12-31T16:00:00.000Z' });
    expect(iso(shanghaiMonthOf(at('2027-01-01T00:00:00+08:00')))).toEqual({ start: '2026-12-31T16:00:00.000Z', end: '2027-01-31T16:00:00.000Z' });
    expect(iso(previousShanghaiMonth(at('2027-01-01T06:30:00+08:00')))).toEqual({ start: '2026-11-30T16:00:00.000Z', end: '2026-12-31T16:00:00.000Z' });
    expect(iso(periodChecked('monthly_publicity', at('2027-01-01T06:30:00+08:00')))).toEqual(iso(previousShanghaiMonth(at('2027-01-01T06:30:00+08:00'))));
  });

  it('When months have 28, 29, 30 or 31 days, then each ends where the next begins', () => {
    const days = (m: string) => {
      const p = parseShanghaiMonth(m)!;
      return (p.end.getTime() - p.start.getTime()) / 86_400_000;
    };
    expect([days('2026-02'), days('2028-02'), days('2026-04'), days('2026-12')]).toEqual([28, 29, 30, 31]);
    expect(iso(shanghaiMonthOf(at('2028-02-29T12:00:00+08:00')))).toEqual(iso(parseShanghaiMonth('2028-02')!));
    const months = shanghaiMonthsStartingIn({ start: parseShanghaiDay('2026-10-15')!, end: parseShanghaiDay('2027-02-01')! });
    expect(months.map((m) => shanghaiDay(m.start))).toEqual(['2026-11-01', '2026-12-01', '2027-01-01']);
  });

  it('When a day or month is written wrong, then it is no day or month (not the next one rolled over)', () => {
    expect(parseShanghaiDay('2026-02-30')).toBeUndefined();
    expect(parseShanghaiDay('2026-2-3')).toBeUndefined();
    expect(parseShanghaiMonth('2026-13')).toBeUndefined();
    expect(parseShanghaiDay('2026-11-23')!.toISOString()).toBe('2026-11-22T16:00:00.000Z');
  });

  it('When a shortfall is named, then its id is the kind, the subject and its period\'s first Shanghai day', () => {
    expect(shortfallId('weekly_visits', 'ws-1', at('2026-11-15T16:00:00.000Z'))).toBe('weekly_visits:ws-1:2026-11-16');
    expect(shortfallId('monthly_publicity', 'sq-1', parseShanghaiMonth('2027-01')!.start)).toBe('monthly_publicity:sq-1:2027-01-01');
  });
});
