// The citizen's side: a case followed by its tracking code, without a key and without personal data; the
// citizen's rating of the answer; and what the citizen adds — text and photos — as a supplement. The
// tracking code is the citizen's only key: whoever holds it may read this page, rate and add to the case,
// as the person who filed it would.

import { getCaseByTrackingCode, listCaseEvents } from '../db/queries/cases.js';
import { filesOfCase, listCaseFiles } from '../db/queries/files.js';
import type { Principal } from '../db/queries/principals.js';
import type { CaseEventRow } from '../db/schema.js';
import type { Actor, CaseState, CaseView, Rating } from '../domain/case.js';
import { redactText } from '../domain/privacy.js';
import { unitIdOf } from '../domain/units.js';
import { finishesAt } from '../workflows/lifecycle.js';
import { type CaseServiceDeps, actOnCase, present } from './cases.js';
import { HttpError, badRequest, notFound } from './errors.js';
import { type FileBody, type FileServiceDeps, type UploadPart, uploadFile } from './files.js';

async function caseByTrackingCode(deps: CaseServiceDeps, trackingCode: string): Promise<CaseView> {
  const view = await getCaseByTrackingCode(deps.db, { trackingCode });
  if (!view) throw notFound(`no case with tracking code "${trackingCode}"`);
  return view;
}

/** The citizen, acting through the tracking code: outside the unit tree, reaching only this case. */
const citizenActor = (deps: CaseServiceDeps): Actor => ({ id: CITIZEN_ID, role: 'citizen', unitPath: deps.org.rootPath() });
/** The owner of the files a citizen uploads, and the id the timeline knows the citizen by. */
export const CITIZEN_ID = 'citizen';

/**
 * The files use case (api/files.ts) takes a key holder: the citizen uploads as a principal that exists only
 * for this request — the intake role bound to the case's own channel, the one role the authorisation table
 * lets add to a case from anywhere — so its type sniffing, size limits, names and storage apply unchanged.
 */
const citizenUploader = (deps: CaseServiceDeps, view: CaseView): Principal => {
  const root = deps.org.rootPath();
  return { id: CITIZEN_ID, name: '市民（凭查询码）', role: 'intake', unitId: unitIdOf(root), unitPath: root, channel: view.channel };
};

// What the citizen's timeline leaves out: the newspaper's media item and its review are the newspaper's
// and the bureau's business (业务把关), not the complaint's progress.
const INTERNAL_EVENT = /^media_/;
const isForTheCitizen = (e: CaseEventRow) => !INTERNAL_EVENT.test(e.type) && !(e.type === 'deadline_passed' && e.payload.clock === 'media');

/** Who took a step, as the citizen may know it: never a name or an officer's id. */
function byWhom(e: CaseEventRow): 'citizen' | 'channel' | 'staff' | 'system' {
  switch (e.actor.role) {
    case 'citizen':
      return 'citizen';
    case 'intake':
      return 'channel';
    case 'system':
      return 'system';
    default:
      return 'staff';
  }
}

/** Until when the case takes a rating: while it is resolved and answered, and for the rating window after closing. */
function ratingOpenUntil(deps: CaseServiceDeps, view: CaseView): string | undefined {
  if (view.state !== 'closed') return undefined;
  return finishesAt(view, deps.policy);
}

/**
 * What the citizen sees: where the case stands and until when its current stage runs, the answer, whether
 * it can be rated, and its timeline — each step's kind, time and state, no payload (no notes, no names).
 */
export async function trackCase(deps: CaseServiceDeps, trackingCode: string, now = Date.now()) {
  const view = await caseByTrackingCode(deps, trackingCode);
  const events = await listCaseEvents(deps.db, { caseId: view.id });
  const shown = present(view, undefined, now);
  const open = view.state !== 'closed';
  const until = ratingOpenUntil(deps, view);
  const station = view.workstationId ? await deps.org.workstation(view.workstationId) : undefined;
  const answeredAt = [...events].reverse().find((e) => e.type === 'feedback')?.at;
  return {
    kind: 'complaint' as const,
    trackingCode: view.trackingCode,
    channel: view.channel,
    state: view.state,
    outcome: view.outcome,
    category: view.category,
    // Whoever holds the code sees the complaint, with phone and identity numbers masked like any reader's.
    title: redactText(view.title, view.citizen),
    workstation: station ? { id: station.id, name: station.fullName } : undefined,
    // The clock the case runs on now; a closed case has none.
    stage: open ? view.stage : undefined,
    deadlineAt: open ? view.deadlineAt : undefined,
    overdue: open && shown.overdue,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    answer: view.feedback === undefined ? undefined : redactText(view.feedback, view.citizen),
    answeredAt: answeredAt ? new Date(answeredAt).toISOString() : undefined,
    rating: view.rating?.rating,
    canRate: shown.allowedActions.includes('rate') && (until === undefined || Date.parse(until) > now),
    ratingOpenUntil: view.rating ? undefined : until,
    canSupplement: shown.allowedActions.includes('supplement'),
    timeline: events.filter(isForTheCitizen).map((e) => ({ type: e.type, at: new Date(e.at).toISOString(), state: e.toState as CaseState, by: byWhom(e) })),
  };
}

/** The citizen rates the answer: the `rate` action, taken as the citizen, outside the unit tree. */
export async function rateCase(deps: CaseServiceDeps, trackingCode: string, rating: { rating: Rating; comment?: string }) {
  const view = await caseByTrackingCode(deps, trackingCode);
  const after = await actOnCase(deps, view.id, { type: 'rate', ...rating }, citizenActor(deps));
  return { trackingCode: after.trackingCode, rating: after.rating!.rating };
}

/** How many files a citizen may add to one case through the tracking code: enough for any complaint's photos. */
export const CITIZEN_FILES_MAX = 20;

/** 409 unless the case still takes supplements (every state but closed). */
function assertTakesSupplements(view: CaseView): void {
  const allowed = present(view).allowedActions;
  if (!allowed.includes('supplement')) {
    throw new HttpError(409, `case ${view.trackingCode} is ${view.state}${view.outcome ? ` (${view.outcome})` : ''}: it takes no more information`, { state: view.state, allowed });
  }
}

/** A file the citizen uploaded, as the citizen sees it: no link, since the bytes are served to staff only. */
export interface CitizenFile {
  id: string;
  name: string;
  type: FileBody['type'];
  size: number;
  createdAt: string;
}

/**
 * A photo (or PDF, or video) for the case, uploaded by whoever holds its tracking code, to be named in a
 * supplement (`attachments: [{fileId}]`). The same bytes again answer the file uploaded before.
 */
export async function uploadCitizenFile(deps: FileServiceDeps, trackingCode: string, part: UploadPart | undefined): Promise<{ created: boolean; file: CitizenFile }> {
  const view = await caseByTrackingCode(deps, trackingCode);
  try {
    assertTakesSupplements(view);
    const mine = (await listCaseFiles(deps.db, { caseId: view.id })).filter((f) => f.ownerId === CITIZEN_ID);
    if (mine.length >= CITIZEN_FILES_MAX) {
      throw new HttpError(409, `case ${view.trackingCode} already has the ${CITIZEN_FILES_MAX} files a citizen may add: describe the rest in words`, { state: view.state, allowed: present(view).allowedActions });
    }
  } catch (refused) {
    // Read to its end, so the client hears the refusal rather than a connection cut mid-upload.
    part?.file.resume();
    throw refused;
  }
  const { created, file } = await uploadFile(deps, view.id, citizenUploader(deps, view), part);
  return { created, file: { id: file.id, name: file.name, type: file.type, size: file.size, createdAt: file.createdAt } };
}

/**
 * The citizen adds to the case: text, files uploaded through the tracking code, or both — the `supplement`
 * action taken as the citizen. Answers what the tracking page shows after it.
 */
export async function supplementCase(deps: CaseServiceDeps, trackingCode: string, body: { text?: string; attachments?: { fileId: string }[] }) {
  const view = await caseByTrackingCode(deps, trackingCode);
  const ids = body.attachments?.map((a) => a.fileId) ?? [];
  if (ids.length) {
    const found = new Map((await filesOfCase(deps.db, { caseId: view.id, ids })).map((f) => [f.id, f]));
    ids.forEach((id, i) => {
      // Only the citizen's own uploads: a file staff added to the case is not the citizen's to attach.
      if (found.get(id)?.ownerId !== CITIZEN_ID) {
        throw badRequest(`no file "${id}" uploaded with this tracking code: upload it with POST /v1/track/${trackingCode}/files first`, `body.attachments.${i}.fileId`);
      }
    });
  }
  await actOnCase(deps, view.id, { type: 'supplement', text: body.text, attachments: body.attachments }, citizenActor(deps));
  return trackCase(deps, trackingCode);
}
