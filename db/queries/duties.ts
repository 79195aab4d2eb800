// Workstation duties in PostgreSQL: the visits officers log (duty_visits), what the weekly and monthly
// checks count (visits and minutes per workstation and week, released publicity per squad and month), and
// the shortfalls they record (duty_shortfalls) with their messages in the outbox, both written once however
// often a period is checked.

import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Notification } from '../../domain/case.js';
import type { ShortfallKind } from '../../domain/duties.js';
import type { Db } from '../client.js';
import { type DutyShortfallRow, type DutyVisitRow, dutyShortfalls, dutyVisits, principals } from '../schema.js';

/** A unit and everything below it, by path: `path` itself or `path/…`. */
const within = (column: unknown, path: string) => sql`(${column} = ${path} or ${column} like ${`${path.replace(/[\\%_]/g, '\\$&')}/%`})`;

/** A photo of a visit as the row keeps it: where its bytes are, and what they are. */
export interface VisitPhoto {
  id: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  storageKey: string;
  previewKey?: string;
  ownerId: string;
  createdAt: string;
}

export type NewDutyVisit = typeof dutyVisits.$inferInsert;

/**
 * Records a visit, unless the officer has logged one with the same Idempotency-Key: then that visit is
 * answered, with `created: false` — a retried request is one visit.
 */
export async function recordDutyVisit(db: Db, visit: NewDutyVisit): Promise<{ created: boolean; visit: DutyVisitRow }> {
  const [inserted] = await db.insert(dutyVisits).values(visit).onConflictDoNothing().returning();
  if (inserted) return { created: true, visit: inserted };
  if (!visit.idempotencyKey) throw new Error(`duty visit ${visit.id} neither recorded nor found`);
  const [existing] = await db
    .select()
    .from(dutyVisits)
    .where(and(eq(dutyVisits.officerId, visit.officerId), eq(dutyVisits.idempotencyKey, visit.idempotencyKey)));
  if (!existing) throw new Error(`duty visit of officer ${visit.officerId} with key ${visit.idempotencyKey} neither recorded nor found`);
  return { created: false, visit: existing };
}

export type DutyVisitListed = DutyVisitRow & { officerName: string | null };

export async function getDutyVisit(db: Db, { id }: { id: string }): Promise<DutyVisitListed | undefined> {
  const [row] = await db
    .select({ visit: dutyVisits, officerName: principals.name })
    .from(dutyVisits)
    .leftJoin(principals, eq(principals.id, dutyVisits.officerId))
    .where(eq(dutyVisits.id, id));
  return row ? { ...row.visit, officerName: row.officerName } : undefined;
}

export interface DutyVisitFilter {
  /** Visits at workstations of this unit and below. */
  unitPath?: string;
  workstationId?: string;
  officerId?: string;
  /** Visits that started in [from, to). */
  from?: string;
  to?: string;
  limit: number;
  /** The last visit of the previous page: newest first, by start then id. */
  before?: { at: string; id: string };
}

/** Visits, newest first, a page at a time. */
export async function listDutyVisits(db: Db, f: DutyVisitFilter): Promise<{ visits: DutyVisitListed[]; next?: { at: string; id: string } }> {
  const where = and(
    f.unitPath ? within(dutyVisits.unitPath, f.unitPath) : undefined,
    f.workstationId ? eq(dutyVisits.workstationId, f.workstationId) : undefined,
    f.officerId ? eq(dutyVisits.officerId, f.officerId) : undefined,
    f.from ? gte(dutyVisits.startedAt, f.from) : undefined,
    f.to ? lt(dutyVisits.startedAt, f.to) : undefined,
    f.before ? sql`(${dutyVisits.startedAt}, ${dutyVisits.id}) < (${f.before.at}::timestamptz, ${f.before.id})` : undefined,
  );
  const rows = await db
    .select({ visit: dutyVisits, officerName: principals.name })
    .from(dutyVisits)
    .leftJoin(principals, eq(principals.id, dutyVisits.officerId))
    .where(where)
    .orderBy(desc(dutyVisits.startedAt), desc(dutyVisits.id))
    .limit(f.limit + 1);
  const visits = rows.slice(0, f.limit).map((r) => ({ ...r.visit, officerName: r.officerName }));
  const last = visits.at(-1);
  return { visits, next: rows.length > f.limit && last ? { at: last.startedAt, id: last.id } : undefined };
}

/**
 * Adds a photo to a visit in one statement, unless the visit has these bytes already (then that photo is
 * answered, `created: false`) or already holds `max` photos (`full`). Two uploads at once cannot both
 * squeeze past the limit, nor add the same bytes twice.
 */
export async function addVisitPhoto(db: Db, { visitId, photo, max }: { visitId: string; photo: VisitPhoto; max: number }): Promise<{ created: boolean; photo?: VisitPhoto; full?: boolean }> {
  const added = await db.execute<{ id: string }>(sql`
    update duty_visits set attachments = attachments || ${JSON.stringify([photo])}::jsonb
    where id = ${visitId}
      and jsonb_array_length(attachments) < ${max}
      and not attachments @> ${JSON.stringify([{ sha256: photo.sha256 }])}::jsonb
    returning id`);
  if (added.length > 0) return { created: true, photo };
  const [row] = await db.select({ attachments: dutyVisits.attachments }).from(dutyVisits).where(eq(dutyVisits.id, visitId));
  const same = (row?.attachments as unknown as VisitPhoto[] | undefined)?.find((p) => p.sha256 === photo.sha256);
  if (same) return { created: false, photo: same };
  return { created: false, full: true };
}

/** One workstation's visits in a week, with what the check needs to record a shortfall. */
export type WorkstationWeek = {
  workstationId: string;
  workstationName: string;
  squadId: string;
  squadName: string;
  squadPath: string;
  districtId: string;
  visits: number;
  minutes: number;
};

/**
 * Every workstation (of a unit, or after `after` in id order, `limit` of them) with its visits and minutes
 * in `[start, end)` — a visit counts in the week it started (domain/duties.ts `weekOfVisit`).
 */
export async function workstationWeeks(db: Db, q: { start: string; end: string; unitPath?: string; after?: string; limit?: number }): Promise<WorkstationWeek[]> {
  return db.execute<WorkstationWeek>(sql`
    select w.id as "workstationId", w.name as "workstationName", w.squad_id as "squadId", u.name as "squadName",
      u.path as "squadPath", u.parent_id as "districtId",
      count(v.id)::int as visits, coalesce(sum(v.minutes), 0)::int as minutes
    from workstations w
    join units u on u.id = w.squad_id
    left join duty_visits v on v.workstation_id = w.id and v.started_at >= ${q.start}::timestamptz and v.started_at < ${q.end}::timestamptz
    where true
      ${q.unitPath ? sql`and ${within(sql`u.path`, q.unitPath)}` : sql``}
      ${q.after ? sql`and w.id > ${q.after}` : sql``}
    group by w.id, u.id
    order by ${q.limit ? sql`w.id` : sql`u.path, w.pilot_seq nulls last, w.id`}
    ${q.limit ? sql`limit ${q.limit}` : sql``}`);
}

/** One squad's released publicity in a month. */
export type SquadMonth = {
  squadId: string;
  squadName: string;
  squadPath: string;
  districtId: string;
  released: number;
};

/**
 * Every squad that hosts a workstation (of a unit, or after `after` in id order, `limit` of them) with the
 * publicity items it released in `[start, end)` and did not take down within it — how the scorecard reads
 * `publicity_items` too.
 */
export async function squadMonths(db: Db, q: { start: string; end: string; unitPath?: string; after?: string; limit?: number }): Promise<SquadMonth[]> {
  return db.execute<SquadMonth>(sql`
    select u.id as "squadId", u.name as "squadName", u.path as "squadPath", u.parent_id as "districtId",
      count(p.id)::int as released
    from units u
    left join publicity_items p on p.squad_id = u.id
      and p.released_at >= ${q.start}::timestamptz and p.released_at < ${q.end}::timestamptz
      and (p.taken_down_at is null or p.taken_down_at >= ${q.end}::timestamptz)
    where u.kind = 'squad' and exists (select 1 from workstations w where w.squad_id = u.id)
      ${q.unitPath ? sql`and ${within(sql`u.path`, q.unitPath)}` : sql``}
      ${q.after ? sql`and u.id > ${q.after}` : sql``}
    group by u.id
    order by ${q.limit ? sql`u.id` : sql`u.path`}
    ${q.limit ? sql`limit ${q.limit}` : sql``}`);
}

export type NewShortfall = Omit<typeof dutyShortfalls.$inferInsert, 'detectedAt'>;

/**
 * Records shortfalls and, for each one new here, its message in the outbox — in one transaction, so a
 * shortfall is never recorded without its message. A shortfall recorded before (the same kind, subject
 * and period) is left as it was and gets no second message. Messages an inline sender takes (the log)
 * are marked sent with it. Answers the new shortfalls' ids, and the ids of every message of these
 * shortfalls still to be delivered — those of an earlier run whose delivery never finished included.
 */
export async function recordShortfalls(
  db: Db,
  input: { shortfalls: NewShortfall[]; notifications: Map<string, Notification>; sentInline?: ReadonlyMap<string, string> },
): Promise<{ created: string[]; undelivered: string[] }> {
  if (input.shortfalls.length === 0) return { created: [], undelivered: [] };
  return db.transaction(async (tx) => {
    const created = (await tx.insert(dutyShortfalls).values(input.shortfalls).onConflictDoNothing().returning({ id: dutyShortfalls.id })).map((r) => r.id);
    const messages = created.flatMap((id) => {
      const n = input.notifications.get(id);
      if (!n) return [];
      const sender = input.sentInline?.get(n.id);
      return [{ id: n.id, case_id: n.caseId, recipient: n.recipient, to: n.to, kind: n.kind, body: n.body, sent: sender !== undefined, sender: sender ?? null }];
    });
    if (messages.length > 0) {
      await tx.execute(sql`
        insert into notifications (id, case_id, recipient, "to", kind, body, sent_at, attempts, sender)
        select id, case_id, recipient, "to", kind, body, case when sent then now() end, case when sent then 1 else 0 end, sender
        from jsonb_to_recordset(${JSON.stringify(messages)}::jsonb)
          as x(id text, case_id text, recipient text, "to" text, kind text, body jsonb, sent boolean, sender text)
        on conflict do nothing`);
    }
    const ids = [...input.notifications.values()].map((n) => n.id);
    const pending = await tx.execute<{ id: string }>(sql`
      select id from notifications where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)) and sent_at is null order by id`);
    return { created, undelivered: pending.map((r) => r.id) };
  });
}

export interface ShortfallFilter {
  /** Shortfalls of workstations and squads in this unit and below. */
  unitPath?: string;
  kind?: ShortfallKind;
  /** Shortfalls of periods that start in [from, to). */
  from?: string;
  to?: string;
  limit: number;
  /** The last shortfall of the previous page: the latest period first, then by id. */
  before?: { at: string; id: string };
}

export async function listShortfalls(db: Db, f: ShortfallFilter): Promise<{ shortfalls: DutyShortfallRow[]; next?: { at: string; id: string } }> {
  const where = and(
    f.unitPath ? within(dutyShortfalls.unitPath, f.unitPath) : undefined,
    f.kind ? eq(dutyShortfalls.kind, f.kind) : undefined,
    f.from ? gte(dutyShortfalls.periodStart, f.from) : undefined,
    f.to ? lt(dutyShortfalls.periodStart, f.to) : undefined,
    f.before ? sql`(${dutyShortfalls.periodStart}, ${dutyShortfalls.id}) < (${f.before.at}::timestamptz, ${f.before.id})` : undefined,
  );
  const rows = await db
    .select()
    .from(dutyShortfalls)
    .where(where)
    .orderBy(desc(dutyShortfalls.periodStart), desc(dutyShortfalls.id))
    .limit(f.limit + 1);
  const shortfalls = rows.slice(0, f.limit);
  const last = shortfalls.at(-1);
  return { shortfalls, next: rows.length > f.limit && last ? { at: last.periodStart, id: last.id } : undefined };
}
