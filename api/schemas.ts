// The HTTP contract (DOMAIN.md "The contract", version 1) as zod schemas: they validate requests,
// shape responses and generate /openapi.json. Request schemas are strict: an unknown field is refused
// with 400 naming it, never dropped with its data. Here are the schemas the use cases and several routes
// share; a schema only one route folder uses lives beside its routes (api/routes/*/schemas.ts).

import { z } from 'zod';
import {
  CATEGORIES,
  CHANNELS,
  DEPARTMENTS,
  LEVELS,
  MEDIA_STATUSES,
  OUTCOMES,
  RATINGS,
  ROLES,
  STATES,
} from '../workflows/domain.js';
import { ACTION_TYPES } from '../workflows/lifecycle.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const attachmentSchema = z.strictObject({
  url: z.url().max(2000),
  name: z.string().max(200).optional(),
  contentType: z.string().max(100).optional(),
});

export const locationSchema = z.strictObject({
  address: text(500),
  district: z.string().max(50).optional(),
  street: z.string().max(50).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lng: z.number().min(-180).max(180).optional(),
});

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
    citizen: z.strictObject({ name: z.string().max(100).optional(), phone: z.string().max(40).optional() }).optional(),
    attachments: z.array(attachmentSchema).max(50).default([]),
  })
  .meta({ id: 'CaseIntake' });

export type IntakeBody = z.infer<typeof intakeSchema>;

const optionalNote = z.string().max(5000).optional();
const attachments = z.array(attachmentSchema).max(50).optional();

const triageFields = {
  decision: z.enum(['in_scope', 'joint', 'transfer', 'explain']),
  category: z.enum(CATEGORIES).optional(),
  workstationId: z.string().max(64).optional(),
  urgent: z.boolean().optional(),
  department: z.enum(DEPARTMENTS).optional(),
  explanation: z.string().trim().min(1).max(5000).optional(),
  note: optionalNote,
};

/** Field combinations each triage decision needs, checked here so the answer names the missing field. */
function checkTriage(v: { decision: string; department?: string; explanation?: string }, ctx: z.RefinementCtx) {
  if (v.decision === 'transfer' && !v.department) ctx.addIssue({ code: 'custom', path: ['department'], message: 'a transfer names the competent department' });
  if (v.decision === 'explain' && !v.explanation) ctx.addIssue({ code: 'custom', path: ['explanation'], message: 'an explanation to the citizen is required' });
}

export const actionSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('triage'), ...triageFields }).superRefine(checkTriage),
    z
      .strictObject({ type: z.literal('joint_decision'), ...triageFields, decision: z.enum(['in_scope', 'transfer', 'explain']) })
      .superRefine(checkTriage),
    z.strictObject({ type: z.literal('accept') }),
    z.strictObject({ type: z.literal('arrive'), note: optionalNote }),
    z.strictObject({ type: z.literal('record_evidence'), note: optionalNote, attachments }),
    z.strictObject({ type: z.literal('resolve'), result: text(5000), attachments }),
    z.strictObject({ type: z.literal('escalate'), reason: text(5000) }),
    z.strictObject({ type: z.literal('return_down'), instructions: text(5000) }),
    z.strictObject({
      type: z.literal('reassign'),
      unitId: z.string().max(64).optional().describe('the squad to take the case'),
      workstationId: z.string().max(64).optional().describe('or the workstation whose squad takes it'),
      officerId: z.string().max(64).optional(),
      reason: optionalNote,
    }),
    z.strictObject({ type: z.literal('media_join_request'), note: optionalNote }),
    z.strictObject({ type: z.literal('media_join_decision'), approve: z.boolean(), note: optionalNote }),
    z.strictObject({ type: z.literal('media_draft'), title: text(300), body: text(50_000) }),
    z.strictObject({ type: z.literal('media_review'), decision: z.enum(['approve', 'return']), comments: optionalNote }),
    z.strictObject({ type: z.literal('media_publish'), url: z.url().optional() }),
    z.strictObject({ type: z.literal('media_waive'), reason: optionalNote }),
    z.strictObject({ type: z.literal('feedback'), message: text(5000) }),
    z.strictObject({ type: z.literal('rate'), rating: z.enum(RATINGS), comment: optionalNote }),
    z.strictObject({ type: z.literal('reopen'), reason: text(5000) }),
    z.strictObject({ type: z.literal('withdraw'), reason: optionalNote }),
    z.strictObject({ type: z.literal('mark_duplicate'), originalId: text(64) }),
    z.strictObject({ type: z.literal('supplement'), text: z.string().max(10_000).optional(), attachments }),
  ])
  .meta({ id: 'CaseAction' });

export type ActionBody = z.infer<typeof actionSchema>;

const mediaSchema = z.object({
  status: z.enum(MEDIA_STATUSES),
  accompany: z.enum(['none', 'requested', 'approved', 'refused']),
  reporterId: z.string().optional(),
  reviewLevel: z.enum(LEVELS).optional(),
  title: z.string().optional(),
  body: z.string().optional(),
  comments: z.string().optional(),
  deadlineAt: z.string().optional(),
  overdue: z.boolean(),
  publishedAt: z.string().optional(),
  url: z.string().optional(),
});

export const caseSchema = z
  .object({
    id: z.string(),
    trackingCode: z.string(),
    channel: z.enum(CHANNELS),
    externalId: z.string().optional(),
    title: z.string(),
    description: z.string(),
    category: z.enum(CATEGORIES).optional(),
    urgent: z.boolean(),
    location: locationSchema,
    workstationId: z.string().optional(),
    citizen: z.object({ name: z.string().optional(), phone: z.string().optional() }).optional(),
    attachments: z.array(attachmentSchema),
    state: z.enum(STATES),
    outcome: z.enum(OUTCOMES).optional(),
    stage: z.string().optional().describe('the clock the case runs on now'),
    deadlineAt: z.string().optional().describe('when the current stage is due'),
    overdue: z.boolean(),
    overdueSince: z.string().optional(),
    escalationLevel: z.enum(LEVELS),
    assignedUnitId: z.string(),
    assignedUnitPath: z.string(),
    assignedOfficerId: z.string().optional(),
    arrived: z.boolean(),
    evidenceCount: z.number().int(),
    supplementCount: z.number().int(),
    department: z.string().optional(),
    explanation: z.string().optional(),
    resolution: z.string().optional(),
    instructions: z.string().optional(),
    duplicateOf: z.string().optional(),
    media: mediaSchema,
    answered: z.boolean(),
    feedback: z.string().optional(),
    rating: z.object({ rating: z.enum(RATINGS), comment: z.string().optional(), at: z.string() }).optional(),
    reopenCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: z.string().optional(),
    closedAt: z.string().optional(),
    version: z.number().int(),
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

export const principalRoleSchema = z.enum(ROLES);


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
