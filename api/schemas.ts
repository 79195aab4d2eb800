// The HTTP contract (DOMAIN.md "The contract", version 1) as zod schemas: they validate requests,
// shape responses and generate /openapi.json. Request schemas are strict: an unknown field is refused
// with 400 naming it, never dropped with its data. Here are the schemas the use cases and several routes
// share; a schema only one route folder uses lives beside its routes (api/routes/*/schemas.ts).

import { z } from 'zod';
import { CATEGORIES, CHANNELS, STATES } from '../domain/case.js';
import { attachmentSchema, caseViewSchema, citizenSchema, locationSchema } from '../domain/case-schemas.js';
import { ACTION_TYPES, actionBodySchema } from '../workflows/lifecycle.js';
import { fieldKit } from '../domain/fields.js';
import { CASE_LIMIT_NAMES, type CaseLimitName } from '../domain/policy.js';

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
    limit: z
      .object({
        name: z.enum(CASE_LIMIT_NAMES as [CaseLimitName, ...CaseLimitName[]]),
        max: z.number().int(),
        count: z.number().int(),
      })
      .optional()
      .describe('the cap the case has reached: how far it goes (max) and how far the case has come (count)'),
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
/**
 * The error answers a route can give, all in the one shape (what each means: api/plugins/docs.ts). Every
 * route that gives them is rate-limited (api/plugins/security.ts), so each may also answer 429; one that
 * takes a body may answer 413 and 415 too, which that plugin adds.
 */
export const errorAnswers = <const S extends readonly ErrorStatus[]>(...statuses: S) =>
  Object.fromEntries([...statuses, 429].map((status) => [status, errorSchema])) as { [K in S[number] | 429]: typeof errorSchema };

// The largest body each route takes, worked out from its schema's bounds: a character of text is at most
// 6 bytes of JSON (a client may escape every non-ASCII character as \uXXXX, as Python's json.dumps does by
// default; as UTF-8 it is at most 3), and the JSON around the fields adds a little. A larger body cannot
// be a request the route takes: 413, before it is read whole.
const BYTES_PER_CHAR = 6;
/** 50 attachments: a 2,000-character link, a 200-character name, a 100-character type, and their JSON. */
const ATTACHMENTS = 50 * ((2_000 + 200 + 100) * BYTES_PER_CHAR + 60);
/** Rounded up to a 16 KiB step, which is the margin. */
const upTo16KiB = (bytes: number) => Math.ceil(bytes / 16_384) * 16_384;
export const bodyLimits = {
  /** Intake: externalId, title, description (10,000), address, district, street, workstation, citizen — 11,204 characters — and attachments: 752 KiB. */
  intake: upTo16KiB(11_204 * BYTES_PER_CHAR + 1_000 + ATTACHMENTS),
  /** An action: the largest is a supplement, 10,000 characters and attachments (a media draft's 50,300 characters take 302 KB): 752 KiB. */
  action: upTo16KiB(10_000 * BYTES_PER_CHAR + 1_000 + ATTACHMENTS),
  /** A citizen's rating and its 2,000-character comment: 16 KiB. */
  rating: upTo16KiB(2_000 * BYTES_PER_CHAR + 1_000),
};
