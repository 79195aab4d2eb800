import { z } from 'zod';
import { CATEGORIES, CHANNELS, OUTCOMES, RATINGS, STAGES, STATES } from '../../../domain/case.js';
import { FILE_TYPES } from '../../files.js';

export const trackParams = z.strictObject({ trackingCode: z.string().min(4).max(32) });

export const publicCaseSchema = z
  .object({
    kind: z.literal('complaint').describe('a complaint (tracking codes BN…); suggestions (BS…) are read at /v1/public/suggestions/{trackingCode}'),
    trackingCode: z.string(),
    channel: z.enum(CHANNELS),
    state: z.enum(STATES),
    outcome: z.enum(OUTCOMES).optional(),
    category: z.enum(CATEGORIES).optional(),
    title: z.string().describe('as filed, phone and identity numbers and the name masked'),
    workstation: z.object({ id: z.string(), name: z.string() }).optional().describe('the community workstation the case belongs to'),
    stage: z.enum(STAGES).optional().describe('the clock the case runs on now; none once closed'),
    deadlineAt: z.string().optional().describe('when the current stage is due'),
    overdue: z.boolean().describe('the current stage is past its deadline'),
    createdAt: z.string(),
    updatedAt: z.string(),
    answer: z.string().optional().describe('the answer to the citizen, once given'),
    answeredAt: z.string().optional(),
    rating: z.enum(RATINGS).optional(),
    canRate: z.boolean().describe('POST …/rating takes a rating now'),
    ratingOpenUntil: z.string().optional().describe('a closed, unrated case takes a rating until then'),
    canSupplement: z.boolean().describe('POST …/supplement takes more information now (until the case is closed)'),
    timeline: z
      .array(
        z.object({
          type: z.string().describe('the step: intake, triage, accept, resolve, feedback, supplement, deadline_passed …'),
          at: z.string(),
          state: z.enum(STATES).describe('where the case stood after it'),
          by: z.enum(['citizen', 'channel', 'staff', 'system']).describe('who took it: the citizen, the channel that filed it, the bureau\'s staff, or the case\'s own clock'),
        }),
      )
      .describe("every step but the newspaper's media item, without notes, names or payloads"),
  })
  .meta({ id: 'TrackedCase' });

export const ratingBodySchema = z.strictObject({ rating: z.enum(RATINGS), comment: z.string().max(2000).optional() });

export const ratedSchema = z.object({ trackingCode: z.string(), rating: z.enum(RATINGS) });

export const supplementBodySchema = z
  .strictObject({
    text: z.string().trim().min(1).max(5000).optional().describe('what the citizen adds, in words'),
    attachments: z
      .array(z.strictObject({ fileId: z.string().min(1).max(64).describe('a file uploaded with POST /v1/track/{trackingCode}/files') }))
      .max(10)
      .optional(),
  })
  .refine((b) => b.text !== undefined || (b.attachments?.length ?? 0) > 0, { message: 'a supplement needs text or attachments', path: ['text'] })
  .meta({ id: 'CitizenSupplement' });

export const citizenFileSchema = z
  .object({
    id: z.string().describe('name it in a supplement as {fileId}'),
    name: z.string(),
    type: z.enum(Object.keys(FILE_TYPES) as [keyof typeof FILE_TYPES, ...(keyof typeof FILE_TYPES)[]]).describe('what the bytes are, read from them'),
    size: z.number().int().describe('bytes'),
    createdAt: z.string(),
  })
  .meta({ id: 'CitizenFile' });
