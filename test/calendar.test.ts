import { describe, expect, it } from 'vitest';
import { addDuration, addWorkingDays, isWorkingDay, stageDeadline } from '../domain/policy.js';
import { defaultPolicy } from './support.js';

const { calendar } = defaultPolicy();
// Shanghai local time → UTC instant.
const sh = (local: string) => new Date(`${local}+08:00`);
const inShanghai = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('working-day calendar', () => {
  it('When a span crosses a weekend, then Saturday and Sunday do not count', () => {
    // Thu 2026-11-19 10:00 + 5 working days = Thu 2026-11-26 10:00 (skips 21, 22).
    expect(inShanghai(addWorkingDays(calendar, sh('2026-11-19T10:00'), 5))).toBe('2026-11-26 10:00');
    expect(inShanghai(addWorkingDays(calendar, sh('2026-11-20T17:30'), 1))).toBe('2026-11-23 17:30');
  });

  it('When a span crosses National Day, then the holiday week does not count and the make-up Saturday does', () => {
    expect(isWorkingDay(calendar, '2026-10-01')).toBe(false);
    expect(isWorkingDay(calendar, '2026-10-10')).toBe(true); // Saturday, 调休 make-up day
    expect(isWorkingDay(calendar, '2026-09-20')).toBe(true); // Sunday, 调休 make-up day
    // Wed 2026-09-30 09:00 + 2 working days: Oct 1–7 off, Thu Oct 8, Fri Oct 9.
    expect(inShanghai(addWorkingDays(calendar, sh('2026-09-30T09:00'), 2))).toBe('2026-10-09 09:00');
    // + 3: Sat Oct 10 is a working day.
    expect(inShanghai(addWorkingDays(calendar, sh('2026-09-30T09:00'), 3))).toBe('2026-10-10 09:00');
  });

  it('When a span crosses the Spring Festival, then its nine days off do not count and 14 and 28 February do', () => {
    // Fri 2026-02-13 + 1 working day = Sat Feb 14 (make-up day).
    expect(inShanghai(addWorkingDays(calendar, sh('2026-02-13T15:00'), 1))).toBe('2026-02-14 15:00');
    // Sat Feb 14 + 1 = Tue Feb 24 (15–23 off).
    expect(inShanghai(addWorkingDays(calendar, sh('2026-02-14T15:00'), 1))).toBe('2026-02-24 15:00');
  });

  it('When the day boundary differs between UTC and Shanghai, then Shanghai days decide', () => {
    // Fri 2026-11-20 23:30 in Shanghai is still Friday 15:30 UTC; +1 working day is Monday 23:30 Shanghai.
    expect(inShanghai(addWorkingDays(calendar, sh('2026-11-20T23:30'), 1))).toBe('2026-11-23 23:30');
  });

  it('When a stage is measured in hours or seconds, then it is calendar time', () => {
    expect(addDuration(calendar, sh('2026-10-01T00:00'), '24h').toISOString()).toBe(sh('2026-10-02T00:00').toISOString());
    expect(addDuration(calendar, new Date(0), '3s').getTime()).toBe(3000);
  });

  it('When the escalation stage is due, then the default policy gives 5 working days and urgent acceptance 1 h', () => {
    const policy = defaultPolicy();
    expect(inShanghai(new Date(stageDeadline(policy, 'escalation', sh('2026-09-28T10:00'), undefined, false)))).toBe('2026-10-10 10:00');
    const from = sh('2026-11-19T10:00');
    expect(Date.parse(stageDeadline(policy, 'acceptance', from, undefined, true)) - from.getTime()).toBe(3600_000);
    expect(Date.parse(stageDeadline(policy, 'acceptance', from, undefined, false)) - from.getTime()).toBe(4 * 3600_000);
  });
});
