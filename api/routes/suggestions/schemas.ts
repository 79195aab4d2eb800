// Suggestions (人民建议征集) as the HTTP contract gives them: the filing, the two actions, the suggestion as
// staff see it, the list, and the citizen's public view. Request schemas are strict: an unknown field is
// refused with 400 naming it.

import { z } from 'zod';
import { CHANNELS } from '../../../domain/case.js';
import { citizenSchema, locationSchema } from '../../../domain/case-schemas.js';
import { fieldKit } from '../../../domain/fields.js';
import { SUGGESTION_ACTIONS, SUGGESTION_STATES } from '../../../domain/suggestion.js';

const { text } = fieldKit(z);

export const suggestionIntakeSchema = z
  .strictObject({
    channel: z.enum(CHANNELS),
    externalId: z.string().trim().min(1).max(200).optional().describe("the channel's own id: filing it again answers the same suggestion"),
    title: text(200),
    text: text(10_000).describe('the suggestion, in the citizen\'s words'),
    workstationId: z.string().max(64).optional().describe("the workstation it was given at (a QR code carries it): that workstation's squad answers it; without one, the city"),
    location: locationSchema.optional().describe('where it is about, if anywhere'),
    citizen: citizenSchema.optional(),
  })
  .meta({ id: 'SuggestionIntake' });

export const suggestionActionSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('acknowledge'),
      note: z.string().trim().max(2000).optional().describe('told to the citizen with the acknowledgement, such as who will answer'),
    }),
    z.strictObject({ type: z.literal('answer'), answer: text(5000).describe('the answer to the citizen') }),
  ])
  .meta({ id: 'SuggestionAction' });

const actorSchema = z.object({ id: z.string(), role: z.string() });

const suggestionEventSchema = z.object({
  seq: z.number().int(),
  type: z.enum(['filed', 'acknowledge', 'answer', 'deadline_passed', 'lapsed']),
  at: z.string(),
  actor: actorSchema,
  from: z.enum(SUGGESTION_STATES).optional(),
  to: z.enum(SUGGESTION_STATES),
});

/** The suggestion as the desk and supervisors see it (the citizen masked where the table says so). */
export const suggestionSchema = z
  .object({
    id: z.string(),
    trackingCode: z.string(),
    channel: z.enum(CHANNELS),
    externalId: z.string().optional(),
    title: z.string(),
    text: z.string(),
    location: locationSchema.optional(),
    workstationId: z.string().optional(),
    citizen: citizenSchema.optional(),
    state: z.enum(SUGGESTION_STATES),
    unitId: z.string().describe('the unit that acknowledges and answers it: the workstation\'s squad, else the city'),
    stage: z.enum(['acknowledge', 'answer']).optional().describe('the step it waits at'),
    deadlineAt: z.string().optional().describe('when that step is due'),
    overdue: z.boolean(),
    overdueSince: z.string().optional(),
    acknowledgedAt: z.string().optional(),
    acknowledgedBy: actorSchema.optional(),
    acknowledgement: z.string().optional(),
    answer: z.string().optional(),
    answeredAt: z.string().optional(),
    answeredBy: actorSchema.optional(),
    lapsedAt: z.string().optional().describe('set when it was never answered within the policy\'s lapse: it takes no more actions'),
    filedBy: actorSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
    timeline: z.array(suggestionEventSchema),
    allowedActions: z.array(z.enum(SUGGESTION_ACTIONS)).describe('what it takes now, for whoever may take it'),
  })
  .meta({ id: 'Suggestion' });

export type SuggestionBody = z.infer<typeof suggestionSchema>;

export const suggestionListSchema = z.object({ suggestions: z.array(suggestionSchema), next: z.string().optional() });

export const suggestionListQuerySchema = z.strictObject({
  state: z
    .string()
    .max(200)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(SUGGESTION_STATES)))
    .optional()
    .describe('comma-separated states'),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  unit: z.string().max(64).optional().describe('a unit id: suggestions lying in it'),
  channel: z.enum(CHANNELS).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('title words, a tracking code or an id'),
  cursor: z.string().max(200).optional().describe('the `next` of the previous page, as it was given'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const suggestionParams = z.strictObject({ id: z.string().min(1).max(64) });
export const suggestionTrackParams = z.strictObject({ trackingCode: z.string().min(4).max(32) });

/** What the citizen sees by the tracking code: no personal data, no internal notes. */
export const publicSuggestionSchema = z
  .object({
    trackingCode: z.string(),
    kind: z.literal('suggestion'),
    state: z.enum(SUGGESTION_STATES),
    title: z.string(),
    createdAt: z.string(),
    acknowledgedAt: z.string().optional(),
    answer: z.string().optional(),
    answeredAt: z.string().optional(),
    deadlineAt: z.string().optional().describe('when the step it waits at is due'),
    overdue: z.boolean(),
  })
  .meta({ id: 'PublicSuggestion' });

/** A refusal of a suggestion's action: the error, and for a 409 the state it met and what it takes there. */
export const suggestionErrorSchema = z
  .object({
    error: z.string().describe('what was wrong, for a person'),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    state: z.enum(SUGGESTION_STATES).optional(),
    allowed: z.array(z.string()).optional(),
  })
  .meta({ id: 'SuggestionError' });
