import { z } from 'zod';
import { CATEGORIES, CHANNELS } from '../../../domain/case.js';
import { exportQuery } from '../../exports.js';
import { MATRIX_COLS, MATRIX_ROWS, SATISFACTION_BY, STATS_DIMENSIONS } from '../../stats.js';

export const statsQuerySchema = z.strictObject({
  by: z.enum(STATS_DIMENSIONS).default('category'),
  unit: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

const count = z.number().int();

export const statsSchema = z
  .object({
    by: z.string(),
    unit: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    groups: z.array(
      z.object({
        key: z.string().nullable().describe('the category, channel, state, district or squad id; null where not yet known'),
        total: count,
        open: count,
        overdue: count,
        resolved: count,
        resolvedAtSquad: count,
        escalated: count,
        transferred: count,
        explained: count,
        withdrawn: count,
        duplicate: count,
        returned: count.describe('12345 work orders returned to the hotline (退单)'),
        avgHoursToResolution: z.number().nullable(),
        rated: count,
        satisfied: count,
        basicallySatisfied: count,
        unsatisfied: count,
      }),
    ),
  })
  .meta({ id: 'Stats' });

// The dashboard: one filter for every figure, then a schema per view.

const filter = {
  unit: z.string().max(64).optional().describe('a district or squad at or below your unit; yours by default'),
  category: z.enum(CATEGORIES).optional(),
  channel: z.enum(CHANNELS).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('filed at or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('filed before'),
};
const echo = {
  unit: z.string().optional(),
  category: z.string().optional(),
  channel: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
};
const ratio = z.number().nullable();

export const overviewQuerySchema = z.strictObject(filter);

export const overviewSchema = z
  .object({
    ...echo,
    total: count,
    open: count,
    solvedOnSite: count.describe('resolved at squad level, never escalated'),
    escalated: count,
    transferred: count,
    explained: count,
    overdue: count.describe('open cases whose stage deadline has passed now'),
    shares: z.object({ solvedOnSite: ratio, escalated: ratio, transferred: ratio, explained: ratio }).describe('of all cases filed, 0–1; null without cases'),
    overdueRate: ratio.describe('overdue of open, 0–1'),
    stages: z.array(
      z.object({
        state: z.string(),
        stays: count.describe('completed stays: entered and left'),
        medianHours: z.number(),
        p90Hours: z.number(),
      }),
    ),
  })
  .meta({ id: 'StatsOverview' });

const matrixQuery = { ...filter, rows: z.enum(MATRIX_ROWS).default('district'), cols: z.enum(MATRIX_COLS).default('category') };
const rowsDifferFromCols = <S extends z.ZodType<{ rows: string; cols: string }>>(schema: S) =>
  schema.refine((q) => q.rows !== q.cols, { path: ['cols'], message: 'rows and cols must differ' });
export const matrixQuerySchema = rowsDifferFromCols(z.strictObject(matrixQuery));

export const matrixSchema = z
  .object({
    rows: z.string(),
    cols: z.string(),
    ...echo,
    cells: z.array(
      z.object({
        row: z.string().nullable().describe('null where not yet known (no district before triage)'),
        col: z.string().nullable().describe('a week is its Monday in Shanghai, YYYY-MM-DD'),
        total: count,
        overdue: count,
      }),
    ),
  })
  .meta({ id: 'StatsMatrix' });

export const satisfactionQuerySchema = z.strictObject({ ...filter, by: z.enum(SATISFACTION_BY).default('district') });

export const satisfactionSchema = z
  .object({
    by: z.string(),
    ...echo,
    groups: z.array(
      z.object({
        key: z.string().nullable(),
        total: count,
        closed: count,
        rated: count,
        satisfied: count,
        basicallySatisfied: count,
        unsatisfied: count,
        satisfaction: ratio.describe('satisfied or basically satisfied, of the rated'),
        ratedShare: ratio.describe('rated, of the closed'),
        satisfiedShare: ratio,
        basicallySatisfiedShare: ratio,
        unsatisfiedShare: ratio,
      }),
    ),
  })
  .meta({ id: 'StatsSatisfaction' });

const { from: _from, to: _to, ...trendFilter } = filter;
export const trendQuerySchema = z.strictObject({
  ...trendFilter,
  around: z.iso.date().describe('the date a campaign started (Shanghai); its week is week 0'),
  weeks: z.coerce.number().int().min(1).max(52).default(8).describe('weeks before, and weeks from week 0 on'),
});

const period = z.object({ total: count, rated: count, satisfaction: ratio });
export const trendSchema = z
  .object({
    around: z.string(),
    weeks: count,
    unit: z.string().optional(),
    category: z.string().optional(),
    channel: z.string().optional(),
    series: z.array(
      z.object({
        week: z.string().describe('its Monday, YYYY-MM-DD'),
        offset: count.describe('weeks from the week of `around`'),
        total: count,
        rated: count,
        satisfied: count,
        basicallySatisfied: count,
        unsatisfied: count,
        satisfaction: ratio,
      }),
    ),
    before: period,
    after: period,
    change: z.object({ total: ratio.describe('relative change of the count, after against before'), satisfaction: ratio.describe('after minus before') }),
  })
  .meta({ id: 'StatsTrend' });

// Each dashboard view as CSV: the same query, and the language of the file.
export const overviewExportSchema = overviewQuerySchema.extend(exportQuery);
export const matrixExportSchema = rowsDifferFromCols(z.strictObject({ ...matrixQuery, ...exportQuery }));
export const satisfactionExportSchema = satisfactionQuerySchema.extend(exportQuery);
export const trendExportSchema = trendQuerySchema.extend(exportQuery);
