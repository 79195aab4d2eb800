// Publicity items (宣传报道) as the HTTP contract gives them: an upload, the submission, the actions, the item
// with its history, the list. Request schemas are strict: an unknown field is refused with 400 naming it.

import { z } from 'zod';
import { LEVELS } from '../../../domain/case.js';
import { fieldKit } from '../../../domain/fields.js';
import { PUBLICITY_ACTIONS, PUBLICITY_EVENTS, PUBLICITY_MEDIA_TYPES, PUBLICITY_STATES } from '../../../domain/publicity.js';

const { text } = fieldKit(z);

const mediaList = z
  .array(z.strictObject({ fileId: z.string().min(1).max(64).describe('a file uploaded for the same squad with POST /v1/publicity/files') }))
  .min(1)
  .max(10)
  .refine((media) => new Set(media.map((m) => m.fileId)).size === media.length, 'names a file twice: each file once')
  .describe('a short video (MP4) or photos (JPEG, PNG, WebP): at most one video and nine photos');

export const publicitySubmissionSchema = z
  .strictObject({
    squadId: z.string().min(1).max(64).optional().describe("the squad it is for; by default the caller's own unit, when that is a squad"),
    title: text(200),
    body: text(10_000).describe('the text of the item, as the newspaper is to run it'),
    media: mediaList,
  })
  .meta({ id: 'PublicitySubmission' });

export type PublicitySubmissionBody = z.infer<typeof publicitySubmissionSchema>;

export const publicityActionSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('review'),
      decision: z.enum(['approve', 'return']),
      comments: z.string().trim().max(5000).optional().describe('what to change: needed to return it'),
    }),
    z.strictObject({
      type: z.literal('resubmit'),
      title: text(200).optional().describe('left out, the title stays'),
      body: text(10_000).optional().describe('left out, the text stays'),
      media: mediaList.optional().describe('left out, the files stay'),
    }),
    z.strictObject({ type: z.literal('withdraw'), reason: z.string().trim().max(2000).optional() }),
    z.strictObject({ type: z.literal('take_down'), reason: text(2000).describe('why it is unsuitable (seed 003: 不合时宜的传播内容，及时下架); the newspaper is told') }),
  ])
  .meta({ id: 'PublicityAction' });

export type PublicityActionBody = z.infer<typeof publicityActionSchema>;

const actorSchema = z.object({ id: z.string(), role: z.string(), unitId: z.string() });

const mediaSchema = z.object({
  fileId: z.string(),
  type: z.enum(PUBLICITY_MEDIA_TYPES),
  name: z.string(),
  size: z.number().int(),
  url: z.string().describe('GET it for the bytes (a video answers Range requests)'),
  previewUrl: z.string().optional().describe('photos only: a copy at most 1280 px on its long side, JPEG'),
});

const eventSchema = z.object({
  seq: z.number().int(),
  type: z.enum(PUBLICITY_EVENTS),
  at: z.string(),
  actor: actorSchema,
  from: z.enum(PUBLICITY_STATES).optional(),
  to: z.enum(PUBLICITY_STATES),
  payload: z.record(z.string(), z.unknown()).describe('the level, comments, reason or changes of the step'),
});

export const publicitySchema = z
  .object({
    id: z.string(),
    squadId: z.string(),
    districtId: z.string(),
    title: z.string(),
    body: z.string(),
    media: z.array(mediaSchema),
    state: z.enum(PUBLICITY_STATES),
    reviewLevel: z.enum(LEVELS).optional().describe('the level it waits at, while in review'),
    reviewUnitId: z.string().optional().describe("that level's unit: its supervisors review it"),
    deadlineAt: z.string().optional().describe("when the step it waits for is due: the level's review, or the squad's revision after a return"),
    overdue: z.boolean(),
    overdueSince: z.string().optional(),
    comments: z.string().optional().describe('what the level that returned it wrote, until it is resubmitted'),
    round: z.number().int().describe('1, and one more for each resubmission'),
    submittedBy: actorSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
    releasedAt: z.string().optional().describe('when the city approved it and it went to the newspaper'),
    takenDownAt: z.string().optional(),
    takeDownReason: z.string().optional(),
    withdrawnAt: z.string().optional(),
    lapsedAt: z.string().optional(),
    version: z.number().int(),
    allowedActions: z.array(z.enum(PUBLICITY_ACTIONS)).describe('what it takes now, for whoever may take it'),
    history: z.array(eventSchema).optional().describe('every step, oldest first (a reporter sees the release and the take-down); not in lists'),
  })
  .meta({ id: 'PublicityItem' });

export type PublicityBody = z.infer<typeof publicitySchema>;

export const publicityListSchema = z.object({ items: z.array(publicitySchema), next: z.string().optional() }).meta({ id: 'PublicityList' });

export const publicityListQuerySchema = z.strictObject({
  unit: z.string().max(64).optional().describe('a unit id: items of its squads'),
  state: z
    .string()
    .max(200)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(PUBLICITY_STATES)))
    .optional()
    .describe('comma-separated states'),
  level: z.enum(LEVELS).optional().describe('items waiting for review at this level'),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .optional()
    .describe('YYYY-MM: items submitted or released in that Asia/Shanghai month'),
  cursor: z.string().max(300).optional().describe('the `next` of the previous page, as it was given'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const publicityParams = z.strictObject({ id: z.string().min(1).max(64) });
export const publicityFileParams = z.strictObject({ id: z.string().min(1).max(64), fileId: z.string().min(1).max(64) });
export const publicityUploadQuery = z.strictObject({
  squad: z.string().min(1).max(64).optional().describe("the squad whose item will carry it; by default the caller's own unit, when that is a squad"),
});

/** An upload, before an item names it. */
export const publicityUploadSchema = z
  .object({
    id: z.string().describe('name it in a submission or resubmission as `{fileId}`'),
    squadId: z.string(),
    name: z.string(),
    type: z.enum(PUBLICITY_MEDIA_TYPES).describe('what the bytes are, read from them'),
    size: z.number().int(),
    sha256: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'PublicityUpload' });

export type PublicityUploadBody = z.infer<typeof publicityUploadSchema>;

/** A refusal of an item's action: the error, and for a 409 the state it met and what it takes there. */
export const publicityErrorSchema = z
  .object({
    error: z.string().describe('what was wrong, for a person'),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    state: z.enum(PUBLICITY_STATES).optional(),
    allowed: z.array(z.string()).optional(),
  })
  .meta({ id: 'PublicityError' });
