// The vocabulary of a case, shared by the workflow, the activities, the db and the API.
// Pure types, constants and schemas only: the domain/ folder is bundled into the workflow sandbox.

import { z } from 'zod';
import { attachmentSchema, text } from './fields.js';

export const CHANNELS = ['xinmin', 'qr', 'hotline', 'property', 'patrol', 'walkin', 'open311'] as const;
export type Channel = (typeof CHANNELS)[number];

// DOMAIN.md "Categories" (seeds 002–004).
export const CATEGORIES = [
  'illegal_construction',
  'load_bearing_damage',
  'change_of_use',
  'facade_damage',
  'illegal_renting',
  'green_space_damage',
  'property_management',
  'night_construction_noise',
  'cooking_fumes',
  'street_vending',
  'construction_waste',
  'outdoor_advertising',
  'waste_sorting',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const STATES = [
  'triage',
  'joint_triage',
  'dispatched',
  'investigating',
  'escalated',
  'resolved',
  'closed',
] as const;
export type CaseState = (typeof STATES)[number];

export const OUTCOMES = ['resolved', 'transferred', 'explained', 'withdrawn', 'duplicate'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const LEVELS = ['squad', 'district', 'city'] as const;
export type Level = (typeof LEVELS)[number];

export const ROLES = ['intake', 'desk', 'officer', 'supervisor', 'reporter'] as const;
export type Role = (typeof ROLES)[number];
/** Who can act on a case: a principal's role, the citizen through the tracking code, or the workflow's own clock. */
export type ActorRole = Role | 'citizen' | 'system';

// seed 004 案件移送: the competent departments an out-of-scope case is transferred to.
export const DEPARTMENTS = [
  'police',
  'housing',
  'greening',
  'planning',
  'water',
  'market_regulation',
  'environment',
  'other',
] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

export const MEDIA_STATUSES = [
  'not_applicable',
  'none',
  'in_review',
  'returned',
  'approved',
  'published',
  'waived',
] as const;
export type MediaStatus = (typeof MEDIA_STATUSES)[number];

/** The clocks a waiting stage runs on; each has a duration in the policy. */
export const STAGES = ['triage', 'acceptance', 'arrival', 'investigation', 'escalation', 'feedback', 'mediaReview'] as const;
export type Stage = (typeof STAGES)[number];

export interface Actor {
  /** Principal id, or 'citizen' / 'system'. */
  id: string;
  role: ActorRole;
  /** The actor's unit as a path from the city: "310000/310112/310112-ab12cd". */
  unitPath: string;
}

// The case's shape is defined once, here, as zod schemas: the TypeScript types, the API's responses
// (api/schemas.ts adds what is computed on reading) and the parts of requests that carry the same
// fields all come from them.

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
  media: mediaItemSchema,
  answered: z.boolean(),
  feedback: z.string().optional(),
  rating: ratingRecordSchema.optional(),
  reopenCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().optional(),
  closedAt: z.string().optional(),
  /** Sequence number of the last event applied; the read model keeps the highest. */
  version: z.number().int(),
});
export type CaseView = z.infer<typeof caseViewSchema>;

/** The complaint as filed: what intake and the case both carry. */
export type Complaint = Pick<
  CaseView,
  'id' | 'trackingCode' | 'channel' | 'externalId' | 'title' | 'description' | 'category' | 'urgent' | 'location' | 'workstationId' | 'citizen' | 'attachments'
>;

/** What a channel files; the API resolves the workstation to its squad before the workflow starts. */
export interface CaseIntake extends Complaint {
  /** Path of the workstation's squad, when the workstation is known. */
  squadPath?: string;
  receivedAt: string;
  filedBy: Actor;
}

export interface CaseEvent {
  caseId: string;
  seq: number;
  type: string;
  actor: Actor;
  at: string;
  from?: CaseState;
  to: CaseState;
  payload: Record<string, unknown>;
}

export type Recipient = 'citizen' | 'officer' | 'supervisor' | 'reporter' | 'desk' | 'partner';

export interface Notification {
  /** Stable per case, event and recipient, so a retried projection writes it once. */
  id: string;
  caseId: string;
  recipient: Recipient;
  /** Unit path or principal id the message is for. */
  to: string;
  kind: string;
  body: Record<string, unknown>;
}
