import { type SQL, and, asc, eq, gt, gte, ilike, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { CaseEvent, CaseView, Notification } from '../../domain/case.js';
import { districtIdOf, squadIdOf, unitIdOf } from '../../domain/units.js';
import type { Db } from '../client.js';
import { type CaseEventRow, type CaseRow, caseEvents, cases, notifications } from '../schema.js';

function rowOf(view: CaseView): typeof cases.$inferInsert {
  const home = view.squadPath;
  return {
    id: view.id,
    trackingCode: view.trackingCode,
    channel: view.channel,
    externalId: view.externalId ?? null,
    title: view.title,
    category: view.category ?? null,
    urgent: view.urgent,
    state: view.state,
    outcome: view.outcome ?? null,
    stage: view.stage ?? null,
    deadlineAt: view.deadlineAt ?? null,
    overdue: view.overdue,
    overdueSince: view.overdueSince ?? null,
    escalationLevel: view.escalationLevel,
    districtId: districtIdOf(home) ?? null,
    squadId: squadIdOf(home) ?? null,
    assignedUnitId: unitIdOf(view.assignedUnitPath),
    assignedUnitPath: view.assignedUnitPath,
    assignedOfficerId: view.assignedOfficerId ?? null,
    workstationId: view.workstationId ?? null,
    mediaStatus: view.media.status,
    rating: view.rating?.rating ?? null,
    view,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    closedAt: view.closedAt ?? null,
    version: view.version,
  };
}

/** The channel each committed case event is announced on, for the API's live stream (api/stream.ts). */
export const CASE_EVENTS_CHANNEL = 'bangnong_case_events';

/**
 * What a case event's notification carries: what the stream shows and what deciding who may see it
 * takes — never the citizen's data or any free text (titles, descriptions, payloads), so the stream needs
 * no masking and a notification stays far below PostgreSQL's 8000-byte limit. The units, channel,
 * deadline and overdue flag are the case's after the batch the event came in.
 */
export interface CaseEventNotice {
  caseId: string;
  seq: number;
  type: string;
  from: string | null;
  to: string;
  at: string;
  assignedUnitPath: string;
  squadPath: string | null;
  channel: string;
  overdue: boolean;
  deadlineAt: string | null;
}

export function noticeOf(view: CaseView, event: { seq: number; type: string; from?: string | null; to: string; at: string }): CaseEventNotice {
  return {
    caseId: view.id,
    seq: event.seq,
    type: event.type,
    from: event.from ?? null,
    to: event.to,
    at: event.at,
    assignedUnitPath: view.assignedUnitPath,
    squadPath: view.squadPath ?? null,
    channel: view.channel,
    overdue: view.overdue,
    deadlineAt: view.deadlineAt ?? null,
  };
}

/**
 * Writes a batch of a case's transitions as one statement (one round trip, atomic): its events, its
 * outbox messages and its row, and a notification per event it newly recorded, which PostgreSQL
 * delivers at commit. Safe to repeat: events and messages are keyed (a repeated event is neither
 * written nor announced again), and the row only ever moves forward. `sentInline` names, per message
 * id, the inline sender that delivers it right after.
 */
export async function projectCase(
  db: Db,
  input: { snapshot: CaseView; events: CaseEvent[]; notifications: Notification[]; sentInline?: ReadonlyMap<string, string> },
): Promise<void> {
  const r = rowOf(input.snapshot);
  const events = input.events.map((e) => ({
    case_id: e.caseId,
    seq: e.seq,
    type: e.type,
    actor: e.actor,
    at: e.at,
    from_state: e.from ?? null,
    to_state: e.to,
    payload: e.payload,
  }));
  const messages = input.notifications.map((n) => ({
    id: n.id,
    case_id: n.caseId,
    recipient: n.recipient,
    to: n.to,
    kind: n.kind,
    body: n.body,
    sent_at: input.sentInline?.has(n.id) ? input.snapshot.updatedAt : null,
    sender: input.sentInline?.get(n.id) ?? null,
  }));
  // The row's columns come from rowOf alone: a new column is a change there (and in the schema and a migration).
  const columns = (Object.keys(r) as (keyof typeof r)[]).filter((k) => r[k] !== undefined);
  const name = (k: keyof typeof r) => sql.identifier(cases[k].name);
  const value = (k: keyof typeof r) => (k === 'view' ? sql`${JSON.stringify(r.view)}::jsonb` : sql`${r[k]}`);
  const updated = columns.filter((k) => !FIXED_AT_INTAKE.has(k));
  const notices = input.events.map((e) => ({ seq: e.seq, notice: JSON.stringify(noticeOf(input.snapshot, e)) }));
  await db.execute(sql`
    with ev as (
      insert into case_events (case_id, seq, type, actor, at, from_state, to_state, payload)
      select case_id, seq, type, actor, at, from_state, to_state, payload
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
        as x(case_id text, seq int, type text, actor jsonb, at timestamptz, from_state text, to_state text, payload jsonb)
      on conflict do nothing
      returning seq
    ), msg as (
      insert into notifications (id, case_id, recipient, "to", kind, body, sent_at, attempts, sender)
      select id, case_id, recipient, "to", kind, body, sent_at, case when sent_at is null then 0 else 1 end, sender
      from jsonb_to_recordset(${JSON.stringify(messages)}::jsonb)
        as x(id text, case_id text, recipient text, "to" text, kind text, body jsonb, sent_at timestamptz, sender text)
      on conflict do nothing
    ), row as (
      insert into cases (${sql.join(columns.map(name), sql`, `)}, projected_at)
      values (${sql.join(columns.map(value), sql`, `)}, now())
      on conflict (id) do update set
        ${sql.join(updated.map((k) => sql`${name(k)} = excluded.${name(k)}`), sql`, `)}, projected_at = excluded.projected_at
      where cases.version < excluded.version
    )
    select pg_notify(${CASE_EVENTS_CHANNEL}, notice)
    from (
      select n.notice from ev join jsonb_to_recordset(${JSON.stringify(notices)}::jsonb) as n(seq int, notice text) using (seq)
      order by seq
    ) announced`);
}

/** Columns a case keeps from its intake: the update of a later projection leaves them. */
const FIXED_AT_INTAKE = new Set<keyof typeof cases.$inferInsert>(['id', 'channel', 'externalId', 'createdAt']);

export async function getCaseById(db: Db, { id }: { id: string }): Promise<CaseView | undefined> {
  const [row] = await db.select({ view: cases.view }).from(cases).where(eq(cases.id, id));
  return row?.view;
}

export async function getCaseByTrackingCode(db: Db, { trackingCode }: { trackingCode: string }): Promise<CaseView | undefined> {
  const [row] = await db.select({ view: cases.view }).from(cases).where(eq(cases.trackingCode, trackingCode));
  return row?.view;
}

export async function listCaseEvents(db: Db, { caseId }: { caseId: string }): Promise<CaseEventRow[]> {
  return db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
}

/**
 * The notices of events recorded after a given one (by time, then case and seq), oldest first, of cases
 * that lie or are handled in `unit` (the city's: all): what a live stream missed while its client was
 * away. An event recorded late with an earlier time than the given one is not among them.
 */
export async function listCaseEventNoticesAfter(
  db: Db,
  { after, unit, limit }: { after: { caseId: string; seq: number }; unit?: { id: string; kind: 'city' | 'district' | 'squad'; path: string }; limit: number },
): Promise<CaseEventNotice[]> {
  const [last] = await db.select({ at: caseEvents.at }).from(caseEvents).where(and(eq(caseEvents.caseId, after.caseId), eq(caseEvents.seq, after.seq)));
  if (!last) return [];
  const handledIn = (path: string) => or(eq(cases.assignedUnitPath, path), sql`${cases.assignedUnitPath} like ${`${path}/%`}`);
  const inUnit =
    unit?.kind === 'district' ? or(eq(cases.districtId, unit.id), handledIn(unit.path)) : unit?.kind === 'squad' ? or(eq(cases.squadId, unit.id), handledIn(unit.path)) : undefined;
  const rows = await db
    .select({ event: caseEvents, view: cases.view })
    .from(caseEvents)
    .innerJoin(cases, eq(cases.id, caseEvents.caseId))
    .where(and(sql`(${caseEvents.at}, ${caseEvents.caseId}, ${caseEvents.seq}) > (${last.at}, ${after.caseId}, ${after.seq})`, inUnit))
    .orderBy(asc(caseEvents.at), asc(caseEvents.caseId), asc(caseEvents.seq))
    .limit(limit);
  return rows.map(({ event: e, view }) => noticeOf(view, { seq: e.seq, type: e.type, from: e.fromState, to: e.toState, at: new Date(e.at).toISOString() }));
}

export interface CaseFilter {
  state?: CaseRow['state'][];
  /** Overdue now: the stage deadline has passed (the workflow's own flag follows a moment later). */
  overdue?: boolean;
  /** Only cases located in this unit: the city sees all, a district its own, a squad its own. */
  unit?: { id: string; kind: 'city' | 'district' | 'squad' };
  category?: string;
  channel?: string;
  /** Only cases the system dispatched itself (smart dispatch's auto-dispatch), or only the others. */
  autoDispatched?: boolean;
  from?: string;
  to?: string;
  q?: string;
  limit: number;
  cursor?: CaseCursor;
}

/** Keyset position in the list order: by deadline, earliest (most overdue) first, then id; no deadline last. */
export interface CaseCursor {
  deadlineAt: string | null;
  id: string;
}

export async function listCases(db: Db, f: CaseFilter): Promise<{ cases: CaseView[]; next?: CaseCursor }> {
  const conditions: (SQL | undefined)[] = [
    f.state?.length ? inArray(cases.state, f.state) : undefined,
    f.overdue === true ? lte(cases.deadlineAt, sql`now()`) : undefined,
    f.overdue === false ? or(isNull(cases.deadlineAt), gt(cases.deadlineAt, sql`now()`)) : undefined,
    f.unit?.kind === 'district' ? eq(cases.districtId, f.unit.id) : undefined,
    f.unit?.kind === 'squad' ? eq(cases.squadId, f.unit.id) : undefined,
    f.category ? eq(cases.category, f.category) : undefined,
    f.channel ? eq(cases.channel, f.channel) : undefined,
    f.autoDispatched === undefined ? undefined : f.autoDispatched ? sql`${cases.view} ? 'autoDispatch'` : sql`not (${cases.view} ? 'autoDispatch')`,
    f.from ? gte(cases.createdAt, f.from) : undefined,
    f.to ? lt(cases.createdAt, f.to) : undefined,
    f.q ? or(ilike(cases.title, `%${f.q}%`), eq(cases.trackingCode, f.q), eq(cases.id, f.q)) : undefined,
  ];
  if (f.cursor) {
    const c = f.cursor;
    conditions.push(
      c.deadlineAt === null
        ? and(isNull(cases.deadlineAt), gt(cases.id, c.id))
        : or(gt(cases.deadlineAt, c.deadlineAt), and(eq(cases.deadlineAt, c.deadlineAt), gt(cases.id, c.id)), isNull(cases.deadlineAt)),
    );
  }
  const rows = await db
    .select({ view: cases.view, deadlineAt: cases.deadlineAt, id: cases.id })
    .from(cases)
    .where(and(...conditions))
    .orderBy(sql`${cases.deadlineAt} asc nulls last`, asc(cases.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  const next = rows.length > f.limit && last ? { deadlineAt: last.deadlineAt, id: last.id } : undefined;
  return { cases: page.map((r) => r.view), next };
}

export async function markNotificationSent(db: Db, { id, sender }: { id: string; sender: string }): Promise<void> {
  await db
    .update(notifications)
    .set({ sentAt: sql`now()`, sender, attempts: sql`${notifications.attempts} + 1` })
    .where(eq(notifications.id, id));
}

export const STATS_DIMENSIONS = ['category', 'channel', 'state', 'district', 'squad'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

export interface StatsRow {
  key: string | null;
  total: number;
  open: number;
  overdue: number;
  resolved: number;
  resolvedAtSquad: number;
  escalated: number;
  transferred: number;
  explained: number;
  withdrawn: number;
  duplicate: number;
  returned: number;
  avgHoursToResolution: number | null;
  rated: number;
  satisfied: number;
  basicallySatisfied: number;
  unsatisfied: number;
}

/** Counts and times of the cases filed in [from, to), grouped by one dimension, within a unit. */
export async function caseStats(
  db: Db,
  f: { by: StatsDimension; from?: string; to?: string; unit?: { id: string; kind: 'city' | 'district' | 'squad' }; channel?: string },
): Promise<StatsRow[]> {
  const column = { category: cases.category, channel: cases.channel, state: cases.state, district: cases.districtId, squad: cases.squadId }[f.by];
  const where = and(
    f.unit?.kind === 'district' ? eq(cases.districtId, f.unit.id) : undefined,
    f.unit?.kind === 'squad' ? eq(cases.squadId, f.unit.id) : undefined,
    f.channel ? eq(cases.channel, f.channel) : undefined,
    f.from ? gte(cases.createdAt, f.from) : undefined,
    f.to ? lt(cases.createdAt, f.to) : undefined,
  );
  const count = (condition: SQL) => sql<number>`count(*) filter (where ${condition})::int`;
  return db
    .select({
      key: sql<string | null>`${column}`,
      total: sql<number>`count(*)::int`,
      open: count(sql`${cases.state} <> 'closed'`),
      overdue: count(sql`${cases.deadlineAt} <= now()`),
      resolved: count(sql`${cases.outcome} = 'resolved'`),
      resolvedAtSquad: count(sql`${cases.outcome} = 'resolved' and ${cases.escalationLevel} = 'squad'`),
      escalated: count(sql`${cases.escalationLevel} <> 'squad'`),
      transferred: count(sql`${cases.outcome} = 'transferred'`),
      explained: count(sql`${cases.outcome} = 'explained'`),
      withdrawn: count(sql`${cases.outcome} = 'withdrawn'`),
      duplicate: count(sql`${cases.outcome} = 'duplicate'`),
      returned: count(sql`${cases.outcome} = 'returned'`),
      avgHoursToResolution: sql<number | null>`round((avg(extract(epoch from ((${cases.view}->>'resolvedAt')::timestamptz - ${cases.createdAt}))) / 3600)::numeric, 2)::float8`,
      rated: count(sql`${cases.rating} is not null`),
      satisfied: count(sql`${cases.rating} = 'satisfied'`),
      basicallySatisfied: count(sql`${cases.rating} = 'basically_satisfied'`),
      unsatisfied: count(sql`${cases.rating} = 'unsatisfied'`),
    })
    .from(cases)
    .where(where)
    .groupBy(column)
    .orderBy(sql`count(*) desc`, column);
}
