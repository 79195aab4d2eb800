// The relational side of Bangnong: the organisation, the API's principals, and the read model that
// case workflows project into. Temporal holds the truth of a running case; these tables answer lists,
// filters and timelines fast.

import { sql } from 'drizzle-orm';
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { Actor, CaseView } from '../domain/case.js';
import type { SuggestionView } from '../domain/suggestion.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/** The unit tree: city bureau → district bureaus (and Lingang) → street/town squads. */
export const units = pgTable(
  'units',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['city', 'district', 'squad'] }).notNull(),
    parentId: text('parent_id'),
    /** Ids from the city down, joined by "/": jurisdiction is a prefix test. */
    path: text('path').notNull(),
  },
  (t) => [uniqueIndex('units_path_key').on(t.path), index('units_parent_idx').on(t.parentId)],
);

/** Community workstations 社区工作室/工作站, each served by its street/town squad. */
export const workstations = pgTable(
  'workstations',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    fullName: text('full_name').notNull(),
    kind: text('kind').notNull(),
    district: text('district').notNull(),
    street: text('street').notNull(),
    squadId: text('squad_id')
      .notNull()
      .references(() => units.id),
    pilotSeq: integer('pilot_seq'),
  },
  (t) => [index('workstations_squad_idx').on(t.squadId), index('workstations_district_street_idx').on(t.district, t.street)],
);

/** Who may call the API: a person or a channel's system, with a role and a unit (and, for intake, a channel). */
export const principals = pgTable('principals', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['intake', 'desk', 'officer', 'supervisor', 'reporter', 'admin'] }).notNull(),
  unitId: text('unit_id')
    .notNull()
    .references(() => units.id),
  /** An intake principal bound to one channel files and reaches only that channel's cases. */
  channel: text('channel'),
  createdAt: ts('created_at').notNull().defaultNow(),
  /** A revoked principal's keys all stop working. */
  revokedAt: ts('revoked_at'),
});

/** A principal's API keys: rotation adds one and lets the old one run out after an overlap. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    principalId: text('principal_id')
      .notNull()
      .references(() => principals.id),
    /** The key's first characters, shown in lists so a holder can tell which key is which. */
    prefix: text('prefix').notNull(),
    /** sha256 of the key: keys are 256 random bits, so a fast hash is enough and lookups stay O(1). */
    keyHash: text('key_hash').notNull().unique(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at'),
    /** Set when the key was rotated: it keeps working until then. */
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('api_keys_principal_idx').on(t.principalId)],
);

/** Every read that showed a citizen's name or phone unmasked: who, when, which cases, through what. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: ts('at').notNull().defaultNow(),
    principalId: text('principal_id').notNull(),
    role: text('role').notNull(),
    unitPath: text('unit_path').notNull(),
    /** What showed the cases: case.read, case.events, case.list, case.file (a filing answered with the case filed before), case.action (an action's answer). */
    operation: text('operation').notNull(),
    caseIds: text('case_ids').array().notNull(),
    requestId: text('request_id'),
    ip: text('ip'),
  },
  (t) => [index('audit_log_at_idx').on(t.at), index('audit_log_principal_idx').on(t.principalId, t.at), index('audit_log_case_ids_idx').using('gin', t.caseIds)],
);

/** The read model of a case, one row per case, written only by its workflow's projection. */
export const cases = pgTable(
  'cases',
  {
    id: text('id').primaryKey(),
    trackingCode: text('tracking_code').notNull(),
    channel: text('channel').notNull(),
    externalId: text('external_id'),
    title: text('title').notNull(),
    category: text('category'),
    urgent: boolean('urgent').notNull(),
    state: text('state').notNull(),
    outcome: text('outcome'),
    stage: text('stage'),
    deadlineAt: ts('deadline_at'),
    overdue: boolean('overdue').notNull(),
    overdueSince: ts('overdue_since'),
    escalationLevel: text('escalation_level').notNull(),
    /** The district and squad the case lies in (its jurisdiction), when known. */
    districtId: text('district_id'),
    squadId: text('squad_id'),
    assignedUnitId: text('assigned_unit_id').notNull(),
    assignedUnitPath: text('assigned_unit_path').notNull(),
    assignedOfficerId: text('assigned_officer_id'),
    workstationId: text('workstation_id'),
    mediaStatus: text('media_status').notNull(),
    rating: text('rating'),
    view: jsonb('view').$type<CaseView>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    closedAt: ts('closed_at'),
    version: integer('version').notNull(),
    /** When the row was last written: how far the read model trails its workflow. */
    projectedAt: ts('projected_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('cases_tracking_code_key').on(t.trackingCode),
    uniqueIndex('cases_channel_external_id_key').on(t.channel, t.externalId),
    // The supervisors' lists, most overdue first (earliest deadline), per district or squad. A case is
    // overdue exactly when its deadline has passed, so `deadline_at <= now()` finds them on these.
    index('cases_district_deadline_idx').on(t.districtId, t.deadlineAt, t.id),
    index('cases_squad_deadline_idx').on(t.squadId, t.deadlineAt, t.id),
    index('cases_deadline_idx').on(t.deadlineAt, t.id),
    index('cases_state_idx').on(t.state, t.deadlineAt),
    index('cases_created_idx').on(t.createdAt),
    // The dashboard of a district or squad over a period (GET /v1/stats/*): its cases filed in the period.
    index('cases_district_created_idx').on(t.districtId, t.createdAt),
    index('cases_squad_created_idx').on(t.squadId, t.createdAt),
  ],
);

/** The append-only timeline; (case, seq) makes a retried projection write each event once. */
export const caseEvents = pgTable(
  'case_events',
  {
    caseId: text('case_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    at: ts('at').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /**
     * On an event that leaves a state: the seconds the case spent in it, since the event that moved it
     * there. Set at insert by the trigger `case_events_stay` (migration 0006), whoever writes the event,
     * so the dashboard's stage times are a sort of these, not a window over every timeline.
     */
    staySeconds: doublePrecision('stay_seconds'),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.seq] }),
    // The events that change the state, in order per case: the trigger finds the one that began a stay here.
    index('case_events_moves_idx').on(t.caseId, t.seq, t.at, t.toState).where(sql`${t.fromState} is distinct from ${t.toState}`),
    // Stage times: an index-only scan of the ended stays, joined to the cases in scope.
    index('case_events_stays_idx').on(t.caseId, t.fromState, t.staySeconds).where(sql`${t.staySeconds} is not null`),
    // Smart dispatch's report and lessons (db/queries/dispatch.ts): the desk's decisions over a period.
    index('case_events_triage_at_idx').on(t.at).where(sql`${t.type} in ('triage', 'joint_decision')`),
  ],
);

/** The outbox: written with the transition that caused it, delivered by the notification activity. */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id').notNull(),
    recipient: text('recipient').notNull(),
    to: text('to').notNull(),
    kind: text('kind').notNull(),
    body: jsonb('body').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    sentAt: ts('sent_at'),
    sender: text('sender'),
  },
  (t) => [index('notifications_case_idx').on(t.caseId), index('notifications_unsent_idx').on(t.createdAt).where(sql`${t.sentAt} is null`)],
);

/**
 * Outbox messages that could not be delivered within DELIVERY_GIVE_UP_AFTER: the delivery activity moved
 * them here and completed, so their workflow could finish. The message itself stays in `notifications`
 * (unsent; erasure redacts it there); this row says why it is here and where it belongs. A row stays after
 * its redelivery (`redelivered_at`), so the count of rows is how many were ever moved.
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    notificationId: text('notification_id').primaryKey(),
    caseId: text('case_id').notNull(),
    /** The sender that failed: notify, partner, hotline, demolition. */
    sender: text('sender').notNull(),
    /** The unit the message's case, suggestion, publicity item or shortfall lies in (the city when none): who may see it. */
    unitPath: text('unit_path').notNull(),
    /** The last failure, as the sender reported it. */
    error: text('error').notNull(),
    /** Delivery attempts before it was moved here. */
    attempts: integer('attempts').notNull(),
    firstAttemptAt: ts('first_attempt_at').notNull(),
    deadAt: ts('dead_at').notNull().defaultNow(),
    /** Redeliveries tried from the API or `./bangnong dead-letters`, and when the last one was. */
    redeliveryAttempts: integer('redelivery_attempts').notNull().default(0),
    lastTriedAt: ts('last_tried_at'),
    redeliveredAt: ts('redelivered_at'),
  },
  (t) => [
    index('dead_letters_waiting_idx').on(t.deadAt, t.notificationId).where(sql`${t.redeliveredAt} is null`),
    index('dead_letters_case_idx').on(t.caseId),
  ],
);

/**
 * Files uploaded to a case (photos, documents, video): the bytes are stored content-addressed by their
 * sha256 (platform/storage.ts); a row says whose upload to which case it is. The same bytes uploaded to
 * the same case by the same principal are one file.
 */
export const files = pgTable(
  'files',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id').notNull(),
    ownerId: text('owner_id').notNull(),
    /** The file name as sanitised on upload: a name, never a path. */
    name: text('name').notNull(),
    /** The media type read from the bytes, not from the name or what the client declared. */
    type: text('type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    /** The resized copy for viewing (images only), made once, beside the original. */
    previewKey: text('preview_key'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('files_case_owner_sha256_key').on(t.caseId, t.ownerId, t.sha256), index('files_case_idx').on(t.caseId, t.createdAt)],
);

/**
 * The read model of suggestions (人民建议征集), listed apart from complaints: one row per suggestion, written
 * only by its workflow's projection (and by intake, its first). Its short timeline lives in its view; its
 * messages go through the same outbox as cases' (`notifications.case_id` holds the suggestion's id).
 */
export const suggestions = pgTable(
  'suggestions',
  {
    id: text('id').primaryKey(),
    trackingCode: text('tracking_code').notNull(),
    channel: text('channel').notNull(),
    externalId: text('external_id'),
    title: text('title').notNull(),
    state: text('state').notNull(),
    deadlineAt: ts('deadline_at'),
    overdue: boolean('overdue').notNull(),
    /** The unit that handles it (a squad, or the city), and the district and squad it lies in, when known. */
    unitId: text('unit_id').notNull(),
    unitPath: text('unit_path').notNull(),
    districtId: text('district_id'),
    squadId: text('squad_id'),
    workstationId: text('workstation_id'),
    view: jsonb('view').$type<SuggestionView>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    answeredAt: ts('answered_at'),
    lapsedAt: ts('lapsed_at'),
    version: integer('version').notNull(),
    projectedAt: ts('projected_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('suggestions_tracking_code_key').on(t.trackingCode),
    uniqueIndex('suggestions_channel_external_id_key').on(t.channel, t.externalId),
    // The lists, most urgent first (earliest deadline), per district or squad: overdue ones lead.
    index('suggestions_district_deadline_idx').on(t.districtId, t.deadlineAt, t.id),
    index('suggestions_squad_deadline_idx').on(t.squadId, t.deadlineAt, t.id),
    index('suggestions_deadline_idx').on(t.deadlineAt, t.id),
    index('suggestions_state_idx').on(t.state, t.deadlineAt),
  ],
);

/**
 * Workstation duties (seeds 000, 001; DOMAIN.md "Workstation duties"): each liaison visit an officer logs
 * (社区工作室记录本 / 网上勤务日志). Written by the API alone; the weekly schedule reads it.
 */
export const dutyVisits = pgTable(
  'duty_visits',
  {
    id: text('id').primaryKey(),
    officerId: text('officer_id').notNull(),
    workstationId: text('workstation_id').notNull(),
    squadId: text('squad_id').notNull(),
    districtId: text('district_id').notNull(),
    /** The squad's unit path, for the access table. */
    unitPath: text('unit_path').notNull(),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at').notNull(),
    minutes: integer('minutes').notNull(),
    /** What was done: patrol, complaint handling, legal publicity, opinion collection, property supervision, community meeting (seed 001 §三(三)). */
    activities: jsonb('activities').$type<string[]>().notNull(),
    note: text('note'),
    attachments: jsonb('attachments').$type<Record<string, unknown>[]>().notNull().default(sql`'[]'::jsonb`),
    /** The officer's Idempotency-Key, so a retried log is one visit. */
    idempotencyKey: text('idempotency_key'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('duty_visits_officer_idempotency_key').on(t.officerId, t.idempotencyKey),
    index('duty_visits_workstation_started_idx').on(t.workstationId, t.startedAt),
    index('duty_visits_squad_started_idx').on(t.squadId, t.startedAt),
    index('duty_visits_district_started_idx').on(t.districtId, t.startedAt),
  ],
);

/**
 * What the duty schedules found short for a period: a workstation without its weekly visit of 2 hours, a
 * squad without its monthly released publicity item. One row per kind, subject and period, so a schedule
 * run (or a backfill) that runs twice records it once.
 */
export const dutyShortfalls = pgTable(
  'duty_shortfalls',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** The workstation (weekly visits) or the squad (monthly publicity). */
    subjectId: text('subject_id').notNull(),
    squadId: text('squad_id').notNull(),
    districtId: text('district_id').notNull(),
    unitPath: text('unit_path').notNull(),
    periodStart: ts('period_start').notNull(),
    periodEnd: ts('period_end').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
    detectedAt: ts('detected_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('duty_shortfalls_kind_subject_period_key').on(t.kind, t.subjectId, t.periodStart),
    index('duty_shortfalls_squad_period_idx').on(t.squadId, t.periodStart),
    index('duty_shortfalls_district_period_idx').on(t.districtId, t.periodStart),
  ],
);

/**
 * Publicity items (seeds 000, 001, 003): one workflow each (`publicity-<id>`), reviewed squad → district →
 * city, released to the newspaper, perhaps taken down later. This is its read model: the item as the
 * workflow holds it (`view`) and the columns the lists filter on; its history is `publicity_events`.
 */
export const publicityItems = pgTable(
  'publicity_items',
  {
    id: text('id').primaryKey(),
    squadId: text('squad_id').notNull(),
    districtId: text('district_id').notNull(),
    unitPath: text('unit_path').notNull(),
    title: text('title').notNull(),
    state: text('state').notNull(),
    /** The review level it waits at, while in review. */
    reviewLevel: text('review_level'),
    deadlineAt: ts('deadline_at'),
    overdue: boolean('overdue').notNull().default(false),
    view: jsonb('view').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    releasedAt: ts('released_at'),
    takenDownAt: ts('taken_down_at'),
    version: integer('version').notNull(),
  },
  (t) => [
    index('publicity_items_squad_created_idx').on(t.squadId, t.createdAt),
    index('publicity_items_state_deadline_idx').on(t.state, t.deadlineAt),
    index('publicity_items_released_idx').on(t.squadId, t.releasedAt),
  ],
);

export const publicityEvents = pgTable(
  'publicity_events',
  {
    itemId: text('item_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    actor: jsonb('actor').$type<Actor>().notNull(),
    at: ts('at').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.seq] })],
);

/**
 * What smart dispatch learned from the desk's decisions (`./bangnong dispatch learn`): phrases that tell a
 * category, and addresses the desk sends to one workstation. Replaced as a whole by each retraining, so
 * the model the API runs is always one training's output; the API reads it at start and every minute.
 */
export const dispatchLessons = pgTable(
  'dispatch_lessons',
  {
    kind: text('kind', { enum: ['phrase', 'place'] }).notNull(),
    /** A phrase of the text, or a place key (domain/dispatch/place.ts placeKey). */
    key: text('key').notNull(),
    /** A category (phrase), or a workstation id (place). */
    target: text('target').notNull(),
    weight: doublePrecision('weight').notNull(),
    /** How many of the desk's decisions taught it. */
    support: integer('support').notNull(),
    learnedAt: ts('learned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key, t.target] })],
);

export type UnitRow = typeof units.$inferSelect;
export type WorkstationRow = typeof workstations.$inferSelect;
export type PrincipalRow = typeof principals.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type CaseRow = typeof cases.$inferSelect;
export type CaseEventRow = typeof caseEvents.$inferSelect;
export type NotificationRow = typeof notifications.$inferSelect;
export type DeadLetterRow = typeof deadLetters.$inferSelect;
export type FileRow = typeof files.$inferSelect;
export type SuggestionRow = typeof suggestions.$inferSelect;
export type DutyVisitRow = typeof dutyVisits.$inferSelect;
export type DutyShortfallRow = typeof dutyShortfalls.$inferSelect;
export type PublicityItemRow = typeof publicityItems.$inferSelect;
export type PublicityEventRow = typeof publicityEvents.$inferSelect;
