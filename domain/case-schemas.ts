// The case's shape, defined once as zod schemas: its TypeScript types (re-exported by case.ts), the API's
// responses (api/schemas.ts adds what is computed on reading) and the parts of requests that carry the
// same fields all come from them. The workflow bundle imports only the types, never this module's zod.

import { z } from 'zod';
import { CATEGORIES, CHANNELS, LEVELS, MEDIA_STATUSES, OUTCOMES, RATINGS, STAGES, STATES } from './case.js';
import { fieldKit } from './fields.js';

const { text, attachment: attachmentSchema } = fieldKit(z);
export { attachmentSchema };


export const locationSchema = z.strictObject({
  address: text(500),
  district: z.string().max(50).optional(),
  street: z.string().max(50).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lng: z.number().min(-180).max(180).optional(),
});
export type Location = z.infer<typeof locationSchema>;
export type Attachment = z.infer<typeof attachmentSchema>;

export const citizenSchema = z.strictObject({ name: z.string().max(100).optional(), phone: z.string().max(40).optional() });
export type Citizen = z.infer<typeof citizenSchema>;

export const mediaItemSchema = z.object({
  status: z.enum(MEDIA_STATUSES),
  accompany: z.enum(['none', 'requested', 'approved', 'refused']),
  /** The reporter who asked to accompany or drafted the item: the one told of its review. */
  reporterId: z.string().optional(),
  /** The review level the draft waits at, while in review. */
  reviewLevel: z.enum(LEVELS).optional(),
  title: z.string().optional(),
  body: z.string().optional(),
  comments: z.string().optional(),
  deadlineAt: z.string().optional(),
  overdue: z.boolean(),
  publishedAt: z.string().optional(),
  url: z.string().optional(),
});
export type MediaItem = z.infer<typeof mediaItemSchema>;
export type AccompanyStatus = MediaItem['accompany'];

export const ratingRecordSchema = z.object({ rating: z.enum(RATINGS), comment: z.string().optional(), at: z.string() });
export type RatingRecord = z.infer<typeof ratingRecordSchema>;

/** One party's acknowledgement of a property company's dual report: when, and by whom (a principal id). */
const acknowledgementSchema = z.object({
  acknowledgedAt: z.string().optional().describe('when the party acknowledged the report'),
  by: z.string().optional().describe('the principal who recorded the acknowledgement'),
});
/**
 * A property company's dual report (双报告, seed 004): one report reaches the squad and the district's
 * demolition office (拆违办) at once, and each acknowledges it, once.
 */
export const dualReportSchema = z.object({
  squad: acknowledgementSchema,
  demolitionOffice: acknowledgementSchema.extend({ notifiedAt: z.string().describe('when the demolition office was sent the report') }),
});
export type DualReport = z.infer<typeof dualReportSchema>;

const reasonSchema = z.object({
  about: z.enum(['category', 'place']),
  kind: z.enum(['phrase', 'learned_phrase', 'filed', 'district', 'street', 'liaison_point', 'learned_place', 'coordinates']),
  text: z.string().describe('the words as found: a phrase of the text, or the part of the address that named the place'),
  target: z.string().describe('what they point at: a category, or a unit or workstation id'),
  weight: z.number().optional(),
});

/** Smart dispatch (智能派单, domain/dispatch/): where and what the case probably is, computed at intake for the desk. */
export const suggestionSchema = z.object({
  category: z.enum(CATEGORIES),
  unitId: z.string().optional().describe('the squad, or the district bureau when only the district is known'),
  workstationId: z.string().optional(),
  confidence: z.number().min(0).max(1).describe("the lesser of the category's and the place's confidence"),
  categoryConfidence: z.number().min(0).max(1),
  placeConfidence: z.number().min(0).max(1),
  place: z.enum(['none', 'district', 'street', 'liaison_point']).describe('how precisely the address was placed'),
  reasons: z.array(reasonSchema).describe('the words and places that decided it'),
  model: z.string().describe("the policy file's version and the number of lessons learned from the desk"),
});

/** The case as the workflow holds it and as the read model keeps it (the `view` column). */
export const caseViewSchema = z.object({
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
  citizen: citizenSchema.optional(),
  attachments: z.array(attachmentSchema),
  state: z.enum(STATES),
  outcome: z.enum(OUTCOMES).optional(),
  stage: z.enum(STAGES).optional().describe('the clock the case runs on now'),
  deadlineAt: z.string().optional().describe('when the current stage is due'),
  overdue: z.boolean(),
  overdueSince: z.string().optional(),
  escalationLevel: z.enum(LEVELS),
  /** The squad the case belongs to (its jurisdiction), once known. */
  squadPath: z.string().optional(),
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
  duplicates: z.array(z.string()).optional().describe('the cases marked duplicates of this one: each is answered with its answer'),
  dualReport: dualReportSchema.optional().describe("a property company's dual report (双报告): the squad's and the district demolition office's acknowledgements"),
  returnDeadlineAt: z.string().optional().describe('a 12345 work order: until when it may be returned to the hotline (退单) from triage'),
  returnWindowClosed: z.boolean().optional().describe('the return deadline passed without a decision: the case is transferred or explained now, not returned'),
  returnReason: z.string().optional().describe('why the work order was returned to the 12345 hotline'),
  media: mediaItemSchema,
  answered: z.boolean(),
  feedback: z.string().optional(),
  answeredAt: z.string().optional().describe('when the citizen was answered (a duplicate: when its original was)'),
  rating: ratingRecordSchema.optional(),
  reopenCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().optional(),
  closedAt: z.string().optional(),
  personalDataErasedAt: z.string().optional().describe("when the citizen's personal data was erased from the case, on their request"),
  personalDataErasureReason: z.string().optional().describe('why it was erased, as the supervisor recorded it'),
  suggestion: suggestionSchema.optional().describe('smart dispatch (智能派单): the category and squad suggested at intake, and why'),
  autoDispatch: z
    .object({ at: z.string(), confidence: z.number() })
    .optional()
    .describe('the system dispatched the case itself on its suggestion (auto-dispatch, off by default); cleared when the desk takes it back (retriage)'),
  /** Sequence number of the last event applied; the read model keeps the highest. */
  version: z.number().int(),
});
export type CaseView = z.infer<typeof caseViewSchema>;

