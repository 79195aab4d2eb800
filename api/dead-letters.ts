// The dead-letter list for administrators: messages the webhooks would not take within
// DELIVERY_GIVE_UP_AFTER, whose workflows went on without them. Listed, shown one at a time, and
// redelivered one by one or all that match, through the senders this API process is configured with (the
// same *_WEBHOOK_URL settings as the workers'). Each is checked against the unit it belongs to.

import type { SenderRouting } from '../activities/senders.js';
import { type DeadLetter, type DeadLetterStatus, getDeadLetter, listDeadLetters } from '../db/queries/dead-letters.js';
import type { Principal } from '../db/queries/principals.js';
import { refusal } from '../domain/access.js';
import type { Recipient } from '../domain/case.js';
import { mask, redactValue } from '../domain/privacy.js';
import { redeliverDeadLetter, redeliverDeadLetters } from '../platform/redelivery.js';
import { unitInScope } from './access.js';
import type { CaseServiceDeps } from './cases.js';
import { HttpError, badRequest, notFound } from './errors.js';

export interface DeadLetterDeps extends CaseServiceDeps {
  senders: SenderRouting;
}

export interface DeadLetterQuery {
  status: DeadLetterStatus | 'all';
  unit?: string;
  caseId?: string;
  recipient?: string;
  sender?: string;
  kind?: string;
  limit: number;
  cursor?: string;
}

/** A dead letter as the API shows it: its message's body only when shown one at a time, numbers masked. */
function shown(d: DeadLetter, withBody: boolean) {
  return {
    id: d.notificationId,
    caseId: d.caseId,
    recipient: d.recipient as Recipient,
    // A citizen's messages go to the case's tracking code, the citizen's own key to it.
    to: d.recipient === 'citizen' ? mask(d.to, 2, 0) : d.to,
    kind: d.kind,
    sender: d.sender,
    unitPath: d.unitPath,
    status: d.redeliveredAt ? ('redelivered' as const) : ('waiting' as const),
    error: d.error,
    attempts: d.attempts,
    createdAt: new Date(d.createdAt).toISOString(),
    firstAttemptAt: new Date(d.firstAttemptAt).toISOString(),
    deadAt: new Date(d.deadAt).toISOString(),
    redeliveryAttempts: d.redeliveryAttempts,
    ...(d.lastTriedAt ? { lastTriedAt: new Date(d.lastTriedAt).toISOString() } : {}),
    ...(d.redeliveredAt ? { redeliveredAt: new Date(d.redeliveredAt).toISOString() } : {}),
    ...(withBody ? { body: redactValue(d.body, undefined, 'masked') } : {}),
  };
}

async function scopeOf(deps: CaseServiceDeps, principal: Principal, unit: string | undefined): Promise<string | undefined> {
  const inScope = await unitInScope(deps.org, principal, 'delivery.manage', unit);
  return inScope ? (await deps.org.unit(inScope.id))!.path : undefined;
}

export async function deadLettersFor(deps: CaseServiceDeps, principal: Principal, q: DeadLetterQuery) {
  const unitPath = await scopeOf(deps, principal, q.unit);
  const { deadLetters, next } = await listDeadLetters(deps.db, {
    status: q.status === 'all' ? undefined : q.status,
    unitPath,
    caseId: q.caseId,
    recipient: q.recipient,
    sender: q.sender,
    kind: q.kind,
    limit: q.limit,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  return { deadLetters: deadLetters.map((d) => shown(d, false)), next: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : undefined };
}

/** The dead letter, if the principal may see it: 404 when there is none, 403 when it lies outside the caller's unit. */
async function reachable(deps: CaseServiceDeps, principal: Principal, id: string): Promise<DeadLetter> {
  const d = await getDeadLetter(deps.db, { id });
  if (!d) throw notFound(`no dead letter ${id}: GET /v1/dead-letters lists them`);
  const why = refusal(principal, 'delivery.manage', { units: [d.unitPath] });
  if (why) throw new HttpError(403, `dead letter ${id}: ${why}`);
  return d;
}

export async function deadLetterFor(deps: CaseServiceDeps, principal: Principal, id: string) {
  return shown(await reachable(deps, principal, id), true);
}

export async function redeliverOne(deps: DeadLetterDeps, principal: Principal, id: string) {
  const before = await reachable(deps, principal, id);
  if (before.redeliveredAt) throw new HttpError(409, `dead letter ${id} was redelivered at ${new Date(before.redeliveredAt).toISOString()}: nothing to do`);
  const result = await redeliverDeadLetter(deps, id);
  if (result.outcome === 'busy') throw new HttpError(409, `dead letter ${id} is being redelivered right now by another request: read it again in a moment`);
  const after = (await getDeadLetter(deps.db, { id }))!;
  return { delivered: result.outcome === 'delivered', ...(result.outcome === 'failed' ? { error: result.error } : {}), deadLetter: shown(after, false) };
}

export interface RedeliverAllBody {
  unit?: string;
  caseId?: string;
  recipient?: string;
  sender?: string;
  kind?: string;
  limit: number;
}

export async function redeliverMatching(deps: DeadLetterDeps, principal: Principal, body: RedeliverAllBody) {
  const unitPath = await scopeOf(deps, principal, body.unit);
  return redeliverDeadLetters(deps, { unitPath, caseId: body.caseId, recipient: body.recipient, sender: body.sender, kind: body.kind }, body.limit);
}

function decodeCursor(s: string): { deadAt: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString()) as { deadAt?: unknown; id?: unknown };
    if (typeof v.deadAt !== 'string' || Number.isNaN(Date.parse(v.deadAt)) || typeof v.id !== 'string' || v.id.length > 200) throw new Error('shape');
    return { deadAt: v.deadAt, id: v.id };
  } catch {
    throw badRequest('cursor is not one this API gave out: pass back the `next` of the previous page', 'querystring.cursor');
  }
}
