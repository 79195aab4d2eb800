// The audit log a supervisor or administrator reads: who saw citizens' names and phones unmasked, when,
// in which cases and through which request — for the principals of the reader's unit and below.

import { listAudit } from '../db/queries/audit.js';
import type { Principal } from '../db/queries/principals.js';
import { unitInScope } from './access.js';
import type { CaseServiceDeps } from './cases.js';
import { badRequest } from './errors.js';

export interface AuditQuery {
  unit?: string;
  principalId?: string;
  caseId?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export async function auditFor(deps: CaseServiceDeps, principal: Principal, q: AuditQuery) {
  const unit = await unitInScope(deps.org, principal, 'audit.read', q.unit);
  const unitPath = unit ? (await deps.org.unit(unit.id))!.path : undefined;
  const { entries, next } = await listAudit(deps.db, {
    unitPath,
    principalId: q.principalId,
    caseId: q.caseId,
    from: q.from,
    to: q.to,
    limit: q.limit,
    before: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  return {
    entries: entries.map((e) => ({
      at: new Date(e.at).toISOString(),
      principalId: e.principalId,
      role: e.role,
      unitPath: e.unitPath,
      operation: e.operation,
      caseIds: e.caseIds,
      requestId: e.requestId ?? undefined,
      ip: e.ip ?? undefined,
    })),
    next: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : undefined,
  };
}

function decodeCursor(s: string): { at: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString()) as { at?: unknown; id?: unknown };
    if (typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at)) || typeof v.id !== 'string' || v.id.length > 64) throw new Error('shape');
    return { at: v.at, id: v.id };
  } catch {
    throw badRequest('cursor is not one this API gave out: pass back the `next` of the previous page', 'querystring.cursor');
  }
}
