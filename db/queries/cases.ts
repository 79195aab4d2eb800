import { type SQL, and, asc, desc, eq, gte, ilike, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { CaseEvent, CaseView, Notification } from '../../workflows/domain.js';
import type { Db } from '../client.js';
import { type CaseEventRow, type CaseRow, caseEvents, cases, notifications } from '../schema.js';

const segment = (path: string | undefined, i: number) => path?.split('/')[i];

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
    districtId: segment(home, 1) ?? null,
    squadId: segment(home, 2) ?? null,
    assignedUnitId: view.assignedUnitPath.split('/').at(-1)!,
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

/**
 * Writes a batch of a case's transitions in one transaction: its events, its outbox messages and
 * its row. Safe to repeat: events and messages are keyed, and the row only ever moves forward.
 */
export async function projectCase(db: Db, input: { snapshot: CaseView; events: CaseEvent[]; notifications: Notification[] }): Promise<void> {
  const row = rowOf(input.snapshot);
  const { id: _id, ...fields } = row;
  const update = { ...fields, projectedAt: sql`now()` };
  await db.transaction(async (tx) => {
    if (input.events.length > 0) {
      await tx
        .insert(caseEvents)
        .values(
          input.events.map((e) => ({
            caseId: e.caseId,
            seq: e.seq,
            type: e.type,
            actor: e.actor,
            at: e.at,
            fromState: e.from ?? null,
            toState: e.to,
            payload: e.payload,
          })),
        )
        .onConflictDoNothing();
    }
    if (input.notifications.length > 0) {
      await tx
        .insert(notifications)
        .values(input.notifications.map((n) => ({ id: n.id, caseId: n.caseId, recipient: n.recipient, to: n.to, kind: n.kind, body: n.body })))
        .onConflictDoNothing();
    }
    await tx
      .insert(cases)
      .values(row)
      .onConflictDoUpdate({ target: cases.id, set: update, setWhere: sql`${cases.version} < excluded.version` });
  });
}

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

export interface CaseFilter {
  state?: CaseRow['state'][];
  overdue?: boolean;
  /** Only cases located in this unit: the city sees all, a district its own, a squad its own. */
  unit?: { id: string; kind: 'city' | 'district' | 'squad' };
  category?: string;
  channel?: string;
  from?: string;
  to?: string;
  q?: string;
  limit: number;
  cursor?: CaseCursor;
}

/** Keyset position in the list order: overdue first, then by deadline (earliest = most late), then id. */
export interface CaseCursor {
  overdue: boolean;
  deadlineAt: string | null;
  id: string;
}

const FAR_FUTURE = '9999-12-31T00:00:00Z';

export async function listCases(db: Db, f: CaseFilter): Promise<{ cases: CaseView[]; next?: CaseCursor }> {
  const conditions: (SQL | undefined)[] = [
    f.state?.length ? inArray(cases.state, f.state) : undefined,
    f.overdue === undefined ? undefined : eq(cases.overdue, f.overdue),
    f.unit?.kind === 'district' ? eq(cases.districtId, f.unit.id) : undefined,
    f.unit?.kind === 'squad' ? eq(cases.squadId, f.unit.id) : undefined,
    f.category ? eq(cases.category, f.category) : undefined,
    f.channel ? eq(cases.channel, f.channel) : undefined,
    f.from ? gte(cases.createdAt, f.from) : undefined,
    f.to ? lt(cases.createdAt, f.to) : undefined,
    f.q ? or(ilike(cases.title, `%${f.q}%`), eq(cases.trackingCode, f.q), eq(cases.id, f.q)) : undefined,
  ];
  const deadline = sql`coalesce(${cases.deadlineAt}, ${FAR_FUTURE}::timestamptz)`;
  if (f.cursor) {
    const c = f.cursor;
    const after = sql`(${deadline}, ${cases.id}) > (${c.deadlineAt ?? FAR_FUTURE}::timestamptz, ${c.id})`;
    conditions.push(c.overdue ? or(eq(cases.overdue, false), and(eq(cases.overdue, true), after)) : and(eq(cases.overdue, false), after));
  }
  // With overdue=true the order is the partial indexes' own (deadline, id), so the planner reads them in order.
  const order = f.overdue === true ? [asc(cases.deadlineAt), asc(cases.id)] : [desc(cases.overdue), asc(deadline), asc(cases.id)];
  const rows = await db
    .select({ view: cases.view, overdue: cases.overdue, deadlineAt: cases.deadlineAt, id: cases.id })
    .from(cases)
    .where(and(...conditions))
    .orderBy(...order)
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  const next = rows.length > f.limit && last ? { overdue: last.overdue, deadlineAt: last.deadlineAt, id: last.id } : undefined;
  return { cases: page.map((r) => r.view), next };
}

export async function getNotifications(db: Db, { ids }: { ids: string[] }) {
  return db.select().from(notifications).where(and(inArray(notifications.id, ids), isNull(notifications.sentAt)));
}

export async function markNotificationSent(db: Db, { id, sender }: { id: string; sender: string }): Promise<void> {
  await db
    .update(notifications)
    .set({ sentAt: sql`now()`, sender, attempts: sql`${notifications.attempts} + 1` })
    .where(eq(notifications.id, id));
}
