import { z } from 'zod';
import { STATS_DIMENSIONS } from '../../stats.js';

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
        avgHoursToResolution: z.number().nullable(),
        rated: count,
        satisfied: count,
        basicallySatisfied: count,
        unsatisfied: count,
      }),
    ),
  })
  .meta({ id: 'Stats' });
