// The HTTP contract (DOMAIN.md "The contract", version 1) as zod schemas: they validate requests,
// shape responses and generate /openapi.json. Request schemas are strict: an unknown field is refused
// with 400 naming it, never dropped with its data.

import { z } from 'zod';
import { CATEGORIES, CHANNELS, STATES, caseViewSchema, citizenSchema, locationSchema } from '../domain/case.js';
import { ACTION_TYPES, actionBodySchema } from '../workflows/lifecycle.js';
import { attachmentSchema, text } from '../domain/fields.js';

const isoTime = z.iso.datetime({ offset: true });

export const intakeSchema = z
  .strictObject({
    channel: z.enum(CHANNELS),
    externalId: z.string().trim().min(1).max(200).optional().describe('the channel\'s own id: filing it again answers the same case'),
    title: text(200),
    description: text(10_000),
    category: z.enum(CATEGORIES).optional(),
    urgent: z.boolean().default(false),
    location: locationSchema,
    workstationId: z.string().max(64).optional().describe('QR codes carry it; the case then belongs to that workstation\'s squad'),
    citizen: citizenSchema.optional(),
    attachments: z.array(attachmentSchema).max(50).default([]),
  })
  .meta({ id: 'CaseIntake' });

export type IntakeBody = z.infer<typeof intakeSchema>;

/** Each action's body comes from its one definition in workflows/lifecycle.ts. */
export const actionSchema = actionBodySchema().meta({ id: 'CaseAction' });
export type { ActionBody } from '../workflows/lifecycle.js';

/** The case as a client sees it: its view (domain/case.ts) and what is worked out on reading. */
export const caseSchema = caseViewSchema
  .omit({ squadPath: true })
  .extend({
    assignedUnitId: z.string(),
    allowedActions: z.array(z.enum(ACTION_TYPES)).describe('what the case allows now, for whoever may take it'),
  })
  .meta({ id: 'Case' });

export type CaseBody = z.infer<typeof caseSchema>;

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

export const errorSchema = z
  .object({
    error: z.string().describe('what was wrong, for a person'),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    state: z.enum(STATES).optional(),
    allowed: z.array(z.string()).optional(),
  })
  .meta({ id: 'Error' });

export const unitSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['city', 'district', 'squad']),
  parentId: z.string().nullable(),
  path: z.string(),
});

export const workstationSchema = z.object({
  id: z.string(),
  name: z.string(),
  fullName: z.string(),
  kind: z.string(),
  district: z.string(),
  street: z.string(),
  squadId: z.string(),
  pilotSeq: z.number().int().nullable(),
});


export const listQuerySchema = z.strictObject({
  state: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(STATES)))
    .optional()
    .describe('comma-separated states'),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  unit: z.string().max(64).optional().describe('a unit id: cases located in it'),
  category: z.enum(CATEGORIES).optional(),
  channel: z.enum(CHANNELS).optional(),
  from: isoTime.optional().describe('filed at or after'),
  to: isoTime.optional().describe('filed before'),
  q: z.string().trim().min(1).max(200).optional().describe('title words, a tracking code or a case id'),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
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
