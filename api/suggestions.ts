// The use cases behind the suggestion routes (人民建议征集): file one, list them apart from complaints, read
// one, acknowledge and answer it, and the citizen's view by tracking code. Each reads like the story:
// check → resolve what the workflow needs → hand it to the workflow → answer what the client sees.

import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { refusedByDatabase } from '../db/errors.js';
import { recordAudit } from '../db/queries/audit.js';
import type { Principal } from '../db/queries/principals.js';
import { getSuggestionById, getSuggestionByTrackingCode, listSuggestions, projectSuggestion } from '../db/queries/suggestions.js';
import { type Operation, type Target, refusal } from '../domain/access.js';
import type { Channel, Citizen, Location } from '../domain/case.js';
import { type Concealment, mask, maskCitizen, redactText } from '../domain/privacy.js';
import {
  type SuggestionAction,
  type SuggestionRecordIntake,
  type SuggestionState,
  type SuggestionView,
  allowedSuggestionActions,
  isSuggestionOverdue,
  openSuggestion,
  suggestionPolicyOf,
} from '../domain/suggestion.js';
import { rootPath, unitIdOf } from '../domain/units.js';
import { newSuggestionTrackingCode, suggestionIdFor } from '../platform/case-ids.js';
import { CASE_NOT_RECORDED, REFUSAL_TYPES } from '../workflows/messages.js';
import { type SuggestionRefusalDetails, suggestionActionUpdate, suggestionStateQuery, suggestionWorkflowId } from '../workflows/suggestion-messages.js';
import type { SuggestionWorkflowInput } from '../workflows/suggestion.js';
import { unitInScope } from './access.js';
import { type CaseServiceDeps, type Reader, actorOf } from './cases.js';
import { HttpError, badRequest, notFound } from './errors.js';
import { decodeCursor, encodeCursor } from './lists.js';
import { type SuggestionBody, suggestionIntakeSchema } from './routes/suggestions/schemas.js';

export type { SuggestionBody } from './routes/suggestions/schemas.js';

/** What a channel or the desk files (the QR page's 建议 option calls fileSuggestion with it). */
export interface SuggestionIntake {
  channel: Channel;
  externalId?: string;
  title: string;
  text: string;
  workstationId?: string;
  location?: Location;
  citizen?: Citizen;
}

/** Where a suggestion lies (the unit that handles it) and the channel it came through. */
const suggestionTarget = (s: SuggestionView): Target => ({ units: [s.unitPath], channel: s.channel });

/** 403 unless the table lets the principal take `operation` on the suggestion. */
function assertMayOnSuggestion(principal: Principal, operation: Operation, s: SuggestionView): void {
  const why = refusal(principal, operation, suggestionTarget(s));
  if (why) throw new HttpError(403, `suggestion ${s.id}: ${why}`);
}

/** Whether the principal sees the citizen and the text as written: the same `citizen.read` as a case's. */
const seesCitizen = (principal: Principal | undefined, s: SuggestionView) => principal !== undefined && refusal(principal, 'citizen.read', suggestionTarget(s)) === undefined;

/** The suggestion as a reader without `citizen.read` sees it: the citizen masked, their name and numbers starred in its text. */
function masked(s: SuggestionView, how: Concealment = 'masked'): SuggestionView {
  const { citizen, ...rest } = s;
  const redact = (text: string) => redactText(text, citizen, how);
  const out: SuggestionView = { ...rest, trackingCode: mask(s.trackingCode, 2, 0), title: redact(s.title), text: redact(s.text), ...(citizen ? { citizen: maskCitizen(citizen) } : {}) };
  if (s.location) out.location = { ...s.location, address: redact(s.location.address) };
  if (s.acknowledgement !== undefined) out.acknowledgement = redact(s.acknowledgement);
  if (s.answer !== undefined) out.answer = redact(s.answer);
  return out;
}

/** The suggestion as a client sees it: overdue read against the clock, the citizen masked unless the table lets the reader see them. */
export function presentSuggestion(s: SuggestionView, viewer?: Principal, now = Date.now()): SuggestionBody {
  const shown = seesCitizen(viewer, s) ? s : masked(s);
  const { events, unitPath: _unitPath, squadPath: _squadPath, ...rest } = shown;
  const overdue = isSuggestionOverdue(s, now);
  return {
    ...rest,
    unitId: unitIdOf(s.unitPath),
    overdue,
    overdueSince: s.overdueSince ?? (overdue ? s.deadlineAt : undefined),
    timeline: events,
    allowedActions: allowedSuggestionActions(s),
  };
}

/** What an answer that showed suggestions was, as the audit log names it. */
type ShownThrough = 'suggestion.read' | 'suggestion.list' | 'suggestion.file' | 'suggestion.action';

/** Suggestions as a reader sees them, after recording in the audit log which it saw unmasked (before the answer). */
export async function showSuggestions(deps: CaseServiceDeps, reader: Reader, operation: ShownThrough, views: SuggestionView[]): Promise<SuggestionBody[]> {
  const unmasked = views.filter((s) => seesCitizen(reader.principal, s)).map((s) => s.id);
  if (unmasked.length > 0) {
    const { principal } = reader;
    await recordAudit(deps.db, { principalId: principal.id, role: principal.role, unitPath: principal.unitPath, operation, caseIds: unmasked, requestId: reader.requestId, ip: reader.ip });
  }
  return views.map((s) => presentSuggestion(s, reader.principal));
}

/** The filing as the schema takes it; a caller other than the route (the QR page) gets the same 400s. */
function checkedIntake(input: SuggestionIntake): SuggestionIntake {
  const parsed = suggestionIntakeSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message }));
  throw new HttpError(400, `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

/**
 * Files a suggestion, and answers only once it is in the read model, so every read after a 2xx finds it:
 * the workflow is started, then its first projection — the same pure `openSuggestion` the workflow runs,
 * written by the same idempotent statement — is committed here. The same channel + externalId, or for a
 * channel without ids the same Idempotency-Key from the same principal, is the same suggestion: filing it
 * again answers that one with `created: false`.
 */
export async function fileSuggestion(
  deps: CaseServiceDeps,
  input: SuggestionIntake,
  principal: Principal,
  idempotencyKey?: string,
): Promise<{ created: boolean; suggestion: SuggestionBody }> {
  const body = checkedIntake(input);
  const dedupeKey = body.externalId ?? (idempotencyKey ? `idempotency-key\u0000${principal.id}\u0000${idempotencyKey}` : undefined);
  const id = suggestionIdFor(body.channel, dedupeKey);
  const log = deps.log.child({ suggestionId: id });
  let squadPath: string | undefined;
  if (body.workstationId) {
    const station = await deps.org.workstation(body.workstationId);
    if (!station) throw badRequest(`no workstation "${body.workstationId}": GET /v1/workstations lists them`, 'body.workstationId');
    squadPath = station.squadPath;
  }
  // Where it would lie decides who may file it: checked before a filed one is answered, too.
  const why = refusal(principal, 'suggestion.file', { units: [squadPath ?? rootPath(principal.unitPath)], channel: body.channel });
  if (why) throw new HttpError(403, why);
  const again = async (view: SuggestionView) => {
    assertMayOnSuggestion(principal, 'suggestion.read', view);
    const [shown] = await showSuggestions(deps, { principal }, 'suggestion.file', [view]);
    return { created: false, suggestion: shown! };
  };
  if (dedupeKey) {
    // A read first: one whose workflow Temporal has forgotten (past retention) is still one suggestion.
    const existing = await getSuggestionById(deps.db, { id });
    if (existing) return again(existing);
  }
  const intake: SuggestionRecordIntake = {
    id,
    trackingCode: newSuggestionTrackingCode(),
    channel: body.channel,
    externalId: body.externalId,
    title: body.title,
    text: body.text,
    location: body.location,
    workstationId: body.workstationId,
    squadPath,
    citizen: body.citizen,
    receivedAt: new Date().toISOString(),
    filedBy: actorOf(principal),
  };
  const workflowInput: SuggestionWorkflowInput = { intake, policy: suggestionPolicyOf(deps.policy) };
  const opened = openSuggestion(intake, workflowInput.policy);
  try {
    await deps.temporal.workflow.start('suggestionWorkflow', {
      workflowId: suggestionWorkflowId(id),
      taskQueue: deps.taskQueue,
      args: [workflowInput],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (e) {
    // Filed a moment ago by another request (or a retry of this one): answer that one once it is recorded.
    if (e instanceof WorkflowExecutionAlreadyStartedError) return again(await recordedSuggestion(deps, id));
    throw e;
  }
  try {
    await projectSuggestion(deps.db, { snapshot: opened, notifications: [] });
  } catch (err) {
    const refused = refusedByDatabase(err);
    // The workflow keeps it either way, and records it itself when Postgres takes it.
    if (refused) throw new HttpError(500, `suggestion ${id} was received and is kept, but the database refused to record it (${refused.message})`);
    log.warn({ err }, 'suggestion started but not yet recorded: the read model is unavailable');
    throw err;
  }
  log.info({ channel: body.channel, externalId: body.externalId }, 'suggestion filed');
  return { created: true, suggestion: presentSuggestion(opened, principal) };
}

/** A suggestion whose workflow is running, once its row is in the read model; 503 if it does not come within the action timeout. */
async function recordedSuggestion(deps: CaseServiceDeps, id: string): Promise<SuggestionView> {
  const deadline = Date.now() + (deps.actionTimeoutMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    const row = await getSuggestionById(deps.db, { id });
    if (row) return row;
    if (Date.now() > deadline) throw new HttpError(503, `suggestion ${id} is filed but not yet recorded; retry shortly with the same externalId or Idempotency-Key`);
    await new Promise((r) => setTimeout(r, Math.min(25 * 2 ** attempt, 500)));
  }
}

/** The read model, or the workflow itself for the moments before its first projection lands. */
async function readSuggestion(deps: CaseServiceDeps, id: string): Promise<SuggestionView | undefined> {
  const row = await getSuggestionById(deps.db, { id });
  if (row) return row;
  try {
    return await deps.temporal.workflow.getHandle(suggestionWorkflowId(id)).query(suggestionStateQuery);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return undefined;
    throw e;
  }
}

/** The suggestion, if there is one (404) and the table lets the principal read it where it lies (403). */
export async function visibleSuggestion(deps: CaseServiceDeps, id: string, principal: Principal): Promise<SuggestionView> {
  const s = await readSuggestion(deps, id);
  if (!s) throw notFound(`no suggestion "${id}"`);
  assertMayOnSuggestion(principal, 'suggestion.read', s);
  return s;
}

export interface SuggestionListQuery {
  state?: SuggestionState[];
  overdue?: boolean;
  unit?: string;
  channel?: Channel;
  q?: string;
  cursor?: string;
  limit: number;
}

/** The suggestions a principal may list, within its unit, most urgent first, a page at a time. */
export async function listSuggestionsFor(deps: CaseServiceDeps, reader: Reader, q: SuggestionListQuery): Promise<{ suggestions: SuggestionBody[]; next?: string }> {
  const { principal } = reader;
  const unit = await unitInScope(deps.org, principal, 'suggestion.read', q.unit);
  // A key bound to one channel lists that channel's suggestions only.
  if (principal.channel && q.channel && q.channel !== principal.channel) {
    throw new HttpError(403, `your key is bound to channel ${principal.channel}; it lists no ${q.channel} suggestions`);
  }
  const page = await listSuggestions(deps.db, {
    state: q.state,
    overdue: q.overdue,
    unit,
    channel: principal.channel ?? q.channel,
    q: q.q,
    limit: q.limit,
    cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  return { suggestions: await showSuggestions(deps, reader, 'suggestion.list', page.suggestions), next: page.next ? encodeCursor(page.next) : undefined };
}

/** The workflow's refusal as an HTTP answer: 409 with the state and what it takes, 403, 400, or 500 while unrecorded. */
function refusalOf(e: WorkflowUpdateFailedError): HttpError | undefined {
  const cause = e.cause;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = cause.details?.[0] as SuggestionRefusalDetails | undefined;
  switch (cause.type) {
    case REFUSAL_TYPES.conflict:
      return new HttpError(409, cause.message, { state: details?.state, allowed: details?.allowed });
    case REFUSAL_TYPES.forbidden:
      return new HttpError(403, cause.message);
    case REFUSAL_TYPES.invalid:
      return new HttpError(400, cause.message);
    case CASE_NOT_RECORDED:
      return new HttpError(500, cause.message);
    default:
      return undefined;
  }
}

/**
 * Acknowledges or answers a suggestion as a Workflow Update, and answers it after the step, once the read
 * model holds it. `requestId` (the client's Idempotency-Key) becomes the update id: a retry is applied once.
 * Who may, and whether its state allows it, are the workflow's to check (its validator): a refusal
 * leaves no history.
 */
export async function actOnSuggestion(deps: CaseServiceDeps, id: string, action: SuggestionAction, principal: Principal, requestId?: string): Promise<SuggestionView> {
  const handle = deps.temporal.workflow.getHandle(suggestionWorkflowId(id));
  const timeoutMs = deps.actionTimeoutMs ?? 30_000;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const after = await deps.temporal.withAbortSignal(signal, () => handle.executeUpdate(suggestionActionUpdate, { args: [{ action, actor: actorOf(principal) }], updateId: requestId }));
    deps.log.info({ suggestionId: id, action: action.type, state: after.state }, 'suggestion action taken');
    return after;
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw refusalOf(e) ?? e;
    if (e instanceof WorkflowNotFoundError) return finished(deps, id, principal);
    if (signal.aborted) {
      throw new HttpError(503, `suggestion ${id} did not answer within ${timeoutMs / 1000}s, so it is not known whether it took the action: retry with the same Idempotency-Key, or GET it first`);
    }
    throw e;
  }
}

/** A suggestion whose workflow has ended (answered, or lapsed) takes nothing more: 404 if there is none, 403 before its state. */
async function finished(deps: CaseServiceDeps, id: string, principal: Principal): Promise<never> {
  const stored = await getSuggestionById(deps.db, { id });
  if (!stored) throw notFound(`no suggestion "${id}"`);
  assertMayOnSuggestion(principal, 'suggestion.handle', stored);
  const how = stored.lapsedAt ? `lapsed unanswered on ${stored.lapsedAt}` : stored.state;
  throw new HttpError(409, `suggestion ${id} is ${how} and finished: it takes no more actions`, { state: stored.state, allowed: [] });
}

/** What the citizen sees by the tracking code: where it stands, and the answer — no personal data, no internal notes. */
export async function trackSuggestion(deps: CaseServiceDeps, trackingCode: string) {
  const s = await getSuggestionByTrackingCode(deps.db, { trackingCode });
  if (!s) throw notFound(`no suggestion with tracking code "${trackingCode}"`);
  return {
    trackingCode: s.trackingCode,
    kind: 'suggestion' as const,
    state: s.state,
    // Whoever holds the code sees the suggestion, with phone and identity numbers masked like any reader's.
    title: redactText(s.title, s.citizen),
    createdAt: s.createdAt,
    acknowledgedAt: s.acknowledgedAt,
    answer: s.answer === undefined ? undefined : redactText(s.answer, s.citizen),
    answeredAt: s.answeredAt,
    deadlineAt: s.deadlineAt,
    overdue: isSuggestionOverdue(s, Date.now()),
  };
}
