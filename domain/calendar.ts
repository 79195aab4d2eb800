// How far the working-day calendar reaches. policy/calendar.json lists each year's holidays and make-up
// days from the State Council's yearly notice; past the last year listed, addWorkingDays can only count
// Monday to Friday, so a deadline there may land on a holiday. These pure functions say where the
// calendar ends and whether a deadline or the policy's longest horizon goes past it.

import { type Calendar, type Duration, type Policy, addDuration } from './policy.js';

const DAY_MS = 86_400_000;

/**
 * The last day the calendar covers: 31 December of the latest year any of its dates falls in. A year's
 * notice always names its New Year's Day, so that year is present once its notice is in (the notice
 * may also name late-December days of the year before, which never moves the end forward).
 */
export function calendarCoversThrough(calendar: Calendar): string | undefined {
  const years = [...calendar.holidays, ...calendar.workdays].map((d) => Number(d.slice(0, 4)));
  return years.length > 0 ? `${Math.max(...years)}-12-31` : undefined;
}

/** The calendar day (YYYY-MM-DD) an instant falls on where the calendar's days begin (Shanghai). */
export function calendarDay(calendar: Calendar, at: Date | string): string {
  return new Date(new Date(at).getTime() + calendar.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** Whether `deadline` falls after the last day the calendar covers (an empty calendar covers nothing). */
export function beyondCalendar(calendar: Calendar, deadline: string): boolean {
  const end = calendarCoversThrough(calendar);
  return end === undefined || calendarDay(calendar, deadline) > end;
}

/** Every duration a policy counts from some moment: stages, windows, the suggestion and publicity steps. */
function policyDurations(policy: Policy): Duration[] {
  return [
    ...Object.values(policy.deadlines),
    policy.grace,
    policy.ratingWindow,
    policy.reopenWindow,
    ...Object.values(policy.urgent),
    ...Object.values(policy.categories).flatMap((stages) => Object.values(stages ?? {})),
    ...(policy.hotlineReturn ? [policy.hotlineReturn] : []),
    ...Object.values(policy.suggestion ?? {}),
    ...Object.values(policy.publicity ?? {}),
  ].filter((d): d is Duration => typeof d === 'string');
}

export interface CalendarOutlook {
  /** The last day the calendar covers, or null when it lists no date at all. */
  coversThrough: string | null;
  /** Days from today to that day (negative once past it). */
  daysLeft: number | null;
  /** The latest deadline a case or suggestion filed now may get from one of the policy's durations. */
  furthestDeadline: string;
  /** That deadline's duration in the policy, e.g. "60wd". */
  longestDuration: Duration;
  /** True when that deadline falls past the calendar: some deadlines computed today may land on a holiday. */
  gap: boolean;
  /**
   * ok: no deadline computed today reaches past the calendar, nor is its end within the warning days;
   * warning: one of them is true — add the next year (README "The working-day calendar");
   * expired: today itself is past the calendar.
   */
  status: 'ok' | 'warning' | 'expired';
}

/**
 * Where the calendar stands today: `warnDays` before its end it warns even when no deadline reaches past
 * it yet, so the next year's notice is added in time.
 */
export function calendarOutlook(policy: Policy, now: Date, warnDays: number): CalendarOutlook {
  const end = calendarCoversThrough(policy.calendar);
  let furthest = now;
  let longestDuration: Duration = '0s';
  for (const duration of policyDurations(policy)) {
    const at = addDuration(policy.calendar, now, duration);
    if (at > furthest) {
      furthest = at;
      longestDuration = duration;
    }
  }
  const furthestDeadline = furthest.toISOString();
  const today = calendarDay(policy.calendar, now);
  const daysLeft = end === undefined ? null : Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS);
  const gap = beyondCalendar(policy.calendar, furthestDeadline);
  const status = daysLeft === null || daysLeft < 0 ? 'expired' : gap || daysLeft <= warnDays ? 'warning' : 'ok';
  return { coversThrough: end ?? null, daysLeft, furthestDeadline, longestDuration, gap, status };
}
