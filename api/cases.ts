// The use cases behind the case routes: file a case, read it and its timeline, act on it. Each reads like
// the story: check → resolve what the workflow needs → hand it to the workflow → answer what the client sees.

import { caseIdFor, newTrackingCode } from '../platform/case-ids.js';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes, WorkflowIdReusePolicy } from '@temporalio/common';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.js';
import { refusedByDatabase } from '../db/errors.js';
import { recordAudit } from '../db/queries/audit.js';
import { refusal as accessRefusal } from '../domain/access.js';
import { redactValue } from '../domain/privacy.js';
import { getCaseById, listCaseEvents, projectCase } from '../db/queries/cases.js';
import type { Principal } from '../db/queries/principals.js';
import type { Actor, CaseIntake, CaseView } from '../domain/case.js';
import { rootPath, unitIdOf } from '../domain/units.js';
import { ActionRefused, type CaseAction, allowedActions, answerForDuplicates, assertMayAct, decide, openCase } from '../workflows/lifecycle.js';
import type { CaseErasureInput } from '../workflows/case.js';
import {
  CASE_NOT_RECORDED,
  REFUSAL_TYPES,
  type RefusalDetails,
  SEARCH_ATTRIBUTES,
  caseActionUpdate,
  caseErasureWorkflowId,
  caseParkedQuery,
  caseStateQuery,
  caseWorkflowId,
  parkedCaseMessage,
} from '../workflows/messages.js';
import type { Policy } from '../domain/policy.js';
import { HttpError, badRequest, notFound } from './errors.js';
import type { OrgDirectory } from './org.js';
import type { Dispatcher } from './dispatch.js';
import { assertMayOnCase, concealmentFor, maskedCase, seesCitizen } from './access.js';
import { withUploadedFiles } from './files.js';
import type { ActionBody, CaseBody, IntakeBody } from './schemas.js';

export interface CaseServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  policy: Policy;
  org: OrgDirectory;
  /** Smart dispatch (api/dispatch.ts): the suggestion on every new case; absent, cases are filed without one. */
  dispatcher?: Dispatcher;
  log: FastifyBaseLogger;
  /** How long an action may wait for its case to answer before the client is told to retry. */
  actionTimeoutMs?: number;
}


export function actorOf(p: Principal): Actor {
  return p.channel ? { id: p.id, role: p.role, unitPath: p.unitPath, channel: p.channel } : { id: p.id, role: p.role, unitPath: p.unitPath };
}

/** Who reads, for the audit log: the principal, and the request it came with. */
export interface Reader {
  principal: Principal;
  requestId?: string;
  ip?: string;
}

export const readerOf = (request: { principal?: Principal; id: string; ip: string }): Reader => ({ principal: request.principal!, requestId: request.id, ip: request.ip });

/**
 * The case as a client sees it. Overdue is read against the clock, so it shows the moment the deadline
 * passes even while the workflow's own timer is still queued behind other work. The citizen's name and
 * phone, and numbers in the case's text, are masked for a reader the authorisation table does not let
 * see them (`citizen.read`), and when no reader is named.
 */
export function present(view: CaseView, viewer?: Principal, now = Date.now()): CaseBody {
  const how = concealmentFor(viewer, view);
  const shown = how ? maskedCase(view, how) : view;
  const late = !view.overdue && view.deadlineAt !== undefined && Date.parse(view.deadlineAt) <= now;
  return {
    ...shown,
    overdue: view.overdue || late,
    overdueSince: late ? view.deadlineAt : view.overdueSince,
    assignedUnitId: unitIdOf(view.assignedUnitPath),
    allowedActions: allowedActions(view),
  };
}

/** What an answer that showed cases was, as the audit log names it. */
export type ShownThrough = 'case.read' | 'case.list' | 'case.events' | 'case.file' | 'case.action';

/**
 * Cases as a reader sees them (present), after recording in the audit log which of them it saw unmasked
 * (the citizen's name and phone, and the case's text as written): the record is written before the
 * answer, so no unmasked read goes unlogged. Only the answer to a filing that created the case is not
 * logged: it shows the channel what it has just sent.
 */
export async function showCases(deps: CaseServiceDeps, reader: Reader, operation: ShownThrough, views: CaseView[]): Promise<CaseBody[]> {
  const unmasked = views.filter((v) => seesCitizen(reader.principal, v)).map((v) => v.id);
  if (unmasked.length > 0) {
    const { principal } = reader;
    await recordAudit(deps.db, {
      principalId: principal.id,
      role: principal.role,
      unitPath: principal.unitPath,
      operation,
      caseIds: unmasked,
      requestId: reader.requestId,
      ip: reader.ip,
    });
  }
  return views.map((v) => present(v, reader.principal));
}

/**
 * Files a complaint, and answers only once the case is in the read model, so every read after a 2xx finds
 * it. The workflow is started, then its first projection — the same pure `openCase` the workflow runs,
 * written by the same idempotent statement — is committed here; the workflow's own first projection is
 * then a no-op. The same channel + externalId, or for a channel without ids the same Idempotency-Key from
 * the same principal, is the same case: filing it again answers that case with `created: false`.
 */
export async function fileCase(
  deps: CaseServiceDeps,
  body: IntakeBody,
  principal: Principal,
  requestId?: string,
): Promise<{ created: boolean; view: CaseView }> {
  const dedupeKey = body.externalId ?? (requestId ? `idempotency-key\u0000${principal.id}\u0000${requestId}` : undefined);
  const id = caseIdFor(body.channel, dedupeKey);
  const log = deps.log.child({ caseId: id });
  let squadPath: string | undefined;
  if (body.workstationId) {
    const station = await deps.org.workstation(body.workstationId);
    if (!station) throw badRequest(`no workstation "${body.workstationId}": GET /v1/workstations lists them`, 'body.workstationId');
    squadPath = station.squadPath;
  } else if (body.channel === 'property') {
    squadPath = await squadOfPlace(deps.org, body.location);
  }
  // A property company's dual report (双报告) goes to the squad of the place and its district's demolition
  // office at once: one that reaches no squad is no dual report.
  if (body.channel === 'property' && !squadPath) {
    throw badRequest(
      "a property company's dual report (双报告) goes to the squad of the place: give workstationId, or location.district and location.street of a squad (GET /v1/workstations lists them)",
      'body.location.street',
    );
  }
  // Where the case would lie decides who may file it: checked before a filed one is answered, too.
  const why = accessRefusal(principal, 'case.file', { units: [squadPath ?? rootPath(principal.unitPath)], channel: body.channel });
  if (why) throw new HttpError(403, why);
  if (dedupeKey) {
    // A read first: a case whose workflow Temporal has already forgotten (past retention) is still one case.
    // While Postgres is down this fails, and intake answers 503 having started nothing.
    const existing = await getCaseById(deps.db, { id });
    if (existing) {
      assertMayOnCase(principal, 'case.read', existing);
      return { created: false, view: existing };
    }
  }
  const intake: CaseIntake = {
    id,
    trackingCode: newTrackingCode(),
    channel: body.channel,
    externalId: body.externalId,
    title: body.title,
    description: body.description,
    // What a property company reports through the dual report is new illegal construction (seed 004).
    category: body.category ?? (body.channel === 'property' ? 'illegal_construction' : undefined),
    urgent: body.urgent,
    location: body.location,
    workstationId: body.workstationId,
    squadPath,
    citizen: body.citizen,
    attachments: body.attachments,
    receivedAt: new Date().toISOString(),
    filedBy: actorOf(principal),
  };
  await withSuggestion(deps, intake, log);
  const opened = openCase(intake, deps.policy);
  try {
    await deps.temporal.workflow.start('caseWorkflow', {
      workflowId: caseWorkflowId(id),
      taskQueue: deps.taskQueue,
      args: [{ intake, policy: deps.policy }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SEARCH_ATTRIBUTES.state, value: opened.view.state },
        { key: SEARCH_ATTRIBUTES.unit, value: opened.view.assignedUnitPath },
        { key: SEARCH_ATTRIBUTES.deadline, value: new Date(opened.view.deadlineAt!) },
        { key: SEARCH_ATTRIBUTES.overdue, value: false },
      ]),
    });
  } catch (e) {
    // Filed a moment ago by another request (or a retry of this one): answer that case once it is recorded.
    if (e instanceof WorkflowExecutionAlreadyStartedError) {
      const view = await recordedCase(deps, id);
      assertMayOnCase(principal, 'case.read', view);
      return { created: false, view };
    }
    throw e;
  }
  try {
    await projectCase(deps.db, { snapshot: opened.view, events: opened.events, notifications: [] });
  } catch (err) {
    const refused = refusedByDatabase(err);
    // The workflow keeps the case either way; it records it itself when Postgres is back, or parks it.
    if (refused) throw notRecorded(id, refused.message);
    log.warn({ err }, 'case started but not yet recorded: the read model is unavailable');
    throw err;
  }
  log.info({ channel: body.channel, externalId: body.externalId }, 'case filed');
  return { created: true, view: opened.view };
}

/**
 * Smart dispatch's suggestion on the intake, and the system's own triage when the channel's auto-dispatch
 * takes it. A fault in the suggestion never costs a complaint: the case is filed without one, and logged.
 */
async function withSuggestion(deps: CaseServiceDeps, intake: CaseIntake, log: FastifyBaseLogger): Promise<void> {
  if (!deps.dispatcher) return;
  try {
    intake.suggestion = deps.dispatcher.suggest(intake);
  } catch (err) {
    log.error({ err }, 'smart dispatch failed on this complaint: the case is filed without a suggestion');
    return;
  }
  const auto = deps.dispatcher.autoDispatchOf(intake.channel, intake.suggestion);
  const station = auto && (await deps.org.workstation(auto.workstationId));
  if (auto && station) {
    intake.autoDispatch = { ...auto, squadPath: station.squadPath };
    log.info({ category: auto.category, workstationId: auto.workstationId, confidence: auto.confidence }, 'case dispatched by its suggestion (auto-dispatch)');
  }
}

/** The squad of a district and street/town as filed: the squad of its workstations, when the organisation has one. */
async function squadOfPlace(org: OrgDirectory, { district, street }: { district?: string; street?: string }): Promise<string | undefined> {
  if (!district || !street) return undefined;
  const [station] = org.workstations({ district: district.trim(), street: street.trim() });
  return station ? (await org.workstation(station.id))?.squadPath : undefined;
}

const notRecorded = (id: string, reason: string) =>
  new HttpError(500, parkedCaseMessage(id, 'was received and is kept', reason));

/**
 * A case whose workflow is running, once its row is in the read model (its first projection is a moment
 * away); 500 at once if the case is parked, 503 if the row does not come within the action timeout.
 */
async function recordedCase(deps: CaseServiceDeps, id: string): Promise<CaseView> {
  const deadline = Date.now() + (deps.actionTimeoutMs ?? 30_000);
  const handle = deps.temporal.workflow.getHandle(caseWorkflowId(id));
  for (let attempt = 0; ; attempt++) {
    const row = await getCaseById(deps.db, { id });
    if (row) return row;
    const parked = await handle.query(caseParkedQuery).catch((e: unknown) => {
      if (e instanceof WorkflowNotFoundError) return undefined;
      throw e;
    });
    if (parked) throw notRecorded(id, parked.reason);
    if (Date.now() > deadline) throw new HttpError(503, `case ${id} is filed but not yet recorded; retry shortly with the same externalId or Idempotency-Key`);
    await new Promise((r) => setTimeout(r, Math.min(25 * 2 ** attempt, 500)));
  }
}

/** The read model, or the workflow itself for the moments before its first projection lands. */
export async function readCase(deps: CaseServiceDeps, id: string): Promise<CaseView | undefined> {
  const row = await getCaseById(deps.db, { id });
  if (row) return row;
  try {
    return await deps.temporal.workflow.getHandle(caseWorkflowId(id)).query(caseStateQuery);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return undefined;
    throw e;
  }
}

/** The case, if there is one (404) and the table lets the principal read it where it lies (403). */
export async function visibleCase(deps: CaseServiceDeps, id: string, principal: Principal): Promise<CaseView> {
  const view = await readCase(deps, id);
  if (!view) throw notFound(`no case "${id}"`);
  assertMayOnCase(principal, 'case.read', view);
  return view;
}

/**
 * The timeline of a case the reader may see: every transition with its actor, time and payload. Its
 * text (supplements, notes, answers) is redacted like the case for a reader without `citizen.read`.
 */
export async function caseTimeline(deps: CaseServiceDeps, id: string, reader: Reader) {
  // The timeline shows the case's text as written to whoever sees the case so: audited like a read.
  const view = await visibleCase(deps, id, reader.principal);
  const rows = await listCaseEvents(deps.db, { caseId: id });
  const how = concealmentFor(reader.principal, view);
  if (!how) await showCases(deps, reader, 'case.events', [view]);
  return rows.map((e) => ({
    seq: e.seq,
    type: e.type,
    actor: e.actor,
    at: new Date(e.at).toISOString(),
    from: e.fromState,
    to: e.toState,
    payload: how ? redactValue(e.payload, view.citizen, how) : e.payload,
  }));
}

/** Turns the public action into what the workflow takes: units and workstations become tree paths. */
async function resolveAction(deps: CaseServiceDeps, body: ActionBody): Promise<CaseAction> {
  const squadOfWorkstation = async (workstationId: string | undefined) => {
    if (!workstationId) return undefined;
    const station = await deps.org.workstation(workstationId);
    if (!station) throw badRequest(`no workstation "${workstationId}": GET /v1/workstations lists them`, 'body.workstationId');
    return station.squadPath;
  };
  switch (body.type) {
    case 'triage':
    case 'joint_decision': {
      const { type, decision, note } = body;
      if (decision === 'transfer') return { type, decision, department: body.department!, note } as CaseAction;
      if (decision === 'explain') return { type, decision, explanation: body.explanation! } as CaseAction;
      const squadPath = await squadOfWorkstation(body.workstationId);
      if (decision === 'joint') return { type: 'triage', decision, note, squadPath, workstationId: body.workstationId };
      return { type, decision, category: body.category, urgent: body.urgent, note, squadPath, workstationId: body.workstationId } as CaseAction;
    }
    case 'reassign': {
      let squadPath = await squadOfWorkstation(body.workstationId);
      if (body.unitId) {
        const unit = await deps.org.unit(body.unitId);
        if (!unit || unit.kind !== 'squad') throw badRequest(`no squad "${body.unitId}": GET /v1/units lists them`, 'body.unitId');
        squadPath = unit.path;
      }
      return { type: 'reassign', squadPath, officerId: body.officerId, reason: body.reason };
    }
    case 'mark_duplicate': {
      const original = await getCaseById(deps.db, { id: body.originalId });
      if (!original) throw badRequest(`no case "${body.originalId}" to be a duplicate of`, 'body.originalId');
      // An original that has answered its citizen answers the duplicate's at once; one answered later tells
      // it then (the workflows link the two).
      const originalAnswer = answerForDuplicates(original);
      return originalAnswer ? { ...body, originalAnswer } : body;
    }
    default:
      return body;
  }
}

function refusal(e: WorkflowUpdateFailedError): HttpError | undefined {
  const cause = e.cause;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = cause.details?.[0] as RefusalDetails | undefined;
  switch (cause.type) {
    case REFUSAL_TYPES.conflict:
      return new HttpError(409, cause.message, { state: details?.state, allowed: details?.allowed });
    case REFUSAL_TYPES.limit:
      return new HttpError(409, cause.message, { state: details?.state, allowed: details?.allowed, limit: details?.limit });
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
 * Takes one action as a Workflow Update and answers the case after it. `requestId` (the client's
 * Idempotency-Key) becomes the update id, so a retried request is applied once.
 */
export async function actOnCase(
  deps: CaseServiceDeps,
  id: string,
  body: ActionBody,
  actor: Actor,
  requestId?: string,
): Promise<CaseView> {
  // Where the case lies is the workflow's to check (the authorisation table, in its validator); the route
  // has refused roles the table never lets take the action.
  // Attachments naming uploaded files must be files of this case; they take the file's name and type.
  const action = await resolveAction(deps, await withUploadedFiles(deps, id, body));
  const handle = deps.temporal.workflow.getHandle(caseWorkflowId(id));
  try {
    return await answerWithin(deps, id, () => handle.executeUpdate(caseActionUpdate, { args: [{ action, actor }], updateId: requestId }), 'took the action');
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw refusal(e) ?? e;
    if (e instanceof WorkflowNotFoundError) {
      const stored = await getCaseById(deps.db, { id });
      if (!stored) throw notFound(`no case "${id}"`);
      if (action.type === 'erase_personal_data') return eraseFinishedCase(deps, stored, action, actor);
      // The finished case's workflow cannot refuse it any more: the same table does, here.
      try {
        assertMayAct(stored, body, actor);
      } catch (refused) {
        if (refused instanceof ActionRefused) throw new HttpError(403, refused.message);
        throw refused;
      }
      // It still takes one: the erasure of its citizen's personal data, once.
      const allowed = stored.personalDataErasedAt ? [] : ['erase_personal_data'];
      throw new HttpError(409, `case ${id} is ${stored.state}${stored.outcome ? ` (${stored.outcome})` : ''} and finished: it takes no more actions${allowed.length ? ' but the erasure of its personal data' : ''}`, { state: stored.state, allowed });
    }
    throw e;
  }
}

/**
 * Erasing the personal data of a case whose workflow has finished — the one action such a case still takes.
 * The lifecycle table decides it on the stored case (403, 409 once erased, 400) as the workflow would; a
 * workflow of its own then records it and erases what the case left (workflows/case.ts), and the answer is
 * the case after it. A second erasure while the first runs is refused like one after it.
 */
async function eraseFinishedCase(deps: CaseServiceDeps, stored: CaseView, action: CaseAction, actor: Actor): Promise<CaseView> {
  const alreadyErased = (message: string) => new HttpError(409, message, { state: stored.state, allowed: [] });
  let input: CaseErasureInput;
  try {
    const d = decide(stored, action, actor, new Date().toISOString(), deps.policy);
    input = { snapshot: d.next, event: d.event };
  } catch (e) {
    if (!(e instanceof ActionRefused)) throw e;
    if (e.kind === 'forbidden') throw new HttpError(403, e.message);
    if (e.kind === 'invalid') throw new HttpError(400, e.message);
    throw alreadyErased(e.message);
  }
  return answerWithin(
    deps,
    stored.id,
    async () => {
      try {
        const handle = await deps.temporal.workflow.start('caseErasureWorkflow', {
          workflowId: caseErasureWorkflowId(stored.id),
          taskQueue: deps.taskQueue,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
        return (await handle.result()) as CaseView;
      } catch (e) {
        if (e instanceof WorkflowExecutionAlreadyStartedError) throw alreadyErased(`the personal data of case ${stored.id} is being erased, or was`);
        throw e;
      }
    },
    'erased its personal data',
  );
}

/**
 * The case's answer, or 503 when it does not come within the action timeout (what was sent may still
 * apply). The timeout aborts the client's calls to Temporal, so nothing goes on waiting after the answer.
 */
async function answerWithin<T>(deps: CaseServiceDeps, id: string, call: () => Promise<T>, what: string): Promise<T> {
  const timeoutMs = deps.actionTimeoutMs ?? 30_000;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await deps.temporal.withAbortSignal(signal, call);
  } catch (e) {
    if (!signal.aborted) throw e;
    throw new HttpError(
      503,
      `case ${id} did not answer within ${timeoutMs / 1000}s, so it is not known whether it ${what}: retry with the same Idempotency-Key, or GET the case first`,
    );
  }
}
