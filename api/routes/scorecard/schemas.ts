import { z } from 'zod';
import { MEASURES, MISSING_RULES, SCORECARD_LEVELS } from '../../../domain/scorecard.js';
import { exportQuery } from '../../exports.js';

// One period: a month, a week, or from–to (api/scorecard.ts `periodOf` refuses two at once).
const period = {
  month: z.string().regex(/^\d{4}-\d{2}$/, 'a month as YYYY-MM').optional().describe('a Shanghai month, YYYY-MM'),
  week: z.iso.date().optional().describe('any day of a Shanghai week (Monday to Sunday), YYYY-MM-DD'),
  from: z.iso.datetime({ offset: true }).optional().describe('with `to`: the period from this instant'),
  to: z.iso.datetime({ offset: true }).optional().describe('with `from`: the period until this instant, exclusive (at most 366 days)'),
};
const query = {
  level: z.enum(SCORECARD_LEVELS).default('workstation').describe('rows per workstation or per squad'),
  unit: z.string().max(64).optional().describe('a district or squad at or below your unit; yours by default'),
  ...period,
};

export const scorecardQuerySchema = z.strictObject(query);
export const bestQuerySchema = z.strictObject({
  ...query,
  limit: z.coerce.number().int().min(1).max(1000).optional().describe("how many; the policy's `best` (50) by default"),
});
export const scorecardExportSchema = scorecardQuerySchema.extend(exportQuery);
export const bestExportSchema = bestQuerySchema.extend(exportQuery);

const count = z.number().int();
const ratio = z.number().nullable();

const row = z.object({
  id: z.string().describe('the workstation, or the squad'),
  name: z.string(),
  squadId: z.string(),
  squadName: z.string(),
  districtId: z.string(),
  districtName: z.string(),
  workstations: count.describe("a squad's workstations (a workstation: 1)"),
  weeksMet: count.describe('weeks whose visits met the weekly duty (a squad: summed over its workstations)'),
  weeksJudged: count.describe('weeks of the period that have ended (a squad: × its workstations)'),
  cases: count.describe('cases filed in the period'),
  onTime: count.describe('closed with no stage deadline missed'),
  onTimeJudged: count.describe('closed, or open and late already'),
  solvedOnSite: count.describe('resolved at the squad, never escalated'),
  rated: count,
  satisfied: count,
  basicallySatisfied: count,
  publicityReleased: count.describe("the squad's publicity items released in the period and not taken down by its end"),
  publicityMonthsMet: count.describe('months whose released items met the monthly duty'),
  publicityMonthsJudged: count.describe('months of the period that have ended'),
  dutyCompliance: ratio.describe('weeksMet / weeksJudged, 0–1; null with no week judged'),
  onTimeRate: ratio.describe('onTime / onTimeJudged'),
  solvedOnSiteRate: ratio.describe('solvedOnSite / cases'),
  satisfaction: ratio.describe('(satisfied + basicallySatisfied) / rated'),
  publicityCompliance: ratio.describe('publicityMonthsMet / publicityMonthsJudged'),
  score: z.number().nullable().describe('100 × Σ weight × measure / Σ weight (policy/scorecard.json), two places; null with no measure'),
  rank: z.number().int().nullable().describe('1 for the best; null when not ranked'),
  unranked: z.enum(['too_few_cases', 'no_measures']).optional().describe('why a row is not ranked'),
});

const card = {
  level: z.enum(SCORECARD_LEVELS),
  unit: z.string().optional(),
  period: z.object({
    kind: z.enum(['month', 'week', 'range']),
    label: z.string(),
    from: z.string(),
    to: z.string(),
    weeksJudged: count,
    monthsJudged: count,
  }),
  formula: z.object({
    weights: z.object(Object.fromEntries(MEASURES.map((m) => [m, z.number()])) as Record<(typeof MEASURES)[number], z.ZodNumber>),
    minimumCases: count,
    missing: z.enum(MISSING_RULES),
    best: count,
  }),
  duty: z.object({ weekly: z.object({ minVisits: count, minMinutes: count }), monthly: z.object({ minReleased: count }) }),
  rows: z.array(row),
};

export const scorecardSchema = z.object(card).meta({ id: 'Scorecard' });
export const bestSchema = z.object({ ...card, limit: count }).meta({ id: 'ScorecardBest' });
