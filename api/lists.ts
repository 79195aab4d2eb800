// The case list a principal asks for: filtered, within its unit, most overdue first, a page at a time.
// The page's position travels as an opaque cursor the client passes back.

import { type CaseCursor, type CaseFilter, listCases } from '../db/queries/cases.js';
import type { Principal } from '../db/queries/principals.js';
import { type CaseServiceDeps, present } from './cases.js';
import { badRequest } from './errors.js';
import type { CaseBody } from './schemas.js';
import { unitInScope } from './scope.js';

export type CaseListQuery = Omit<CaseFilter, 'unit' | 'cursor'> & {
  /** A unit id: cases located in it (inside the principal's own unit). */
  unit?: string;
  /** The `next` of the previous page. */
  cursor?: string;
};

export async function listCasesFor(deps: CaseServiceDeps, principal: Principal, q: CaseListQuery): Promise<{ cases: CaseBody[]; next?: string }> {
  const unit = await unitInScope(deps.org, principal, q.unit);
  const { cases, next } = await listCases(deps.db, {
    state: q.state,
    overdue: q.overdue,
    unit,
    category: q.category,
    channel: q.channel,
    from: q.from,
    to: q.to,
    q: q.q,
    limit: q.limit,
    cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  return { cases: cases.map((c) => present(c, principal)), next: next ? encodeCursor(next) : undefined };
}

function encodeCursor(c: CaseCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): CaseCursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString()) as CaseCursor;
    if (typeof v.id !== 'string' || (v.deadlineAt !== null && typeof v.deadlineAt !== 'string')) throw new Error('shape');
    return v;
  } catch {
    throw badRequest('cursor is not one this API gave out: pass back the `next` of the previous page', 'querystring.cursor');
  }
}
