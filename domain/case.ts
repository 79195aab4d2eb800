// The vocabulary of a case, shared by the workflow, the activities, the db and the API.
// Pure types and constants only: the domain/ folder is bundled into the workflow sandbox.

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
export type AccompanyStatus = 'none' | 'requested' | 'approved' | 'refused';

/** The clocks a waiting stage runs on; each has a duration in the policy. */
export type Stage =
  | 'triage'
  | 'acceptance'
  | 'arrival'
  | 'investigation'
  | 'escalation'
  | 'feedback'
  | 'mediaReview';

export interface Actor {
  /** Principal id, or 'citizen' / 'system'. */
  id: string;
  role: ActorRole;
  /** The actor's unit as a path from the city: "310000/310112/310112-ab12cd". */
  unitPath: string;
}

export interface Location {
  address: string;
  district?: string;
  street?: string;
  lat?: number;
  lng?: number;
}

export interface Attachment {
  url: string;
  name?: string;
  contentType?: string;
}

export interface Citizen {
  name?: string;
  phone?: string;
}

/** The complaint as filed: what intake and the case both carry. */
export interface Complaint {
  id: string;
  trackingCode: string;
  channel: Channel;
  externalId?: string;
  title: string;
  description: string;
  category?: Category;
  urgent: boolean;
  location: Location;
  workstationId?: string;
  citizen?: Citizen;
  attachments: Attachment[];
}

/** What a channel files; the API resolves the workstation to its squad before the workflow starts. */
export interface CaseIntake extends Complaint {
  /** Path of the workstation's squad, when the workstation is known. */
  squadPath?: string;
  receivedAt: string;
  filedBy: Actor;
}

export interface MediaItem {
  status: MediaStatus;
  accompany: AccompanyStatus;
  /** The reporter who asked to accompany or drafted the item: the one told of its review. */
  reporterId?: string;
  /** The review level the draft waits at, while in review. */
  reviewLevel?: Level;
  title?: string;
  body?: string;
  comments?: string;
  deadlineAt?: string;
  overdue: boolean;
  publishedAt?: string;
  url?: string;
}

export interface RatingRecord {
  rating: Rating;
  comment?: string;
  at: string;
}

/** The case as the workflow holds it and as the read model shows it. */
export interface CaseView extends Complaint {
  state: CaseState;
  outcome?: Outcome;
  stage?: Stage;
  deadlineAt?: string;
  overdue: boolean;
  overdueSince?: string;
  escalationLevel: Level;
  /** The squad the case belongs to (its jurisdiction), once known. */
  squadPath?: string;
  assignedUnitPath: string;
  assignedOfficerId?: string;
  arrived: boolean;
  evidenceCount: number;
  supplementCount: number;
  department?: string;
  explanation?: string;
  resolution?: string;
  instructions?: string;
  duplicateOf?: string;
  media: MediaItem;
  answered: boolean;
  feedback?: string;
  rating?: RatingRecord;
  reopenCount: number;
  createdAt: string;
  updatedAt: string;
  resolvedAt?: string;
  closedAt?: string;
  /** Sequence number of the last event applied; the read model keeps the highest. */
  version: number;
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
