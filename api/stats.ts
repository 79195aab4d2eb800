// Statistics a principal asks for: counts and times of the cases filed in a period, by one dimension,
// within its unit; and the supervisors' dashboard over the same scope (overview, heat table,
// satisfaction by unit, the weekly trend around a date).

import { STATS_DIMENSIONS, type StatsDimension, caseStats } from '../db/queries/cases.js';
import type { Principal } from '../db/queries/principals.js';
import {
  MATRIX_COLS,
  MATRIX_ROWS,
  type MatrixCol,
  type MatrixRow,
  SATISFACTION_BY,
  type SatisfactionBy,
  type StatsScope,
  satisfactionByUnit,
  stageTimes,
  statsMatrix,
  statsOverview,
  weeklyTrend,
} from '../db/queries/stats.js';
import type { CaseServiceDeps } from './cases.js';
import { unitInScope } from './access.js';
import { HttpError } from './errors.js';

export { MATRIX_COLS, MATRIX_ROWS, SATISFACTION_BY, STATS_DIMENSIONS };

export interface StatsQuery {
  by: StatsDimension;
  unit?: string;
  from?: string;
  to?: string;
}

export async function statsFor(deps: CaseServiceDeps, principal: Principal, q: StatsQuery) {
  const unit = await unitInScope(deps.org, principal, 'stats.read', q.unit);
  // A key bound to one channel counts that channel's cases only.
  const groups = await caseStats(deps.db, { by: q.by, from: q.from, to: q.to, unit, channel: principal.channel });
  return { by: q.by, unit: unit?.id, from: q.from, to: q.to, groups };
}

/** What every dashboard figure is narrowed by. */
export interface DashboardFilter {
  unit?: string;
  category?: string;
  channel?: string;
  from?: string;
  to?: string;
}

/** The filter checked against the principal: a unit it may read, and its own channel when its key is bound to one. */
async function scopeFor(deps: CaseServiceDeps, principal: Principal, q: DashboardFilter): Promise<{ scope: StatsScope; echo: DashboardFilter }> {
  if (principal.channel && q.channel && q.channel !== principal.channel) {
    throw new HttpError(403, `your key is bound to channel ${principal.channel}; it counts no ${q.channel} cases`);
  }
  const unit = await unitInScope(deps.org, principal, 'stats.read', q.unit);
  const channel = principal.channel ?? q.channel;
  const scope: StatsScope = { unit, channel, category: q.category, from: q.from, to: q.to };
  return { scope, echo: { unit: unit?.id, category: q.category, channel, from: q.from, to: q.to } };
}

export async function dashboardOverview(deps: CaseServiceDeps, principal: Principal, q: DashboardFilter) {
  const { scope, echo } = await scopeFor(deps, principal, q);
  const [overview, stages] = await Promise.all([statsOverview(deps.db, scope), stageTimes(deps.db, scope)]);
  return { ...echo, ...overview, stages };
}

export async function dashboardMatrix(deps: CaseServiceDeps, principal: Principal, q: DashboardFilter & { rows: MatrixRow; cols: MatrixCol }) {
  const { scope, echo } = await scopeFor(deps, principal, q);
  const cells = await statsMatrix(deps.db, { ...scope, rows: q.rows, cols: q.cols });
  return { rows: q.rows, cols: q.cols, ...echo, cells };
}

export async function dashboardSatisfaction(deps: CaseServiceDeps, principal: Principal, q: DashboardFilter & { by: SatisfactionBy }) {
  const { scope, echo } = await scopeFor(deps, principal, q);
  return { by: q.by, ...echo, groups: await satisfactionByUnit(deps.db, { ...scope, by: q.by }) };
}

const satisfactionOf = (w: { rated: number; satisfied: number; basicallySatisfied: number }) =>
  w.rated === 0 ? null : Math.round(((w.satisfied + w.basicallySatisfied) / w.rated) * 10_000) / 10_000;

/**
 * Week by week around a date, and the weeks before it against the weeks from it on: what a campaign
 * started that week changed (seed 004: complaints −30 %, satisfaction 69 % → 85 %).
 */
export async function dashboardTrend(deps: CaseServiceDeps, principal: Principal, q: Omit<DashboardFilter, 'from' | 'to'> & { around: string; weeks: number }) {
  const { scope, echo } = await scopeFor(deps, principal, q);
  const weeks = (await weeklyTrend(deps.db, { ...scope, around: q.around, weeks: q.weeks })).map((w) => ({ ...w, satisfaction: satisfactionOf(w) }));
  const sum = (part: typeof weeks) => {
    const t = part.reduce((a, w) => ({ total: a.total + w.total, rated: a.rated + w.rated, satisfied: a.satisfied + w.satisfied, basicallySatisfied: a.basicallySatisfied + w.basicallySatisfied }), {
      total: 0,
      rated: 0,
      satisfied: 0,
      basicallySatisfied: 0,
    });
    return { total: t.total, rated: t.rated, satisfaction: satisfactionOf(t) };
  };
  const before = sum(weeks.filter((w) => w.offset < 0));
  const after = sum(weeks.filter((w) => w.offset >= 0));
  const change = {
    total: before.total === 0 ? null : Math.round(((after.total - before.total) / before.total) * 10_000) / 10_000,
    satisfaction: before.satisfaction === null || after.satisfaction === null ? null : Math.round((after.satisfaction - before.satisfaction) * 10_000) / 10_000,
  };
  const { from: _from, to: _to, ...filter } = echo;
  return { around: q.around, weeks: q.weeks, ...filter, series: weeks, before, after, change };
}
