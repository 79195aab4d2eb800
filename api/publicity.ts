// The use cases behind the publicity routes (宣传报道): upload an item's photos or video, submit it, list and
// read items with their history, review, resubmit, withdraw and take them down, and serve an item's files to
// those who may read it. Each reads like the story: check → resolve what the workflow needs → hand it to the
// workflow → answer what the client sees, once the read model holds it.
//
// Files: an item's media are uploaded first, each to the pool of the squad the item is for
// (POST /v1/publicity/files?squad=…), with the same checks and store as a case's files (api/files.ts: the type
// read from the bytes, the size limit of its type, content-addressed bytes and an image's preview); the
// submission and a resubmission then name them by id. A pool file lives in the `files` table under the
// pseudo-case id `publicity:<squadId>`, and its bytes are served only through an item that carries it, to
// those who may read that item.

import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { refusedByDatabase } from '../db/errors.js';
import { filesOfCase, findUpload, getFileById, recordFile } from '../db/queries/files.js';
import type { Principal } from '../db/queries/principals.js';
import { type PublicityCursor, getPublicityById, listPublicity, listPublicityEvents, projectPublicity } from '../db/queries/publicity.js';
import type { FileRow, UnitRow } from '../db/schema.js';
import { type Operation, refusal } from '../domain/access.js';
import type { Actor } from '../domain/case.js';
import { shanghaiMonthOf } from '../domain/periods.js';
import {
  PUBLICITY_MEDIA_TYPES,
  type PublicityAction,
  type PublicityEvent,
  type PublicityMedia,
  type PublicityMediaType,
  PublicityRefused,
  type PublicitySubmission,
  type PublicityView,
  allowedPublicityActions,
  decidePublicity,
  isPublicityOverdue,
  openPublicity,
  publicityMediaProblem,
  publicityPolicyOf,
  reviewUnitOf,
} from '../domain/publicity.js';
import { districtIdOf, squadIdOf, unitIdOf } from '../domain/units.js';
import { caseIdFor } from '../platform/case-ids.js';
import { CASE_NOT_RECORDED, REFUSAL_TYPES } from '../workflows/messages.js';
import { type PublicityRefusalDetails, publicityActionUpdate, publicityStateQuery, publicityTakeDownWorkflowId, publicityWorkflowId } from '../workflows/publicity-messages.js';
import type { PublicityTakeDownInput, PublicityWorkflowInput } from '../workflows/publicity.js';
import { unitInScope } from './access.js';
import { type CaseServiceDeps, actorOf } from './cases.js';
import { HttpError, badRequest, notFound } from './errors.js';
import { type Download, type FileServiceDeps, type UploadPart, contentDisposition, fileNameFor, makePreview, parseRange, previewKeyOf, receive, storageKey } from './files.js';
import type { PublicityActionBody, PublicityBody, PublicitySubmissionBody, PublicityUploadBody } from './routes/publicity/schemas.js';

/** The pseudo-case id of a squad's uploads in the `files` table, until (and while) an item names them. */
export const publicityPool = (squadId: string): string => `publicity:${squadId}`;

const isPublicityMedia = (type: string | undefined): type is PublicityMediaType => (PUBLICITY_MEDIA_TYPES as readonly string[]).includes(type ?? '');

/** 403 unless the table lets the principal take `operation` on the item. */
function assertMay(principal: Principal, operation: Operation, p: PublicityView): void {
  const why = refusal(principal, operation, { units: [p.squadPath] });
  if (why) throw new HttpError(403, `publicity item ${p.id}: ${why}`);
}

const actorBody = (a: Actor) => ({ id: a.id, role: a.role, unitId: unitIdOf(a.unitPath) });

/** Reporters are the newspaper's: they see what reached it, and of its history the release and the take-down. */
const forTheNewspaper = (principal: Principal | undefined) => principal?.role === 'reporter';
const reachedTheNewspaper = (e: PublicityEvent) => e.to === 'released' || e.to === 'taken_down';

/** The item as a client sees it: overdue read against the clock, its files as links, the history when given. */
export function presentPublicity(p: PublicityView, viewer: Principal | undefined, history?: PublicityEvent[], now = Date.now()): PublicityBody {
  const overdue = isPublicityOverdue(p, now);
  const files = `/v1/publicity/${p.id}/files`;
  const shown = forTheNewspaper(viewer) ? history?.filter(reachedTheNewspaper) : history;
  return {
    id: p.id,
    squadId: squadIdOf(p.squadPath)!,
    districtId: districtIdOf(p.squadPath)!,
    title: p.title,
    body: p.body,
    media: p.media.map((m) => ({ ...m, url: `${files}/${m.fileId}`, ...(m.type.startsWith('image/') ? { previewUrl: `${files}/${m.fileId}/preview` } : {}) })),
    state: p.state,
    reviewLevel: p.reviewLevel,
    reviewUnitId: p.reviewLevel ? unitIdOf(reviewUnitOf(p, p.reviewLevel)) : undefined,
    deadlineAt: p.deadlineAt,
    overdue,
    overdueSince: p.overdueSince ?? (overdue ? p.deadlineAt : undefined),
    comments: p.comments,
    round: p.round,
    submittedBy: actorBody(p.submittedBy),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    releasedAt: p.releasedAt,
    takenDownAt: p.takenDownAt,
    takeDownReason: p.takeDownReason,
    withdrawnAt: p.withdrawnAt,
    lapsedAt: p.lapsedAt,
    version: p.version,
    allowedActions: allowedPublicityActions(p),
    ...(shown ? { history: shown.map((e) => ({ seq: e.seq, type: e.type, at: e.at, actor: actorBody(e.actor), from: e.from, to: e.to, payload: e.payload })) } : {}),
  };
}

/** The item with its whole history, as the reader may see it. */
export async function showPublicity(deps: CaseServiceDeps, p: PublicityView, viewer: Principal): Promise<PublicityBody> {
  return presentPublicity(p, viewer, await listPublicityEvents(deps.db, { itemId: p.id }));
}

/**
 * The squad an item or upload is for: the one named, else the caller's own unit. Who may comes first (403 where
 * the table does not let the caller submit for it), then whether it is a squad (400: name one).
 */
async function squadFor(deps: CaseServiceDeps, principal: Principal, squadId: string | undefined, path: string): Promise<UnitRow> {
  const unit = await deps.org.unit(squadId ?? principal.unitId);
  if (!unit) throw badRequest(`no unit "${squadId}": GET /v1/units lists them`, path);
  const why = refusal(principal, 'publicity.submit', { units: [unit.path] });
  if (why) throw new HttpError(403, `unit ${unit.id}: ${why}`);
  if (unit.kind !== 'squad') {
    throw badRequest(squadId ? `unit ${unit.id} is a ${unit.kind}: a publicity item is a squad's (街镇中队)` : `your key is for a ${unit.kind}, not a squad: name the squad the item is for`, path);
  }
  return unit;
}

const uploadBody = (row: FileRow, squadId: string): PublicityUploadBody => ({
  id: row.id,
  squadId,
  name: row.name,
  type: row.type as PublicityMediaType,
  size: row.size,
  sha256: row.sha256,
  createdAt: new Date(row.createdAt).toISOString(),
});

/**
 * Uploads a photo or a video for a squad's item, with a case file's checks (api/files.ts `receive`): the type
 * from the bytes — here photos and MP4 only — and its type's size limit. The same bytes from the same
 * principal for the same squad answer the upload before (`created: false`).
 */
export async function uploadPublicityFile(
  deps: FileServiceDeps,
  principal: Principal,
  squadId: string | undefined,
  part: UploadPart | undefined,
): Promise<{ created: boolean; file: PublicityUploadBody }> {
  const squad = await squadFor(deps, principal, squadId, 'querystring.squad');
  if (!part) throw badRequest('send the file as multipart/form-data, in a part named "file"', 'body.file');
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw badRequest(`the file goes in a part named "file", not "${part.fieldname}"`, 'body.file');
  }
  const got = await receive(deps, part.file);
  const scratchPreview = `${got.scratch}.preview`;
  try {
    if (got.refusal) throw got.refusal;
    if (!isPublicityMedia(got.type)) {
      throw new HttpError(415, `a publicity item takes photos (JPEG, PNG, WebP) and an MP4 video, told by their bytes; this file is ${got.type}`);
    }
    const pool = publicityPool(squad.id);
    const before = await findUpload(deps.db, { caseId: pool, ownerId: principal.id, sha256: got.sha256 });
    if (before) return { created: false, file: uploadBody(before, squad.id) };
    const key = storageKey(got.sha256);
    let previewKey: string | undefined;
    if (got.type.startsWith('image/')) {
      try {
        await makePreview(got.scratch, scratchPreview);
      } catch {
        throw new HttpError(415, `the file's first bytes say ${got.type}, but it is not an image that can be read: send the photo as it was taken`);
      }
      previewKey = previewKeyOf(key);
      await deps.store.put(previewKey, scratchPreview);
    }
    await deps.store.put(key, got.scratch);
    const { created, file } = await recordFile(deps.db, {
      id: randomUUID(),
      caseId: pool,
      ownerId: principal.id,
      name: fileNameFor(part.filename, got.type),
      type: got.type,
      size: got.size,
      sha256: got.sha256,
      storageKey: key,
      previewKey: previewKey ?? null,
    });
    if (created) deps.log.info({ squadId: squad.id, fileId: file.id, type: file.type, size: file.size }, 'publicity file uploaded');
    return { created, file: uploadBody(file, squad.id) };
  } finally {
    await Promise.all([rm(got.scratch, { force: true }), rm(scratchPreview, { force: true })]);
  }
}

/** The files a submission names, from the squad's pool, in its order; 400 naming the first that is not there, or content an item does not take. */
async function mediaOf(deps: CaseServiceDeps, squadId: string, named: { fileId: string }[], path: string): Promise<PublicityMedia[]> {
  const found = new Map((await filesOfCase(deps.db, { caseId: publicityPool(squadId), ids: named.map((m) => m.fileId) })).map((f) => [f.id, f]));
  const media = named.map(({ fileId }, i) => {
    const f = found.get(fileId);
    if (!f || !isPublicityMedia(f.type)) throw badRequest(`no file "${fileId}" uploaded for squad ${squadId}: upload it with POST /v1/publicity/files?squad=${squadId} first`, `${path}.${i}.fileId`);
    return { fileId: f.id, type: f.type, name: f.name, size: f.size };
  });
  const problem = publicityMediaProblem(media);
  if (problem) throw badRequest(problem, path);
  return media;
}

/** The item's id: the same principal and Idempotency-Key always give the same one; without a key, a new one. */
const publicityIdFor = (principalId: string, idempotencyKey?: string) => caseIdFor(`publicity\u0000${principalId}`, idempotencyKey);

/**
 * Submits an item for review and answers once it is in the read model: the workflow is started, then its first
 * projection — the same pure `openPublicity` the workflow runs, written by the same idempotent statement — is
 * committed here. The same Idempotency-Key from the same principal is the same item: `created: false`.
 */
export async function submitPublicity(
  deps: CaseServiceDeps,
  body: PublicitySubmissionBody,
  principal: Principal,
  idempotencyKey?: string,
): Promise<{ created: boolean; item: PublicityBody }> {
  const squad = await squadFor(deps, principal, body.squadId, 'body.squadId');
  const id = publicityIdFor(principal.id, idempotencyKey);
  const again = async (view: PublicityView) => ({ created: false, item: await showPublicity(deps, view, principal) });
  if (idempotencyKey) {
    const existing = await getPublicityById(deps.db, { id });
    if (existing) return again(existing);
  }
  const submission: PublicitySubmission = {
    id,
    squadPath: squad.path,
    title: body.title,
    body: body.body,
    media: await mediaOf(deps, squad.id, body.media, 'body.media'),
    submittedAt: new Date().toISOString(),
    submittedBy: actorOf(principal),
  };
  const input: PublicityWorkflowInput = { submission, policy: publicityPolicyOf(deps.policy) };
  const opened = openPublicity(submission, input.policy);
  try {
    await deps.temporal.workflow.start('publicityWorkflow', {
      workflowId: publicityWorkflowId(id),
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (e) {
    // Submitted a moment ago by a retry of this request: answer that one once it is recorded.
    if (e instanceof WorkflowExecutionAlreadyStartedError) return again(await recorded(deps, id, 1));
    throw e;
  }
  try {
    await projectPublicity(deps.db, { snapshot: opened.next, events: [opened.event], notifications: [] });
  } catch (err) {
    const refused = refusedByDatabase(err);
    if (refused) throw new HttpError(500, `publicity item ${id} was submitted and is kept, but the database refused to record it (${refused.message})`);
    deps.log.warn({ itemId: id, err }, 'publicity item started but not yet recorded: the read model is unavailable');
    throw err;
  }
  deps.log.info({ itemId: id, squadId: squad.id, media: submission.media.length }, 'publicity item submitted');
  return { created: true, item: presentPublicity(opened.next, principal, [opened.event]) };
}

/** The item once the read model holds `version` of it; 503 if it does not come within the action timeout. */
async function recorded(deps: CaseServiceDeps, id: string, version: number): Promise<PublicityView> {
  const deadline = Date.now() + (deps.actionTimeoutMs ?? 30_000);
  for (let attempt = 0; ; attempt++) {
    const row = await getPublicityById(deps.db, { id });
    if (row && row.version >= version) return row;
    if (Date.now() > deadline) throw new HttpError(503, `publicity item ${id} took the step but the read model does not show it yet; GET it shortly`);
    await new Promise((r) => setTimeout(r, Math.min(25 * 2 ** attempt, 500)));
  }
}

/** The read model, or the workflow itself for the moments before its first projection lands. */
async function readPublicity(deps: CaseServiceDeps, id: string): Promise<PublicityView | undefined> {
  const row = await getPublicityById(deps.db, { id });
  if (row) return row;
  try {
    return await deps.temporal.workflow.getHandle(publicityWorkflowId(id)).query(publicityStateQuery);
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return undefined;
    throw e;
  }
}

/**
 * The item, if there is one the principal may read (404, 403). A reporter reads what was released to the
 * newspaper anywhere, and nothing else: an item still in review is not there for the press (404, as if none).
 */
export async function visiblePublicity(deps: CaseServiceDeps, id: string, principal: Principal): Promise<PublicityView> {
  const p = await readPublicity(deps, id);
  if (!p || (forTheNewspaper(principal) && !p.releasedAt)) throw notFound(`no publicity item "${id}"${forTheNewspaper(principal) ? ' released to the newspaper' : ''}`);
  assertMay(principal, 'publicity.read', p);
  return p;
}

const encodeCursor = (c: PublicityCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');
const isInstant = (text: unknown): text is string => typeof text === 'string' && !Number.isNaN(Date.parse(text)) && new Date(text).toISOString() === text;

/** The position a cursor holds, if it is exactly one this API gave out; else 400 naming it. */
function decodeCursor(s: string): PublicityCursor {
  let c: Partial<PublicityCursor> | undefined;
  try {
    c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<PublicityCursor>;
  } catch {
    c = undefined;
  }
  const valid =
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    /^[0-9a-z]{1,64}$/.test(c.id) &&
    (c.deadlineAt === null || isInstant(c.deadlineAt)) &&
    isInstant(c.createdAt) &&
    encodeCursor({ deadlineAt: c.deadlineAt, createdAt: c.createdAt, id: c.id }) === s;
  if (!valid) throw badRequest('cursor is not one this API gave out: pass back the `next` of the previous page', 'querystring.cursor');
  return c as PublicityCursor;
}

export interface PublicityListQuery {
  unit?: string;
  state?: PublicityView['state'][];
  level?: PublicityView['reviewLevel'];
  month?: string;
  cursor?: string;
  limit: number;
}

/** The items a principal may list, within its unit (a reporter: the released ones, anywhere), waiting ones first. */
export async function listPublicityFor(deps: CaseServiceDeps, principal: Principal, q: PublicityListQuery): Promise<{ items: PublicityBody[]; next?: string }> {
  const unit = await unitInScope(deps.org, principal, 'publicity.read', q.unit);
  const month = q.month ? shanghaiMonthOf(new Date(`${q.month}-01T00:00:00+08:00`)) : undefined;
  const page = await listPublicity(deps.db, {
    state: q.state,
    level: q.level,
    unit,
    month,
    releasedOnly: forTheNewspaper(principal),
    limit: q.limit,
    cursor: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  return { items: page.items.map((p) => presentPublicity(p, principal)), next: page.next ? encodeCursor(page.next) : undefined };
}

/** The workflow's refusal as an HTTP answer: 409 with the state and what it takes, 403, 400, or 500 while unrecorded. */
function refusalOf(e: WorkflowUpdateFailedError): HttpError | undefined {
  const cause = e.cause;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = cause.details?.[0] as PublicityRefusalDetails | undefined;
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

/** The action as the workflow takes it: a resubmission's files resolved from the squad's pool, after who may is checked. */
async function resolveAction(deps: CaseServiceDeps, id: string, body: PublicityActionBody, principal: Principal): Promise<PublicityAction> {
  if (body.type !== 'resubmit') return body;
  if (!body.media) return { ...body, media: undefined };
  const p = await readPublicity(deps, id);
  if (!p) throw notFound(`no publicity item "${id}"`);
  assertMay(principal, 'publicity.submit', p);
  return { ...body, media: await mediaOf(deps, squadIdOf(p.squadPath)!, body.media, 'body.media') };
}

/**
 * Takes an action as a Workflow Update and answers the item after it, with its history, once the read model
 * holds it. `requestId` (the client's Idempotency-Key) becomes the update id: a retry is applied once. Who may,
 * and whether its state allows it, are the workflow's to check (its validator): a refusal leaves no history.
 * An item whose workflow has ended (after its release) is taken down by a short workflow of its own.
 */
export async function actOnPublicity(deps: CaseServiceDeps, id: string, body: PublicityActionBody, principal: Principal, requestId?: string): Promise<PublicityView> {
  const action = await resolveAction(deps, id, body, principal);
  const actor = actorOf(principal);
  const handle = deps.temporal.workflow.getHandle(publicityWorkflowId(id));
  const timeoutMs = deps.actionTimeoutMs ?? 30_000;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const after = await deps.temporal.withAbortSignal(signal, () => handle.executeUpdate(publicityActionUpdate, { args: [{ action, actor }], updateId: requestId }));
    deps.log.info({ itemId: id, action: action.type, state: after.state }, 'publicity action taken');
    return after;
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw refusalOf(e) ?? e;
    if (e instanceof WorkflowNotFoundError) return actOnFinished(deps, id, action, actor);
    if (signal.aborted) {
      throw new HttpError(503, `publicity item ${id} did not answer within ${timeoutMs / 1000}s, so it is not known whether it took the action: retry with the same Idempotency-Key, or GET it first`);
    }
    throw e;
  }
}

/**
 * An item whose workflow has ended: released, withdrawn, lapsed or taken down. The same rules decide on the
 * stored item (403, 409, 400) as the workflow would; the one action such an item takes — a released item's
 * take-down — is recorded and told to the newspaper by `publicityTakeDownWorkflow`, once per item, and
 * answered when the read model holds it.
 */
async function actOnFinished(deps: CaseServiceDeps, id: string, action: PublicityAction, actor: Actor): Promise<PublicityView> {
  const stored = await getPublicityById(deps.db, { id });
  if (!stored) throw notFound(`no publicity item "${id}"`);
  const finished = (message: string) => new HttpError(409, message, { state: stored.state, allowed: [] });
  let input: PublicityTakeDownInput;
  try {
    const d = decidePublicity(stored, action, actor, new Date().toISOString(), publicityPolicyOf(deps.policy));
    input = { snapshot: d.next, event: d.event, notifications: d.notifications };
  } catch (e) {
    if (!(e instanceof PublicityRefused)) throw e;
    if (e.kind === 'forbidden') throw new HttpError(403, e.message);
    if (e.kind === 'invalid') throw new HttpError(400, e.message);
    throw new HttpError(409, e.message, { state: stored.state, allowed: allowedPublicityActions(stored) });
  }
  // Only a released item's workflow ends with an action still open; anything else here is an item whose
  // workflow was stopped from outside (terminated): it takes nothing more.
  if (action.type !== 'take_down') throw finished(`publicity item ${id} is ${stored.state} and its workflow has ended: it takes no more actions`);
  try {
    await deps.temporal.workflow.start('publicityTakeDownWorkflow', {
      workflowId: publicityTakeDownWorkflowId(id),
      taskQueue: deps.taskQueue,
      args: [input],
      // Once per item; a take-down whose workflow failed (the database refused it) may be tried again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) throw finished(`publicity item ${id} is being taken down, or was`);
    throw e;
  }
  deps.log.info({ itemId: id, action: action.type }, 'publicity item taken down after its workflow ended');
  return recorded(deps, id, input.snapshot.version);
}

/** An item's file, if the principal may read the item and the item carries the file (404 otherwise). */
async function itemFile(deps: FileServiceDeps, id: string, fileId: string, principal: Principal): Promise<FileRow> {
  const p = await visiblePublicity(deps, id, principal);
  const row = p.media.some((m) => m.fileId === fileId) ? await getFileById(deps.db, { id: fileId }) : undefined;
  if (!row) throw notFound(`publicity item ${id} carries no file "${fileId}"`);
  return row;
}

/** The bytes of an item's photo or video (a range of a video when asked), for those who may read the item. */
export async function downloadPublicityFile(deps: FileServiceDeps, id: string, fileId: string, principal: Principal, rangeHeader?: string): Promise<Download> {
  const row = await itemFile(deps, id, fileId, principal);
  const range = row.type.startsWith('video/') ? parseRange(rangeHeader, row.size) : undefined;
  if (range === 'unsatisfiable') throw new HttpError(416, `the file has ${row.size} bytes: that range is not in it`);
  const body = await deps.store.get(row.storageKey, range);
  if (!body) throw new HttpError(503, `the bytes of file ${row.id} are not in the file store; retry shortly`);
  return { body, type: row.type, size: row.size, range, length: range ? range.end - range.start + 1 : row.size, disposition: contentDisposition('inline', row.name) };
}

/** A photo of an item resized for viewing. */
export async function previewPublicityFile(deps: FileServiceDeps, id: string, fileId: string, principal: Principal): Promise<Readable> {
  const row = await itemFile(deps, id, fileId, principal);
  if (!row.previewKey) throw notFound(`file ${row.id} is ${row.type}: only photos have a preview`);
  const body = await deps.store.get(row.previewKey);
  if (!body) throw new HttpError(503, `the preview of file ${row.id} is not in the file store; retry shortly`);
  return body;
}
