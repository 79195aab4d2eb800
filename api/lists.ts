// The case list a principal asks for: filtered, within its unit, most overdue first, a page at a time.
// The page's position travels as an opaque cursor the client passes back.

import { type CaseCursor, type CaseFilter, listCases } from '../db/queries/cases.js';
import { type CaseServiceDeps, type Reader, showCases } from './cases.js';
import { HttpError, badRequest } from './errors.js';
import type { CaseBody } from './schemas.js';
import { unitInScope } from './access.js';

export type CaseListQuery = Omit<CaseFilter, 'unit' | 'cursor'> & {
  /** A unit id: cases located in it (inside the principal's own unit). */
  unit?: string;
  /** The `next` of the previous page. */
  cursor?: string;
};

export async function listCasesFor(deps: CaseServiceDeps, reader: Reader, q: CaseListQuery): Promise<{ cases: CaseBody[]; next?: string }> {
  const { principal } = reader;
  const unit = await unitInScope(deps.org, principal, 'case.list', q.unit);
  // A key bound to one channel lists that channel's cases only.
  if (principal.channel && q.channel && q.channel !== principal.channel) {
    throw new HttpError(403, `your key is bound to channel ${principal.channel}; it lists no ${q.channel} cases`);
  }
  const { cases, next } = await listCases(deps.db, {
    state: q.state,
    overdue: q.overdue,
    unit,
    category: q.category,
    channel: principal.channel ?? q.channel,
    autoDispatched: q.autoDispatched,
    from: q.from,
    to: q.to,
    q: q.q,
    limit: q.limit,
    cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  return { cases: await showCases(deps, reader, 'case.list', cases), next: next ? encodeCursor(next) : undefined };
}

export function encodeCursor(c: CaseCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

// A position in the list: a case id and its deadline as PostgreSQL writes a timestamp (or null).
const CASE_ID = /^[0-9A-Za-z_-]{1,64}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-](\d{2})(:?\d{2}){0,2})$/;

/** A timestamp of that shape that names a real instant: PostgreSQL would refuse 2026-02-30 with an error. */
function isTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 && Number(m[9] ?? 0) <= 15;
}

/** The position a cursor holds, if it is exactly one this API gave out (encodeCursor); else 400 naming it. */
export function decodeCursor(s: string): CaseCursor {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  const c = v as Partial<CaseCursor> | null | undefined;
  const valid =
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    CASE_ID.test(c.id) &&
    (c.deadlineAt === null || (typeof c.deadlineAt === 'string' && isTimestamp(c.deadlineAt))) &&
    encodeCursor({ deadlineAt: c.deadlineAt, id: c.id }) === s;
  if (!valid) throw badRequest('cursor is not one this API gave out: pass back the `next` of the previous page', 'querystring.cursor');
  return { deadlineAt: c.deadlineAt as string | null, id: c.id as string };
}
