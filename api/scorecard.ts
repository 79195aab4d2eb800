// The scorecard (创范评优) a supervisor asks for: every workstation or squad of its unit over a period, with
// the five measures, the score by the formula of policy/scorecard.json and the rank; and the "50 best".
// Three grouped queries count the period (db/queries/scorecard.ts); the organisation in memory supplies
// the rows, so a workstation with nothing to count is there too, with zeros — that is a finding, not noise.

import type { DutyThresholds } from '../domain/duties.js';
import { type Period as Span, parseShanghaiDay, parseShanghaiMonth, shanghaiDay, shanghaiMonthOf, shanghaiMonthsStartingIn, shanghaiWeekOf, shanghaiWeeksStartingIn } from '../domain/periods.js';
import { type Measure, type ScorecardLevel, type ScorecardPolicy, type Tally, type Unranked, measuresOf, rank, scoreOf } from '../domain/scorecard.js';
import { isWithin } from '../domain/units.js';
import type { Principal } from '../db/queries/principals.js';
import { caseTallies, dutyWeeksMet, publicityTallies } from '../db/queries/scorecard.js';
import type { UnitRow } from '../db/schema.js';
import { type Language, messages } from '../platform/messages.js';
import { unitInScope } from './access.js';
import type { CaseServiceDeps } from './cases.js';
import { badRequest } from './errors.js';
import { type Cell, type Csv, csv, percent } from './exports.js';

/** The formula (policy/scorecard.json), and the duties' thresholds (policy/duties.json) the weekly and monthly checks apply. */
export interface ScorecardSettings {
  policy: ScorecardPolicy;
  duty: DutyThresholds;
}

export interface ScorecardQuery {
  level: ScorecardLevel;
  unit?: string;
  /** YYYY-MM: a Shanghai month. */
  month?: string;
  /** YYYY-MM-DD: the Shanghai week holding that day. */
  week?: string;
  from?: string;
  to?: string;
}

export interface Period {
  kind: 'month' | 'week' | 'range';
  /** 2026-11 for a month, the Monday for a week, the two dates for a range (Shanghai). */
  label: string;
  from: string;
  to: string;
  /** How many weeks and months of the period were judged (begun in it and ended by now). */
  weeksJudged: number;
  monthsJudged: number;
}

const DAY_MS = 86_400_000;
/** The longest period one scorecard covers: a leap year's 366 days. */
const MAX_SPAN_DAYS = 366;

/** The period asked for: one month, one week, or from–to; by default the last month that has ended. */
export function periodOf(q: Pick<ScorecardQuery, 'month' | 'week' | 'from' | 'to'>, now: Date): { kind: Period['kind']; label: string; span: Span } {
  const given = [q.month && 'month', q.week && 'week', (q.from || q.to) && 'from/to'].filter(Boolean);
  if (given.length > 1) throw badRequest(`give one period: month, week, or from and to (this asks for ${given.join(' and ')})`, 'querystring');
  if (q.month) {
    const span = parseShanghaiMonth(q.month);
    if (!span) throw badRequest(`month "${q.month}" is not a month: YYYY-MM`, 'querystring.month');
    return { kind: 'month', label: q.month, span };
  }
  if (q.week) {
    const day = parseShanghaiDay(q.week);
    if (!day) throw badRequest(`week "${q.week}" is not a day: YYYY-MM-DD, any day of the week`, 'querystring.week');
    const span = shanghaiWeekOf(day);
    return { kind: 'week', label: shanghaiDay(span.start), span };
  }
  if (q.from || q.to) {
    if (!q.from) throw badRequest('from is required with to: the period runs from `from` (inclusive) to `to` (exclusive)', 'querystring.from');
    if (!q.to) throw badRequest('to is required with from: the period runs from `from` (inclusive) to `to` (exclusive)', 'querystring.to');
    const span = { start: new Date(q.from), end: new Date(q.to) };
    if (span.end <= span.start) throw badRequest('to must be after from', 'querystring.to');
    if (span.end.getTime() - span.start.getTime() > MAX_SPAN_DAYS * DAY_MS) throw badRequest(`a scorecard covers at most ${MAX_SPAN_DAYS} days`, 'querystring.to');
    return { kind: 'range', label: `${shanghaiDay(span.start)}–${shanghaiDay(new Date(span.end.getTime() - 1))}`, span };
  }
  const lastMonth = shanghaiMonthOf(new Date(shanghaiMonthOf(now).start.getTime() - 1));
  return { kind: 'month', label: shanghaiDay(lastMonth.start).slice(0, 7), span: lastMonth };
}

/** Where a row lies: the workstation (or squad), its squad and district. */
interface Place {
  id: string;
  name: string;
  /** A workstation's squad (a squad: itself) and district. */
  squadId: string;
  squadName: string;
  districtId: string;
  districtName: string;
  /** A squad's workstations (a workstation: 1). */
  workstations: number;
}

export interface ScorecardRow extends Place, Tally, Record<Measure, number | null> {
  score: number | null;
  rank: number | null;
  unranked?: Unranked;
}

export interface Scorecard {
  level: ScorecardLevel;
  unit?: string;
  period: Period;
  formula: { weights: Record<Measure, number>; minimumCases: number; missing: ScorecardPolicy['missing']; best: number };
  duty: ScorecardSettings['duty'];
  rows: ScorecardRow[];
}

const range = (spans: Span[]) => (spans.length ? { from: spans[0]!.start.toISOString(), to: spans.at(-1)!.end.toISOString() } : undefined);

/** Every row of the level in the unit asked for (the caller's by default), counted, scored and ranked. */
export async function scorecardFor(deps: CaseServiceDeps, settings: ScorecardSettings, principal: Principal, q: ScorecardQuery, now = new Date()): Promise<Scorecard> {
  const unit = await unitInScope(deps.org, principal, 'scorecard.read', q.unit);
  const { kind, label, span } = periodOf(q, now);
  // A week belongs to the period holding its Monday, a month to the one holding its 1st; one not over yet
  // is not judged (its duty may still be met).
  const weeks = shanghaiWeeksStartingIn(span).filter((w) => w.end <= now);
  const months = shanghaiMonthsStartingIn(span).filter((m) => m.end <= now);
  const scope = { unit, from: span.start.toISOString(), to: span.end.toISOString() };
  const { duty, policy } = settings;

  const weekRange = range(weeks);
  const [caseRows, dutyRows, publicity] = await Promise.all([
    caseTallies(deps.db, scope, q.level),
    weekRange ? dutyWeeksMet(deps.db, { unit, weeks: weekRange, ...duty.weekly }) : [],
    publicityTallies(deps.db, { ...scope, months: range(months), ...duty.monthly }),
  ]);

  // The organisation below the unit: its workstations, and the squads hosting them (the squads the duties
  // apply to: seed 001, each squad with a liaison point).
  const units = deps.org.allUnits();
  const byId = new Map(units.map((u) => [u.id, u]));
  const top = unit ? byId.get(unit.id)!.path : deps.org.rootPath();
  const stations = deps.org.workstations({}).filter((w) => isWithin(byId.get(w.squadId)?.path ?? '', top));
  const stationsPerSquad = new Map<string, number>();
  for (const w of stations) stationsPerSquad.set(w.squadId, (stationsPerSquad.get(w.squadId) ?? 0) + 1);
  const squads = units.filter((u) => stationsPerSquad.has(u.id));

  const casesBy = new Map(caseRows.map((r) => [r.key, r]));
  const weeksMetBy = new Map(dutyRows.map((r) => [r.workstationId, r.weeksMet]));
  const releasedBy = new Map(publicity.released.map((r) => [r.squadId, r.released]));
  const monthsMetBy = new Map(publicity.monthsMet.map((r) => [r.squadId, r.monthsMet]));
  const weeksMetOfSquad = new Map<string, number>();
  for (const w of stations) weeksMetOfSquad.set(w.squadId, (weeksMetOfSquad.get(w.squadId) ?? 0) + (weeksMetBy.get(w.id) ?? 0));

  const districtOf = (squad: UnitRow) => byId.get(squad.parentId ?? '') ?? squad;
  const tallyOf = (key: string, squadId: string, weeksMet: number, weeksJudged: number): Tally => {
    const c = casesBy.get(key);
    return {
      weeksMet,
      weeksJudged,
      cases: c?.cases ?? 0,
      onTime: c?.onTime ?? 0,
      onTimeJudged: c?.onTimeJudged ?? 0,
      solvedOnSite: c?.solvedOnSite ?? 0,
      rated: c?.rated ?? 0,
      satisfied: c?.satisfied ?? 0,
      basicallySatisfied: c?.basicallySatisfied ?? 0,
      // Publicity is the squad's duty: a workstation carries its squad's figures.
      publicityReleased: releasedBy.get(squadId) ?? 0,
      publicityMonthsMet: monthsMetBy.get(squadId) ?? 0,
      publicityMonthsJudged: months.length,
    };
  };
  const weights = policy.weights[q.level];
  const rowOf = (place: Place, tally: Tally): ScorecardRow => {
    const measures = measuresOf(tally);
    return Object.assign(place, tally, measures, { score: scoreOf(measures, weights, policy.missing), rank: null });
  };

  const rows =
    q.level === 'workstation'
      ? stations.map((w) => {
          const squad = byId.get(w.squadId)!;
          const district = districtOf(squad);
          const place = { id: w.id, name: w.name, squadId: squad.id, squadName: squad.name, districtId: district.id, districtName: district.name, workstations: 1 };
          return rowOf(place, tallyOf(w.id, squad.id, weeksMetBy.get(w.id) ?? 0, weeks.length));
        })
      : squads.map((squad) => {
          const district = districtOf(squad);
          const count = stationsPerSquad.get(squad.id) ?? 0;
          const place = { id: squad.id, name: squad.name, squadId: squad.id, squadName: squad.name, districtId: district.id, districtName: district.name, workstations: count };
          return rowOf(place, tallyOf(squad.id, squad.id, weeksMetOfSquad.get(squad.id) ?? 0, weeks.length * count));
        });

  return {
    level: q.level,
    ...(unit ? { unit: unit.id } : {}),
    period: { kind, label, from: scope.from, to: scope.to, weeksJudged: weeks.length, monthsJudged: months.length },
    formula: { weights, minimumCases: policy.minimumCases[q.level], missing: policy.missing, best: policy.best },
    duty,
    rows: rank(rows, policy.minimumCases[q.level]),
  };
}

/** The first `limit` ranked rows (the policy's `best`, 50, by default): the list the city picks from. */
export async function bestOf(deps: CaseServiceDeps, settings: ScorecardSettings, principal: Principal, q: ScorecardQuery & { limit?: number }, now = new Date()) {
  const card = await scorecardFor(deps, settings, principal, q, now);
  const limit = q.limit ?? settings.policy.best;
  return { ...card, limit, rows: card.rows.filter((r) => r.rank !== null && r.rank <= limit) };
}

/**
 * The scorecard as CSV, a row per workstation or squad in the order of the answer (ranked first), the
 * headers and the notes in the reader's language from the scorecard's catalogue, ratios in percent.
 */
export function scorecardCsv(card: Scorecard, lang: Language, what = 'scorecard'): Csv {
  const m = messages(lang, 'scorecard');
  const workstations = card.level === 'workstation';
  const columns = [
    'rank', 'name', 'id', ...(workstations ? ['squad'] : []), 'district', ...(workstations ? [] : ['workstations']),
    'weeksMet', 'weeksJudged', 'dutyCompliance', 'cases', 'onTime', 'onTimeJudged', 'onTimeRate', 'solvedOnSite', 'solvedOnSiteRate',
    'rated', 'satisfied', 'basicallySatisfied', 'satisfaction', 'publicityReleased', 'publicityMonthsMet', 'publicityMonthsJudged', 'publicityCompliance',
    'score', 'note',
  ];
  const header = columns.map((c) => m.t(`scorecard.column.${c}`));
  const rows: Cell[][] = card.rows.map((r) => [
    r.rank, r.name, r.id, ...(workstations ? [r.squadName] : []), r.districtName, ...(workstations ? [] : [r.workstations]),
    r.weeksMet, r.weeksJudged, percent(r.dutyCompliance), r.cases, r.onTime, r.onTimeJudged, percent(r.onTimeRate), r.solvedOnSite, percent(r.solvedOnSiteRate),
    r.rated, r.satisfied, r.basicallySatisfied, percent(r.satisfaction), r.publicityReleased, r.publicityMonthsMet, r.publicityMonthsJudged, percent(r.publicityCompliance),
    r.score, r.unranked ? m.t(`scorecard.unranked.${r.unranked}`, { n: card.formula.minimumCases }) : '',
  ]);
  return csv(`${what}-${card.level}-${card.period.label}`, header, rows);
}
