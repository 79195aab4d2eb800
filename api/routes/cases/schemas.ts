import { z } from 'zod';
import { CATEGORIES, CHANNELS, STATES } from '../../../domain/case.js';
import { caseSchema } from '../../schemas.js';
import { exportQuery } from '../../exports.js';

const isoTime = z.iso.datetime({ offset: true });

export const listQuerySchema = z.strictObject({
  state: z
    .string()
    .max(200)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(STATES)))
    .optional()
    .describe('comma-separated states'),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  unit: z.string().max(64).optional().describe('a unit id: cases located in it'),
  category: z.enum(CATEGORIES).optional(),
  channel: z.enum(CHANNELS).optional(),
  autoDispatched: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only cases the system dispatched itself on their suggestion (auto-dispatch) and no one has taken back; false: only the others'),
  from: isoTime.optional().describe('filed at or after'),
  to: isoTime.optional().describe('filed before'),
  q: z.string().trim().min(1).max(200).optional().describe('title words, a tracking code or a case id'),
  cursor: z.string().max(200).optional().describe('the `next` of the previous page, as it was given'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The list's filters for an export: no page, and the language of the file. */
export const exportQuerySchema = listQuerySchema.omit({ cursor: true, limit: true }).extend(exportQuery);

export const caseListSchema = z.object({ cases: z.array(caseSchema), next: z.string().optional() });

export const eventSchema = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    actor: z.object({ id: z.string(), role: z.string(), unitPath: z.string() }),
    at: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    payload: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'CaseEvent' });

export const timelineSchema = z.object({ events: z.array(eventSchema) });
