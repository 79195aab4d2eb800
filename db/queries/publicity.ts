// The publicity items' read model (宣传报道): written by each item's workflow (and by the submission, its first
// row and event), read by the API's list, its detail with the history, and the duties' monthly check.

import { type SQL, and, asc, eq, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Level, Notification } from '../../domain/case.js';
import type { PublicityEvent, PublicityState, PublicityView } from '../../domain/publicity.js';
import { districtIdOf, squadIdOf } from '../../domain/units.js';
import type { Db } from '../client.js';
import { publicityEvents, publicityItems } from '../schema.js';

function rowOf(view: PublicityView): typeof publicityItems.$inferInsert {
  return {
    id: view.id,
    squadId: squadIdOf(view.squadPath)!,
    districtId: districtIdOf(view.squadPath)!,
    unitPath: view.squadPath,
    title: view.title,
    state: view.state,
    reviewLevel: view.reviewLevel ?? null,
    deadlineAt: view.deadlineAt ?? null,
    overdue: view.overdue,
    view: view as unknown as Record<string, unknown>,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    releasedAt: view.releasedAt ?? null,
    takenDownAt: view.takenDownAt ?? null,
    version: view.version,
  };
}

/** Columns an item keeps from its submission: a later projection leaves them. */
const FIXED_AT_SUBMISSION = new Set<keyof typeof publicityItems.$inferInsert>(['id', 'squadId', 'districtId', 'unitPath', 'createdAt']);

/**
 * Writes an item's row, its new events and its outbox messages as one statement (atomic). Safe to repeat: events
 * and messages are keyed, and the row only ever moves forward (a version it has is not written again).
 * `sentInline` names, per message id, the inline sender that delivers it right after.
 */
export async function projectPublicity(
  db: Db,
  input: { snapshot: PublicityView; events: PublicityEvent[]; notifications: Notification[]; sentInline?: ReadonlyMap<string, string> },
): Promise<void> {
  const r = rowOf(input.snapshot);
  const events = input.events.map((e) => ({
    item_id: e.itemId,
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
  const columns = Object.keys(r) as (keyof typeof r)[];
  const name = (k: keyof typeof r) => sql.identifier(publicityItems[k].name);
  const value = (k: keyof typeof r) => (k === 'view' ? sql`${JSON.stringify(r.view)}::jsonb` : sql`${r[k]}`);
  const updated = columns.filter((k) => !FIXED_AT_SUBMISSION.has(k));
  await db.execute(sql`
    with ev as (
      insert into publicity_events (item_id, seq, type, actor, at, from_state, to_state, payload)
      select item_id, seq, type, actor, at, from_state, to_state, payload
      from jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
        as x(item_id text, seq int, type text, actor jsonb, at timestamptz, from_state text, to_state text, payload jsonb)
      on conflict do nothing
    ), msg as (
      insert into notifications (id, case_id, recipient, "to", kind, body, sent_at, attempts, sender)
      select id, case_id, recipient, "to", kind, body, sent_at, case when sent_at is null then 0 else 1 end, sender
      from jsonb_to_recordset(${JSON.stringify(messages)}::jsonb)
        as x(id text, case_id text, recipient text, "to" text, kind text, body jsonb, sent_at timestamptz, sender text)
      on conflict do nothing
    )
    insert into publicity_items (${sql.join(columns.map(name), sql`, `)})
    values (${sql.join(columns.map(value), sql`, `)})
    on conflict (id) do update set
      ${sql.join(updated.map((k) => sql`${name(k)} = excluded.${name(k)}`), sql`, `)}
    where publicity_items.version < excluded.version`);
}

export async function getPublicityById(db: Db, { id }: { id: string }): Promise<PublicityView | undefined> {
  const [row] = await db.select({ view: publicityItems.view }).from(publicityItems).where(eq(publicityItems.id, id));
  return row?.view as PublicityView | undefined;
}

/** The item's whole history, oldest first. */
export async function listPublicityEvents(db: Db, { itemId }: { itemId: string }): Promise<PublicityEvent[]> {
  const rows = await db.select().from(publicityEvents).where(eq(publicityEvents.itemId, itemId)).orderBy(asc(publicityEvents.seq));
  return rows.map((e) => ({
    itemId: e.itemId,
    seq: e.seq,
    type: e.type as PublicityEvent['type'],
    actor: e.actor,
    at: new Date(e.at).toISOString(),
    ...(e.fromState ? { from: e.fromState as PublicityState } : {}),
    to: e.toState as PublicityState,
    payload: e.payload,
  }));
}

/** Keyset position in the list order: the earliest deadline first, then the newest; none (done) last. */
export interface PublicityCursor {
  deadlineAt: string | null;
  createdAt: string;
  id: string;
}

export interface PublicityFilter {
  state?: PublicityState[];
  /** Waiting for review at this level (state in_review). */
  level?: Level;
  /** Only items of this unit: the city sees all, a district its squads', a squad its own. */
  unit?: { id: string; kind: 'city' | 'district' | 'squad' };
  /** Submitted or released within [start, end). */
  month?: { start: Date; end: Date };
  /** Only those that reached the newspaper (a reporter's list): released, or released and taken down. */
  releasedOnly?: boolean;
  limit: number;
  cursor?: PublicityCursor;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** A page of items, the most urgent first: those waiting, earliest deadline first; then the done ones, newest first. */
export async function listPublicity(db: Db, f: PublicityFilter): Promise<{ items: PublicityView[]; next?: PublicityCursor }> {
  const t = publicityItems;
  const conditions: (SQL | undefined)[] = [
    f.state?.length ? inArray(t.state, f.state) : undefined,
    f.level ? and(eq(t.state, 'in_review'), eq(t.reviewLevel, f.level)) : undefined,
    f.unit?.kind === 'district' ? eq(t.districtId, f.unit.id) : undefined,
    f.unit?.kind === 'squad' ? eq(t.squadId, f.unit.id) : undefined,
    f.month
      ? or(
          and(gte(t.createdAt, f.month.start.toISOString()), lt(t.createdAt, f.month.end.toISOString())),
          and(gte(t.releasedAt, f.month.start.toISOString()), lt(t.releasedAt, f.month.end.toISOString())),
        )
      : undefined,
    f.releasedOnly ? isNotNull(t.releasedAt) : undefined,
  ];
  if (f.cursor) {
    const c = f.cursor;
    const newer = or(lt(t.createdAt, c.createdAt), and(eq(t.createdAt, c.createdAt), sql`${t.id} > ${c.id}`));
    conditions.push(
      c.deadlineAt === null
        ? and(isNull(t.deadlineAt), newer)
        : or(sql`${t.deadlineAt} > ${c.deadlineAt}`, and(eq(t.deadlineAt, c.deadlineAt), newer), isNull(t.deadlineAt)),
    );
  }
  const rows = await db
    .select({ view: t.view, deadlineAt: t.deadlineAt, createdAt: t.createdAt, id: t.id })
    .from(t)
    .where(and(...conditions))
    .orderBy(sql`${t.deadlineAt} asc nulls last`, sql`${t.createdAt} desc`, asc(t.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  const next = rows.length > f.limit && last ? { deadlineAt: last.deadlineAt === null ? null : iso(last.deadlineAt), createdAt: iso(last.createdAt), id: last.id } : undefined;
  return { items: page.map((r) => r.view as unknown as PublicityView), next };
}
