// What the scorecard counts (domain/scorecard.ts), as a few grouped queries over a period and a unit —
// never one query per workstation: the city has 6,000 of them. Cases are those filed in the period (as
// the dashboard counts them); visits and publicity items are judged by Shanghai week and month. Each query answers one row per workstation or squad that has something; the use case fills
// in the others with zeros.

import { type SQL, and, gte, lt, sql } from 'drizzle-orm';
import type { MonthlyPublicityRule, WeeklyVisitRule } from '../../domain/duties.js';
import type { Db } from '../client.js';
import { dutyVisits, publicityItems } from '../schema.js';

export interface ScorecardScope {
  /** A district or squad; none for the whole city. */
  unit?: { id: string; kind: 'city' | 'district' | 'squad' };
  /** The period: from inclusive, to exclusive (ISO instants). */
  from: string;
  to: string;
}

const TZ = sql.raw(`'Asia/Shanghai'`);

const within = (unit: ScorecardScope['unit'], district: SQL, squad: SQL): SQL | undefined =>
  unit?.kind === 'district' ? sql`${district} = ${unit.id}` : unit?.kind === 'squad' ? sql`${squad} = ${unit.id}` : undefined;

export interface CaseTally {
  key: string;
  cases: number;
  onTime: number;
  onTimeJudged: number;
  solvedOnSite: number;
  rated: number;
  satisfied: number;
  basicallySatisfied: number;
}

/**
 * Per workstation (cases naming one) or per squad: cases filed in the period; on time (closed, never late)
 * of those judged (closed, or late already); solved on site as the dashboard counts it (resolved, never
 * escalated above the squad); ratings.
 *
 * A case is late when a stage deadline of its own passed before the stage was done: its timeline holds
 * the stage clock's `deadline_passed` (the media review's and the 12345 return's clocks are other people's),
 * or it is open now with its deadline behind it (the workflow may not have marked it yet). The cases with
 * such an event are found once, as a set joined by hash: asked case by case, the timeline's index was
 * probed 100,000 times for a city's month (the whole query 1.4 s, measured; as a set 0.25 s). The set is
 * one pass over `case_events` (no index finds these events; an index on `(at, case_id) where type =
 * 'deadline_passed'` would make it a range read). Such an event comes after the filing, so only events
 * from the period's start are kept.
 */
export async function caseTallies(db: Db, s: ScorecardScope, by: 'workstation' | 'squad'): Promise<CaseTally[]> {
  const key = by === 'workstation' ? sql`c.workstation_id` : sql`c.squad_id`;
  const scope = within(s.unit, sql`c.district_id`, sql`c.squad_id`);
  const rows = await db.execute<CaseTally & Record<string, unknown>>(sql`
    with missed as materialized (
      select distinct case_id from case_events
      where type = 'deadline_passed' and payload->>'clock' = 'stage' and at >= ${s.from}::timestamptz
    ),
    filed as (
      select ${key} as key, c.state, c.outcome, c.escalation_level, c.rating,
             (m.case_id is not null or (c.state <> 'closed' and c.deadline_at <= now())) as late
      from cases c left join missed m on m.case_id = c.id
      where c.created_at >= ${s.from}::timestamptz and c.created_at < ${s.to}::timestamptz and ${key} is not null ${scope ? sql`and ${scope}` : sql``}
    )
    select key,
           count(*)::int as cases,
           (count(*) filter (where state = 'closed' and not late))::int as "onTime",
           (count(*) filter (where state = 'closed' or late))::int as "onTimeJudged",
           (count(*) filter (where outcome = 'resolved' and escalation_level = 'squad'))::int as "solvedOnSite",
           (count(*) filter (where rating is not null))::int as rated,
           (count(*) filter (where rating = 'satisfied'))::int as satisfied,
           (count(*) filter (where rating = 'basically_satisfied'))::int as "basicallySatisfied"
    from filed
    group by key`);
  return [...rows];
}

/**
 * Per workstation, the weeks among `weeks` (consecutive Shanghai weeks, [from, to)) whose visits met the
 * weekly rule as the weekly check applies it (domain/duties.ts `weekComplies`): at least `minVisits` visits
 * totalling at least `minMinutes` minutes, a visit counting in the week it started.
 */
export async function dutyWeeksMet(db: Db, s: Pick<ScorecardScope, 'unit'> & { weeks: { from: string; to: string } } & WeeklyVisitRule) {
  const week = sql`date_trunc('week', ${dutyVisits.startedAt} at time zone ${TZ})`;
  const met = db
    .select({ workstationId: sql<string>`${dutyVisits.workstationId}`.as('workstation_id') })
    .from(dutyVisits)
    .where(
      and(
        gte(dutyVisits.startedAt, s.weeks.from),
        lt(dutyVisits.startedAt, s.weeks.to),
        within(s.unit, sql`${dutyVisits.districtId}`, sql`${dutyVisits.squadId}`),
      ),
    )
    .groupBy(dutyVisits.workstationId, week)
    .having(sql`count(*) >= ${s.minVisits} and sum(${dutyVisits.minutes}) >= ${s.minMinutes}`)
    .as('met');
  return db
    .select({ workstationId: met.workstationId, weeksMet: sql<number>`count(*)::int` })
    .from(met)
    .groupBy(met.workstationId);
}

/**
 * Per squad: the publicity items released in the period and not taken down before its end (the duties'
 * contract: released in the month, not taken down in it); and, among `months` (consecutive Shanghai
 * months), those in which at least `minReleased` were released and not taken down within that month —
 * the monthly check's rule (domain/duties.ts `monthComplies`, db/queries/duties.ts `squadMonths`).
 */
export async function publicityTallies(db: Db, s: ScorecardScope & { months?: { from: string; to: string } } & MonthlyPublicityRule) {
  const month = sql`date_trunc('month', ${publicityItems.releasedAt} at time zone ${TZ})`;
  const monthEnd = sql`((${month} + interval '1 month') at time zone ${TZ})`;
  const scope = within(s.unit, sql`${publicityItems.districtId}`, sql`${publicityItems.squadId}`);
  const released = db
    .select({ squadId: publicityItems.squadId, released: sql<number>`count(*)::int` })
    .from(publicityItems)
    .where(
      and(
        gte(publicityItems.releasedAt, s.from),
        lt(publicityItems.releasedAt, s.to),
        sql`(${publicityItems.takenDownAt} is null or ${publicityItems.takenDownAt} >= ${s.to})`,
        scope,
      ),
    )
    .groupBy(publicityItems.squadId);
  if (!s.months) return { released: await released, monthsMet: [] };
  const metMonths = db
    .select({ squadId: sql<string>`${publicityItems.squadId}`.as('squad_id') })
    .from(publicityItems)
    .where(
      and(
        gte(publicityItems.releasedAt, s.months.from),
        lt(publicityItems.releasedAt, s.months.to),
        sql`(${publicityItems.takenDownAt} is null or ${publicityItems.takenDownAt} >= ${monthEnd})`,
        scope,
      ),
    )
    .groupBy(publicityItems.squadId, month)
    .having(sql`count(*) >= ${s.minReleased}`)
    .as('met');
  const monthsMet = db.select({ squadId: metMonths.squadId, monthsMet: sql<number>`count(*)::int` }).from(metMonths).groupBy(metMonths.squadId);
  const [r, m] = await Promise.all([released, monthsMet]);
  return { released: r, monthsMet: m };
}
