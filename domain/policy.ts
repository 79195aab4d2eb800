// The deadline policy and the working-day calendar: pure functions over data loaded from policy/*.json.
// A case keeps the policy it was filed under (it travels in the workflow input), so replay never
// depends on a file that may have changed since.

import type { Category, Channel, Level, Stage } from './case.js';

/** "24h", "90m", "30s", "7d" (calendar time) or "5wd" (working days on the calendar). */
export type Duration = string;

export interface Calendar {
  /** Minutes east of UTC where the calendar's days begin (Shanghai: 480, no daylight saving). */
  utcOffsetMinutes: number;
  /** Days off that fall on weekdays: public holidays, "YYYY-MM-DD". */
  holidays: string[];
  /** Weekend days that are working days (调休 make-up days), "YYYY-MM-DD". */
  workdays: string[];
}

export interface Policy {
  deadlines: Record<Stage, Duration>;
  /** How long a case may stay overdue before it escalates one level by itself. */
  grace: Duration;
  ratingWindow: Duration;
  /** How long after an unsatisfied rating a supervisor may reopen the case. */
  reopenWindow: Duration;
  urgent: Partial<Record<Stage, Duration>>;
  categories: Partial<Record<Category, Partial<Record<Stage, Duration>>>>;
  media: {
    /** Channels whose cases carry a media item (the newspaper's own desk by default). */
    channels: Channel[];
    /** The review chain a draft passes, lowest level first (seed 003: up to squad → district → city). */
    reviewChain: Level[];
  };
  calendar: Calendar;
}

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

export function isDuration(value: string): boolean {
  return /^\d+(\.\d+)?(s|m|h|d|wd)$/.test(value);
}

function parse(duration: Duration): { amount: number; unit: string } {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|wd)$/.exec(duration);
  if (!m) throw new Error(`bad duration "${duration}": use a number followed by s, m, h, d or wd`);
  return { amount: Number(m[1]), unit: m[2]! };
}

function dayKey(localMs: number): string {
  return new Date(localMs).toISOString().slice(0, 10);
}

export function isWorkingDay(calendar: Calendar, date: string): boolean {
  if (calendar.workdays.includes(date)) return true;
  if (calendar.holidays.includes(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The same local time of day `days` working days after `from`: each step moves to the next
 * calendar day and on past any day off. A case filed on a day off thus gets full working days.
 */
export function addWorkingDays(calendar: Calendar, from: Date, days: number): Date {
  const offset = calendar.utcOffsetMinutes * 60_000;
  let local = from.getTime() + offset;
  for (let i = 0; i < days; i++) {
    local += DAY_MS;
    while (!isWorkingDay(calendar, dayKey(local))) local += DAY_MS;
  }
  return new Date(local - offset);
}

export function addDuration(calendar: Calendar, from: Date, duration: Duration): Date {
  const { amount, unit } = parse(duration);
  if (unit === 'wd') return addWorkingDays(calendar, from, Math.ceil(amount));
  return new Date(from.getTime() + amount * UNIT_MS[unit]!);
}

export function stageDuration(policy: Policy, stage: Stage, category: Category | undefined, urgent: boolean): Duration {
  const byCategory = category ? policy.categories[category]?.[stage] : undefined;
  const byUrgency = urgent ? policy.urgent[stage] : undefined;
  return byUrgency ?? byCategory ?? policy.deadlines[stage];
}

export function stageDeadline(
  policy: Policy,
  stage: Stage,
  from: Date,
  category: Category | undefined,
  urgent: boolean,
): string {
  return addDuration(policy.calendar, from, stageDuration(policy, stage, category, urgent)).toISOString();
}
