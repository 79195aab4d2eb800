// Workstation duties (seeds 000, 001; DOMAIN.md "Workstation duties"): what a liaison officer's visit
// records, what the weekly and monthly checks hold each workstation and squad to, and how a shortfall is
// named. Pure: the API, the check workflow (in Temporal's sandbox) and the activities share it.

import { type Period, previousShanghaiMonth, previousShanghaiWeek, shanghaiDay, shanghaiWeekOf } from './periods.js';

/**
 * What is done on a visit (seed 001 §三(三) 具体职能): 社区巡查, 投诉处置, 普法宣传, 意见征集, 物业监督, and
 * 社区参与 (the community's meetings, joint duty and inspections). Their names are in the console's catalogue.
 */
export const DUTY_ACTIVITIES = ['patrol', 'complaint_handling', 'legal_publicity', 'opinion_collection', 'property_supervision', 'community_meeting'] as const;
export type DutyActivity = (typeof DUTY_ACTIVITIES)[number];

/** What the schedules find short: a workstation's week of visits, a squad's month of released publicity. */
export const SHORTFALL_KINDS = ['weekly_visits', 'monthly_publicity'] as const;
export type ShortfallKind = (typeof SHORTFALL_KINDS)[number];

/** A workstation's week complies with at least `minVisits` visits totalling at least `minMinutes` minutes. */
export interface WeeklyVisitRule {
  minVisits: number;
  minMinutes: number;
}

/** A squad's month complies with at least `minReleased` publicity items released (and not taken down) in it. */
export interface MonthlyPublicityRule {
  minReleased: number;
}

/** What the checks hold workstations and squads to (policy/duties.json). */
export interface DutyThresholds {
  weekly: WeeklyVisitRule;
  monthly: MonthlyPublicityRule;
}

export const weekComplies = (rule: WeeklyVisitRule, week: { visits: number; minutes: number }): boolean =>
  week.visits >= rule.minVisits && week.minutes >= rule.minMinutes;

export const monthComplies = (rule: MonthlyPublicityRule, month: { released: number }): boolean => month.released >= rule.minReleased;

/** A visit's length in whole minutes, as the log keeps it. */
export const visitMinutes = (startedAt: Date, endedAt: Date): number => Math.round((endedAt.getTime() - startedAt.getTime()) / 60_000);

/**
 * The week a visit counts in: the week it started in, all of its minutes. A visit from Sunday 23:00 to
 * Monday 01:00 is one entry of Sunday's logbook (社区工作室记录本) and counts for that week whole — it is
 * not split at midnight. A visit lasts at most a working day, so little ever spills over.
 */
export const weekOfVisit = (startedAt: Date): Period => shanghaiWeekOf(startedAt);

/** The period a check of `kind` run at `at` looks at: the week, or the month, before the one `at` is in. */
export function periodChecked(kind: ShortfallKind, at: Date): Period {
  return kind === 'weekly_visits' ? previousShanghaiWeek(at) : previousShanghaiMonth(at);
}

/**
 * A shortfall's id, the same however often its period is checked: the kind, the workstation or squad, and
 * the Shanghai day its period starts ("weekly_visits:<workstation>:2026-11-16"). A schedule run or a
 * backfill that runs twice records it once.
 */
export const shortfallId = (kind: ShortfallKind, subjectId: string, periodStart: Date): string => `${kind}:${subjectId}:${shanghaiDay(periodStart)}`;

/** The outbox message that tells the squad's supervisors (the squad leader) of a shortfall: one per shortfall. */
export const shortfallNotificationId = (shortfall: string): string => `${shortfall}:supervisor`;
