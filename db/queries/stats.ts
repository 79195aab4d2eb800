// The supervisors' dashboard (seed 002 §四(二), seed 004): how many cases of which kind came from where,
// how they ended, how long each stage took, how citizens rated them, and how that moved around a date.
// Every query takes the same scope — a unit, a channel, a category, a period of filing — and reads the
// read model only. Weeks are Shanghai weeks, Monday to Sunday.

import { type SQL, and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { caseEvents, cases } from '../schema.js';

export interface StatsScope {
  unit?: { id: string; kind: 'city' | 'district' | 'squad' };
  channel?: string;
  category?: string;
  /** Filed at or after. */
  from?: string;
  /** Filed before. */
  to?: string;
}

const TZ = 'Asia/Shanghai';

function scoped(s: StatsScope): SQL | undefined {
  return and(
    s.unit?.kind === 'district' ? eq(cases.districtId, s.unit.id) : undefined,
    s.unit?.kind === 'squad' ? eq(cases.squadId, s.unit.id) : undefined,
    s.channel ? eq(cases.channel, s.channel) : undefined,
    s.category ? eq(cases.category, s.category) : undefined,
    s.from ? gte(cases.createdAt, s.from) : undefined,
    s.to ? lt(cases.createdAt, s.to) : undefined,
  );
}

const count = (condition?: SQL) => (condition ? sql<number>`(count(*) filter (where ${condition}))::int` : sql<number>`count(*)::int`);
/** part / whole to four places, null when there is no whole. */
const share = (part: SQL, whole: SQL) => sql<number | null>`round(${part}::numeric / nullif(${whole}, 0), 4)::float8`;
/** The Monday (Shanghai) of the week the case was filed in, as YYYY-MM-DD. */
const weekOf = sql<string>`to_char(date_trunc('week', ${cases.createdAt} at time zone ${sql.raw(`'${TZ}'`)}), 'YYYY-MM-DD')`;

const SOLVED_ON_SITE = sql`${cases.outcome} = 'resolved' and ${cases.escalationLevel} = 'squad'`;
const ESCALATED = sql`${cases.escalationLevel} <> 'squad'`;
const OPEN = sql`${cases.state} <> 'closed'`;
const OVERDUE = sql`${cases.state} <> 'closed' and ${cases.deadlineAt} <= now()`;

export interface Overview {
  total: number;
  open: number;
  solvedOnSite: number;
  escalated: number;
  transferred: number;
  explained: number;
  overdue: number;
  shares: { solvedOnSite: number | null; escalated: number | null; transferred: number | null; explained: number | null };
  overdueRate: number | null;
}

/** How the cases ended, as counts and shares of all filed; overdue now, as a share of the open ones. */
export async function statsOverview(db: Db, s: StatsScope): Promise<Overview> {
  const [row] = await db
    .select({
      total: count(),
      open: count(OPEN),
      solvedOnSite: count(SOLVED_ON_SITE),
      escalated: count(ESCALATED),
      transferred: count(sql`${cases.outcome} = 'transferred'`),
      explained: count(sql`${cases.outcome} = 'explained'`),
      overdue: count(OVERDUE),
    })
    .from(cases)
    .where(scoped(s));
  const r = row!;
  const of = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
  return {
    ...r,
    shares: { solvedOnSite: of(r.solvedOnSite, r.total), escalated: of(r.escalated, r.total), transferred: of(r.transferred, r.total), explained: of(r.explained, r.total) },
    overdueRate: of(r.overdue, r.open),
  };
}

export interface StageTime {
  state: string;
  /** Completed stays in the state: entered and left. */
  stays: number;
  medianHours: number;
  p90Hours: number;
}

/**
 * Time from entering a state to leaving it, per state, over the stays that ended, from the timeline of
 * the cases in scope. Events that keep the state (a supplement, an overdue notice) neither start nor end
 * a stay; a reopened case counts each stay.
 */
export async function stageTimes(db: Db, s: StatsScope): Promise<StageTime[]> {
  // Each event that left a state carries the stay's length (case_events.stay_seconds, set at insert).
  const hours = (p: number) => sql<number>`round((percentile_cont(${sql.raw(String(p))}) within group (order by ${caseEvents.staySeconds}) / 3600)::numeric, 4)::float8`;
  const rows = await db
    .select({ state: sql<string>`${caseEvents.fromState}`, stays: sql<number>`count(*)::int`, medianHours: hours(0.5), p90Hours: hours(0.9) })
    .from(caseEvents)
    .innerJoin(cases, eq(cases.id, caseEvents.caseId))
    .where(and(sql`${caseEvents.staySeconds} is not null`, scoped(s)))
    .groupBy(caseEvents.fromState)
    .orderBy(sql`array_position(array['triage','joint_triage','dispatched','investigating','escalated','resolved']::text[], ${caseEvents.fromState})`);
  return rows;
}

export const MATRIX_ROWS = ['district', 'squad', 'category', 'channel'] as const;
export const MATRIX_COLS = ['category', 'channel', 'week'] as const;
export type MatrixRow = (typeof MATRIX_ROWS)[number];
export type MatrixCol = (typeof MATRIX_COLS)[number];

const dimension = (d: MatrixRow | MatrixCol): SQL<string | null> =>
  ({
    district: sql<string | null>`${cases.districtId}`,
    squad: sql<string | null>`${cases.squadId}`,
    category: sql<string | null>`${cases.category}`,
    channel: sql<string | null>`${cases.channel}`,
    week: weekOf,
  })[d];

/** Counts by two dimensions: one cell per pair that has cases. */
export async function statsMatrix(db: Db, s: StatsScope & { rows: MatrixRow; cols: MatrixCol }) {
  const row = dimension(s.rows);
  const col = dimension(s.cols);
  return db
    .select({ row: sql<string | null>`${row}`, col: sql<string | null>`${col}`, total: count(), overdue: count(OVERDUE) })
    .from(cases)
    .where(scoped(s))
    .groupBy(row, col)
    .orderBy(sql`1 nulls last`, sql`2 nulls last`);
}

export const SATISFACTION_BY = ['district', 'squad'] as const;
export type SatisfactionBy = (typeof SATISFACTION_BY)[number];

const ratings = () => ({
  rated: count(sql`${cases.rating} is not null`),
  satisfied: count(sql`${cases.rating} = 'satisfied'`),
  basicallySatisfied: count(sql`${cases.rating} = 'basically_satisfied'`),
  unsatisfied: count(sql`${cases.rating} = 'unsatisfied'`),
  /** Satisfied or basically satisfied, of the rated: the 满意率 seed 004 reports. */
  satisfaction: share(sql`count(*) filter (where ${cases.rating} in ('satisfied', 'basically_satisfied'))`, sql`count(*) filter (where ${cases.rating} is not null)`),
});

/** Ratings by district or squad: how many closed cases were rated, and how. */
export async function satisfactionByUnit(db: Db, s: StatsScope & { by: SatisfactionBy }) {
  const key = s.by === 'district' ? cases.districtId : cases.squadId;
  const rated = sql`count(*) filter (where ${cases.rating} is not null)`;
  return db
    .select({
      key: sql<string | null>`${key}`,
      total: count(),
      closed: count(sql`${cases.state} = 'closed'`),
      ...ratings(),
      ratedShare: share(rated, sql`count(*) filter (where ${cases.state} = 'closed')`),
      satisfiedShare: share(sql`count(*) filter (where ${cases.rating} = 'satisfied')`, rated),
      basicallySatisfiedShare: share(sql`count(*) filter (where ${cases.rating} = 'basically_satisfied')`, rated),
      unsatisfiedShare: share(sql`count(*) filter (where ${cases.rating} = 'unsatisfied')`, rated),
    })
    .from(cases)
    .where(scoped(s))
    .groupBy(key)
    .orderBy(sql`${key} nulls last`);
}

/**
 * Counts and ratings per Shanghai week, `weeks` weeks before the week holding `around` (a YYYY-MM-DD
 * date) and `weeks` weeks from it on; weeks without cases are there with zeros. The period filter does
 * not apply: the window is the period.
 */
export async function weeklyTrend(db: Db, s: Omit<StatsScope, 'from' | 'to'> & { around: string; weeks: number }) {
  const tz = sql.raw(`'${TZ}'`);
  const monday = sql`date_trunc('week', ${s.around}::date::timestamp)`;
  const start = sql`(${monday} - make_interval(weeks => ${s.weeks}::int))`;
  const end = sql`(${monday} + make_interval(weeks => ${s.weeks}::int))`;
  const weeks = sql`generate_series(${start}, ${end} - interval '1 week', interval '1 week')`;
  const rows = await db.execute<{ week: string; offset: number; total: number; rated: number; satisfied: number; basicallySatisfied: number; unsatisfied: number }>(sql`
    select to_char(w, 'YYYY-MM-DD') as week,
           ((w::date - ${monday}::date) / 7)::int as "offset",
           coalesce(f.total, 0)::int as total,
           coalesce(f.rated, 0)::int as rated,
           coalesce(f.satisfied, 0)::int as satisfied,
           coalesce(f.basically_satisfied, 0)::int as "basicallySatisfied",
           coalesce(f.unsatisfied, 0)::int as unsatisfied
    from ${weeks} as w
    left join (
      select date_trunc('week', ${cases.createdAt} at time zone ${tz}) as week,
             count(*)::int as total,
             count(*) filter (where ${cases.rating} is not null)::int as rated,
             count(*) filter (where ${cases.rating} = 'satisfied')::int as satisfied,
             count(*) filter (where ${cases.rating} = 'basically_satisfied')::int as basically_satisfied,
             count(*) filter (where ${cases.rating} = 'unsatisfied')::int as unsatisfied
      from ${cases}
      where ${and(scoped(s), sql`${cases.createdAt} >= ${start} at time zone ${tz}`, sql`${cases.createdAt} < ${end} at time zone ${tz}`)}
      group by 1
    ) f on f.week = w
    order by w`);
  return [...rows];
}
