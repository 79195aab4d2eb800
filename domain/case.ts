// The vocabulary of a case, shared by the workflow, the activities, the db and the API.
// Pure types and constants only: this file is bundled into the workflow sandbox.


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

// `returned`: a 12345 work order that is not a 城管 matter, returned to the hotline (退单) from triage.
export const OUTCOMES = ['resolved', 'transferred', 'explained', 'withdrawn', 'duplicate', 'returned'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const LEVELS = ['squad', 'district', 'city'] as const;
export type Level = (typeof LEVELS)[number];

/** The roles a key holder may have (DOMAIN.md "Actors"); `admin` manages keys and reads the audit log, never cases. */
export const ROLES = ['intake', 'desk', 'officer', 'supervisor', 'reporter', 'admin'] as const;
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
  /** An intake key bound to one channel reaches only that channel's cases. */
  channel?: Channel;
}

// The case's shape is defined once, as zod schemas, in case-schemas.ts; its types are re-exported here
// as types only, so the workflow bundle, which imports this file, never loads zod.
export type { Attachment, CaseView, Citizen, Location, MediaItem, AccompanyStatus, RatingRecord } from './case-schemas.js';
import type { CaseView } from './case-schemas.js';

/** The complaint as filed: what intake and the case both carry. */
export type Complaint = Pick<
  CaseView,
  'id' | 'trackingCode' | 'channel' | 'externalId' | 'title' | 'description' | 'category' | 'urgent' | 'location' | 'workstationId' | 'citizen' | 'attachments'
>;

/** What a channel files; the API resolves the workstation to its squad before the workflow starts. */
export interface CaseIntake extends Complaint {
  /** Path of the workstation's squad, when the workstation is known. */
  squadPath?: string;
  /** Smart dispatch's suggestion, made by the API at intake (absent from cases filed before it). */
  suggestion?: CaseView['suggestion'];
  /**
   * The system's own triage at intake (auto-dispatch): the suggestion was sure enough for the channel's
   * threshold, and the API resolved its workstation to its squad. Recorded as a triage by `system`.
   */
  autoDispatch?: { category: Category; workstationId: string; squadPath: string; confidence: number };
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

/**
 * Who a message is for. `partner` is the 新民帮侬忙 platform, `hotline` the 12345 platform (returns,
 * results and ratings of its work orders), `demolition_office` a district's office for illegal
 * construction (拆违办), told of property companies' dual reports (seed 004).
 */
export type Recipient = 'citizen' | 'officer' | 'supervisor' | 'reporter' | 'desk' | 'partner' | 'hotline' | 'demolition_office';

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
