// The suggestions' read model (人民建议征集): written by each suggestion's workflow (and by intake, its first
// row), read by the API's lists, its detail and the citizen's page.

import { type SQL, and, asc, eq, gt, ilike, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Notification } from '../../domain/case.js';
import type { SuggestionState, SuggestionView } from '../../domain/suggestion.js';
import { districtIdOf, squadIdOf, unitIdOf } from '../../domain/units.js';
import type { Db } from '../client.js';
import { suggestions } from '../schema.js';

function rowOf(view: SuggestionView): typeof suggestions.$inferInsert {
  return {
    id: view.id,
    trackingCode: view.trackingCode,
    channel: view.channel,
    externalId: view.externalId ?? null,
    title: view.title,
    state: view.state,
    deadlineAt: view.deadlineAt ?? null,
    overdue: view.overdue,
    unitId: unitIdOf(view.unitPath),
    unitPath: view.unitPath,
    districtId: districtIdOf(view.unitPath) ?? null,
    squadId: squadIdOf(view.unitPath) ?? null,
    workstationId: view.workstationId ?? null,
    view,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    answeredAt: view.answeredAt ?? null,
    lapsedAt: view.lapsedAt ?? null,
    version: view.version,
  };
}

/** Columns a suggestion keeps from its filing: a later projection leaves them. */
const FIXED_AT_FILING = new Set<keyof typeof suggestions.$inferInsert>(['id', 'channel', 'externalId', 'createdAt']);

/**
 * Writes a suggestion's row and its outbox messages as one statement (atomic). Safe to repeat: messages are
 * keyed, and the row only ever moves forward (a version it has is not written again). `sentInline` names,
 * per message id, the inline sender that delivers it right after.
 */
export async function projectSuggestion(
  db: Db,
  input: { snapshot: SuggestionView; notifications: Notification[]; sentInline?: ReadonlyMap<string, string> },
): Promise<void> {
  const r = rowOf(input.snapshot);
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
  const columns = (Object.keys(r) as (keyof typeof r)[]).filter((k) => r[k] !== undefined);
  const name = (k: keyof typeof r) => sql.identifier(suggestions[k].name);
  const value = (k: keyof typeof r) => (k === 'view' ? sql`${JSON.stringify(r.view)}::jsonb` : sql`${r[k]}`);
  const updated = columns.filter((k) => !FIXED_AT_FILING.has(k));
  await db.execute(sql`
    with msg as (
      insert into notifications (id, case_id, recipient, "to", kind, body, sent_at, attempts, sender)
      select id, case_id, recipient, "to", kind, body, sent_at, case when sent_at is null then 0 else 1 end, sender
      from jsonb_to_recordset(${JSON.stringify(messages)}::jsonb)
        as x(id text, case_id text, recipient text, "to" text, kind text, body jsonb, sent_at timestamptz, sender text)
      on conflict do nothing
    )
    insert into suggestions (${sql.join(columns.map(name), sql`, `)}, projected_at)
    values (${sql.join(columns.map(value), sql`, `)}, now())
    on conflict (id) do update set
      ${sql.join(updated.map((k) => sql`${name(k)} = excluded.${name(k)}`), sql`, `)}, projected_at = excluded.projected_at
    where suggestions.version < excluded.version`);
}

export async function getSuggestionById(db: Db, { id }: { id: string }): Promise<SuggestionView | undefined> {
  const [row] = await db.select({ view: suggestions.view }).from(suggestions).where(eq(suggestions.id, id));
  return row?.view;
}

export async function getSuggestionByTrackingCode(db: Db, { trackingCode }: { trackingCode: string }): Promise<SuggestionView | undefined> {
  const [row] = await db.select({ view: suggestions.view }).from(suggestions).where(eq(suggestions.trackingCode, trackingCode));
  return row?.view;
}

/** Keyset position in the list order: by deadline, earliest (most overdue) first, then id; no deadline (answered) last. */
export interface SuggestionCursor {
  deadlineAt: string | null;
  id: string;
}

export interface SuggestionFilter {
  state?: SuggestionState[];
  /** Overdue now: the step's deadline has passed (the workflow's own mark follows a moment later). */
  overdue?: boolean;
  /** Only suggestions lying in this unit: the city sees all, a district its own, a squad its own. */
  unit?: { id: string; kind: 'city' | 'district' | 'squad' };
  channel?: string;
  q?: string;
  limit: number;
  cursor?: SuggestionCursor;
}

/** A page of suggestions, most urgent first: the overdue lead (their deadline is the earliest), answered ones come last. */
export async function listSuggestions(db: Db, f: SuggestionFilter): Promise<{ suggestions: SuggestionView[]; next?: SuggestionCursor }> {
  const s = suggestions;
  const conditions: (SQL | undefined)[] = [
    f.state?.length ? inArray(s.state, f.state) : undefined,
    // Overdue: its deadline has passed, or its workflow marked it so (a lapsed one keeps the mark, not the deadline).
    f.overdue === true ? or(lte(s.deadlineAt, sql`now()`), eq(s.overdue, true)) : undefined,
    f.overdue === false ? and(or(isNull(s.deadlineAt), gt(s.deadlineAt, sql`now()`)), eq(s.overdue, false)) : undefined,
    f.unit?.kind === 'district' ? eq(s.districtId, f.unit.id) : undefined,
    f.unit?.kind === 'squad' ? eq(s.squadId, f.unit.id) : undefined,
    f.channel ? eq(s.channel, f.channel) : undefined,
    f.q ? or(ilike(s.title, `%${f.q.replace(/[\\%_]/g, '\\$&')}%`), eq(s.trackingCode, f.q), eq(s.id, f.q)) : undefined,
  ];
  if (f.cursor) {
    const c = f.cursor;
    conditions.push(
      c.deadlineAt === null
        ? and(isNull(s.deadlineAt), gt(s.id, c.id))
        : or(gt(s.deadlineAt, c.deadlineAt), and(eq(s.deadlineAt, c.deadlineAt), gt(s.id, c.id)), isNull(s.deadlineAt)),
    );
  }
  const rows = await db
    .select({ view: s.view, deadlineAt: s.deadlineAt, id: s.id })
    .from(s)
    .where(and(...conditions))
    .orderBy(sql`${s.deadlineAt} asc nulls last`, asc(s.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  const next = rows.length > f.limit && last ? { deadlineAt: last.deadlineAt, id: last.id } : undefined;
  return { suggestions: page.map((r) => r.view), next };
}
