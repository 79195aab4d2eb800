// The HTTP contract (DOMAIN.md "The contract", version 1) as zod schemas: they validate requests,
// shape responses and generate /openapi.json. Request schemas are strict: an unknown field is refused
// with 400 naming it, never dropped with its data. Here are the schemas the use cases and several routes
// share; a schema only one route folder uses lives beside its routes (api/routes/*/schemas.ts).

import { z } from 'zod';
import { CATEGORIES, CHANNELS, STATES } from '../domain/case.js';
import { attachmentSchema, caseViewSchema, citizenSchema, locationSchema } from '../domain/case-schemas.js';
import { ACTION_TYPES, actionBodySchema } from '../workflows/lifecycle.js';
import { fieldKit } from '../domain/fields.js';

const fields = fieldKit(z);
const { text } = fields;


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
export const actionSchema = actionBodySchema(fields).meta({ id: 'CaseAction' });
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

export const errorSchema = z
  .object({
    error: z.string().describe('what was wrong, for a person'),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    state: z.enum(STATES).optional(),
    allowed: z.array(z.string()).optional(),
  })
  .meta({ id: 'Error' });

// Parts many routes share: a case id in the path, no query at all, the Idempotency-Key header, the
// error answers.

export const caseParams = z.strictObject({ id: z.string().min(1).max(64) });
/** Routes that take no query parameters say so: an unexpected one is refused, not ignored. */
export const noQuery = z.strictObject({});
export const idempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().describe('makes a retried request safe: the same key applies it once'),
});

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 500 | 503;
/** The error answers a route can give, all in the one shape (what each means: api/plugins/docs.ts). */
export const errorAnswers = <const S extends readonly ErrorStatus[]>(...statuses: S) =>
  Object.fromEntries(statuses.map((status) => [status, errorSchema])) as { [K in S[number]]: typeof errorSchema };
