// The use cases behind the duty routes (seeds 000, 001): an officer logs a liaison visit to a workstation
// (网上勤务日志) and adds its photos; the squad's officers and the supervisors above read the log, each
// workstation's week and each squad's month against the thresholds (policy/duties.json), and the
// shortfalls the schedules recorded. Each reads like the story: check → find → act → answer.

import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  type DutyVisitListed,
  type VisitPhoto,
  addVisitPhoto,
  getDutyVisit,
  listDutyVisits,
  listShortfalls,
  recordDutyVisit,
  squadMonths,
  workstationWeeks,
} from '../db/queries/duties.js';
import type { Principal } from '../db/queries/principals.js';
import type { DutyShortfallRow } from '../db/schema.js';
import { type Operation, refusal } from '../domain/access.js';
import { type DutyActivity, type ShortfallKind, monthComplies, visitMinutes, weekComplies } from '../domain/duties.js';
import { type Period, parseShanghaiDay, parseShanghaiMonth, shanghaiMonthOf, shanghaiWeekOf, shanghaiWeeksStartingIn } from '../domain/periods.js';
import type { FileSettings } from '../platform/config.js';
import { type DutiesPolicy, thresholdsOf } from '../platform/duties-policy.js';
import type { FileStore } from '../platform/storage.js';
import { unitInScope } from './access.js';
import type { CaseServiceDeps } from './cases.js';
import { HttpError, badRequest, notFound } from './errors.js';
import { type FileType, type UploadPart, fileNameFor, makePreview, previewKeyOf, receive, storageKey } from './files.js';

export interface DutyServiceDeps extends CaseServiceDeps {
  duties: DutiesPolicy;
  store: FileStore;
  limits: Pick<FileSettings, 'maxBytes' | 'maxVideoBytes'>;
}

/** How many photos one visit keeps. */
export const MAX_VISIT_PHOTOS = 12;
/** A phone's clock may run a little ahead of the server's: an end this far ahead is still now. */
const CLOCK_SKEW_MS = 5 * 60_000;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

export interface VisitInput {
  workstationId: string;
  startedAt: string;
  endedAt: string;
  activities: DutyActivity[];
  note?: string;
}

/** A visit's photo as a client sees it: what it is and where to get it, never where it is kept. */
export interface PhotoBody {
  id: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
  createdAt: string;
  url: string;
  previewUrl?: string;
}

export interface VisitBody {
  id: string;
  officer: { id: string; name?: string };
  workstationId: string;
  workstationName?: string;
  squadId: string;
  districtId: string;
  startedAt: string;
  endedAt: string;
  minutes: number;
  activities: DutyActivity[];
  note?: string;
  photos: PhotoBody[];
  createdAt: string;
}

const iso = (t: string) => new Date(t).toISOString();

function presentPhoto(visitId: string, p: VisitPhoto): PhotoBody {
  const url = `/v1/duty-visits/${encodeURIComponent(visitId)}/photos/${encodeURIComponent(p.id)}`;
  return { id: p.id, name: p.name, type: p.type, size: p.size, sha256: p.sha256, createdAt: p.createdAt, url, ...(p.previewKey ? { previewUrl: `${url}/preview` } : {}) };
}

async function presentVisit(deps: DutyServiceDeps, v: DutyVisitListed): Promise<VisitBody> {
  const station = await deps.org.workstation(v.workstationId);
  return {
    id: v.id,
    officer: { id: v.officerId, ...(v.officerName ? { name: v.officerName } : {}) },
    workstationId: v.workstationId,
    ...(station ? { workstationName: station.name } : {}),
    squadId: v.squadId,
    districtId: v.districtId,
    startedAt: iso(v.startedAt),
    endedAt: iso(v.endedAt),
    minutes: v.minutes,
    activities: v.activities as DutyActivity[],
    ...(v.note ? { note: v.note } : {}),
    photos: (v.attachments as unknown as VisitPhoto[]).map((p) => presentPhoto(v.id, p)),
    createdAt: iso(v.createdAt),
  };
}

/** 403 unless the table lets the principal take `operation` where the visit lies (its workstation's squad). */
function assertMayOnVisit(principal: Principal, operation: Operation, v: DutyVisitListed): void {
  const why = refusal(principal, operation, { units: [v.unitPath] });
  if (why) throw new HttpError(403, `duty visit ${v.id}: ${why}`);
}

/** The times of a visit, checked: it ends after it starts, within a working day, and not in the future. */
function checkedTimes(deps: DutyServiceDeps, input: VisitInput, now: number): { startedAt: Date; endedAt: Date; minutes: number } {
  const startedAt = new Date(input.startedAt);
  const endedAt = new Date(input.endedAt);
  if (endedAt <= startedAt) throw badRequest(`the visit ends (${input.endedAt}) before it starts (${input.startedAt}): give its end after its start`, 'body.endedAt');
  const minutes = visitMinutes(startedAt, endedAt);
  const max = deps.duties.visit.maxMinutes;
  if (minutes > max) throw badRequest(`a visit lasts at most ${max / 60} hours (${max} minutes); this one lasts ${minutes} minutes: log each visit apart`, 'body.endedAt');
  if (endedAt.getTime() > now + CLOCK_SKEW_MS) throw badRequest(`the visit ends in the future (${input.endedAt}): log a visit once it is over`, 'body.endedAt');
  return { startedAt, endedAt, minutes };
}

/**
 * Logs a visit for the officer who made it, at a workstation of its squad. The same Idempotency-Key from
 * the same officer is the same visit: a retry answers the visit logged before, with `created: false`.
 */
export async function logVisit(deps: DutyServiceDeps, principal: Principal, input: VisitInput, idempotencyKey?: string): Promise<{ created: boolean; visit: VisitBody }> {
  const station = await deps.org.workstation(input.workstationId);
  if (!station) throw badRequest(`no workstation "${input.workstationId}": GET /v1/workstations lists them`, 'body.workstationId');
  const why = refusal(principal, 'duty.log', { units: [station.squadPath] });
  if (why) throw new HttpError(403, `workstation ${station.id}: ${why}`);
  const { startedAt, endedAt, minutes } = checkedTimes(deps, input, Date.now());
  const squad = await deps.org.unit(station.squadId);
  const { created, visit } = await recordDutyVisit(deps.db, {
    id: randomUUID(),
    officerId: principal.id,
    workstationId: station.id,
    squadId: station.squadId,
    districtId: squad?.parentId ?? station.squadId,
    unitPath: station.squadPath,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    minutes,
    // Each activity once, in the catalogue's order however they were ticked.
    activities: [...new Set(input.activities)],
    note: input.note?.trim() || null,
    idempotencyKey: idempotencyKey ?? null,
  });
  if (created) deps.log.info({ visitId: visit.id, workstationId: station.id, minutes }, 'duty visit logged');
  return { created, visit: await presentVisit(deps, { ...visit, officerName: principal.name }) };
}

async function visibleVisit(deps: DutyServiceDeps, id: string, principal: Principal, operation: Operation): Promise<DutyVisitListed> {
  const visit = await getDutyVisit(deps.db, { id });
  if (!visit) throw notFound(`no duty visit "${id}"`);
  assertMayOnVisit(principal, operation, visit);
  return visit;
}

export async function readVisit(deps: DutyServiceDeps, id: string, principal: Principal): Promise<VisitBody> {
  return presentVisit(deps, await visibleVisit(deps, id, principal, 'duty.read'));
}

/**
 * Adds a photo to a visit: only the officer who logged it. The type is read from the bytes (photos only:
 * JPEG, PNG, WebP), the bytes kept content-addressed in the same store as cases' files, with a preview.
 * The same bytes again answer the photo added before (`created: false`); past 12 photos, 409.
 */
export async function addPhoto(deps: DutyServiceDeps, visitId: string, principal: Principal, part: UploadPart | undefined): Promise<{ created: boolean; photo: PhotoBody }> {
  const visit = await visibleVisit(deps, visitId, principal, 'duty.log');
  if (visit.officerId !== principal.id) throw new HttpError(403, `duty visit ${visit.id} was logged by another officer: only they add its photos`);
  if (!part) throw badRequest('send the photo as multipart/form-data, in a part named "file"', 'body.file');
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw badRequest(`the photo goes in a part named "file", not "${part.fieldname}"`, 'body.file');
  }
  const full = () => new HttpError(409, `duty visit ${visit.id} has its ${MAX_VISIT_PHOTOS} photos already: it takes no more`);
  if ((visit.attachments as unknown[]).length >= MAX_VISIT_PHOTOS) {
    part.file.resume();
    throw full();
  }
  const got = await receive(deps, part.file);
  const scratchPreview = `${got.scratch}.preview`;
  try {
    if (got.refusal) throw got.refusal;
    if (!got.type || !PHOTO_TYPES.includes(got.type)) throw new HttpError(415, `a visit takes photos: ${PHOTO_TYPES.join(', ')}, told by their bytes; this file is ${got.type}`);
    try {
      await makePreview(got.scratch, scratchPreview);
    } catch {
      throw new HttpError(415, `the file's first bytes say ${got.type}, but it is not an image that can be read: send the photo as it was taken`);
    }
    // Under a prefix of their own: erasing a case deletes the bytes its files alone hold (db/queries/erasure.ts),
    // and the same bytes sent to a case and to a visit must not take the visit's photo with them.
    const key = `duty/${storageKey(got.sha256)}`;
    await deps.store.put(previewKeyOf(key), scratchPreview);
    await deps.store.put(key, got.scratch);
    const photo: VisitPhoto = {
      id: randomUUID(),
      name: fileNameFor(part.filename, got.type as FileType),
      type: got.type,
      size: got.size,
      sha256: got.sha256,
      storageKey: key,
      previewKey: previewKeyOf(key),
      ownerId: principal.id,
      createdAt: new Date().toISOString(),
    };
    const added = await addVisitPhoto(deps.db, { visitId: visit.id, photo, max: MAX_VISIT_PHOTOS });
    if (added.full || !added.photo) throw full();
    if (added.created) deps.log.info({ visitId: visit.id, photoId: photo.id, size: photo.size, sha256: photo.sha256 }, 'duty visit photo added');
    return { created: added.created, photo: presentPhoto(visit.id, added.photo) };
  } finally {
    await Promise.all([rm(got.scratch, { force: true }), rm(scratchPreview, { force: true })]);
  }
}

/** A photo's bytes (or its preview), for those who may read the visit. */
export async function photoBytes(deps: DutyServiceDeps, visitId: string, photoId: string, principal: Principal, preview: boolean): Promise<{ body: Readable; type: string; name: string; size?: number }> {
  const visit = await visibleVisit(deps, visitId, principal, 'duty.read');
  const photo = (visit.attachments as unknown as VisitPhoto[]).find((p) => p.id === photoId);
  if (!photo) throw notFound(`duty visit ${visit.id} has no photo "${photoId}"`);
  const key = preview ? photo.previewKey : photo.storageKey;
  if (!key) throw notFound(`photo ${photo.id} has no preview`);
  const body = await deps.store.get(key);
  if (!body) throw new HttpError(503, `the bytes of photo ${photo.id} are not in the file store; retry shortly`);
  return preview ? { body, type: 'image/jpeg', name: photo.name.replace(/\.[^.]+$/, '.jpg') } : { body, type: photo.type, name: photo.name, size: photo.size };
}

const encodeCursor = (c: { at: string; id: string }) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(s: string): { at: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString()) as { at?: unknown; id?: unknown };
    if (typeof v.at !== 'string' || Number.isNaN(Date.parse(v.at)) || typeof v.id !== 'string' || v.id.length > 200) throw new Error('shape');
    return { at: v.at, id: v.id };
  } catch {
    throw badRequest('cursor is not one this API gave out: pass back the `next` of the previous page', 'querystring.cursor');
  }
}

/** The unit a read covers, as a path: the one asked for where the table lets the principal reach it, else its own. */
async function scopePath(deps: DutyServiceDeps, principal: Principal, unit: string | undefined): Promise<string | undefined> {
  const scope = await unitInScope(deps.org, principal, 'duty.read', unit);
  return scope ? (await deps.org.unit(scope.id))!.path : undefined;
}

export interface VisitListQuery {
  unit?: string;
  workstation?: string;
  officer?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** The visits a principal may read — its unit and below — newest first, a page at a time. */
export async function listVisits(deps: DutyServiceDeps, principal: Principal, q: VisitListQuery): Promise<{ visits: VisitBody[]; next?: string }> {
  const unitPath = await scopePath(deps, principal, q.unit);
  if (q.workstation && !(await deps.org.workstation(q.workstation))) throw badRequest(`no workstation "${q.workstation}": GET /v1/workstations lists them`, 'querystring.workstation');
  const page = await listDutyVisits(deps.db, {
    unitPath,
    workstationId: q.workstation,
    officerId: q.officer,
    from: q.from,
    to: q.to,
    limit: q.limit,
    before: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  return { visits: await Promise.all(page.visits.map((v) => presentVisit(deps, v))), ...(page.next ? { next: encodeCursor(page.next) } : {}) };
}

const periodBody = (p: Period) => ({ start: p.start.toISOString(), end: p.end.toISOString() });

export interface ComplianceQuery {
  unit?: string;
  week?: string;
  month?: string;
}

/** The weeks and month a compliance read covers: a week (and its month), or a month (and the weeks whose Monday is in it). */
function compliancePeriods(q: ComplianceQuery, now: Date): { weeks: Period[]; month: Period } {
  if (q.week && q.month) throw badRequest('ask for a week or a month, not both', 'querystring.month');
  if (q.month) {
    const month = parseShanghaiMonth(q.month);
    if (!month) throw badRequest(`"${q.month}" is no month: give it as YYYY-MM`, 'querystring.month');
    return { weeks: shanghaiWeeksStartingIn(month), month };
  }
  const day = q.week ? parseShanghaiDay(q.week) : now;
  if (!day) throw badRequest(`"${q.week}" is no day: give any day of the week as YYYY-MM-DD`, 'querystring.week');
  const week = shanghaiWeekOf(day);
  return { weeks: [week], month: shanghaiMonthOf(week.start) };
}

/**
 * Each workstation's visits and minutes in the week (or in each week of the month) and whether it complies;
 * each squad's publicity released in the month and whether it complies — within the principal's unit.
 * A week still running complies as soon as it has reached the thresholds.
 */
export async function compliance(deps: DutyServiceDeps, principal: Principal, q: ComplianceQuery) {
  const unitPath = await scopePath(deps, principal, q.unit);
  const { weeks, month } = compliancePeriods(q, new Date());
  const thresholds = thresholdsOf(deps.duties);
  const perWeek = await Promise.all(weeks.map((w) => workstationWeeks(deps.db, { start: w.start.toISOString(), end: w.end.toISOString(), unitPath })));
  const squads = await squadMonths(deps.db, { start: month.start.toISOString(), end: month.end.toISOString(), unitPath });
  const stations = (perWeek[0] ?? []).map((w, i) => {
    const mine = perWeek.map((rows, k) => ({ start: weeks[k]!.start.toISOString(), visits: rows[i]!.visits, minutes: rows[i]!.minutes }));
    const visits = mine.reduce((n, x) => n + x.visits, 0);
    const minutes = mine.reduce((n, x) => n + x.minutes, 0);
    return {
      id: w.workstationId,
      name: w.workstationName,
      squadId: w.squadId,
      squadName: w.squadName,
      visits,
      minutes,
      complies: mine.every((x) => weekComplies(thresholds.weekly, x)),
      weeks: mine.map((x) => ({ ...x, complies: weekComplies(thresholds.weekly, x) })),
    };
  });
  return {
    thresholds,
    weeks: weeks.map(periodBody),
    month: periodBody(month),
    workstations: stations,
    squads: squads.map((s) => ({ id: s.squadId, name: s.squadName, released: s.released, complies: monthComplies(thresholds.monthly, s) })),
  };
}

export interface ShortfallQuery {
  unit?: string;
  kind?: ShortfallKind;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

function presentShortfall(s: DutyShortfallRow) {
  const details = s.details as Record<string, unknown>;
  const name = (s.kind === 'weekly_visits' ? details.workstationName : details.squadName) as string | undefined;
  return {
    id: s.id,
    kind: s.kind as ShortfallKind,
    subjectId: s.subjectId,
    ...(name ? { subjectName: name } : {}),
    squadId: s.squadId,
    ...(typeof details.squadName === 'string' ? { squadName: details.squadName } : {}),
    districtId: s.districtId,
    periodStart: iso(s.periodStart),
    periodEnd: iso(s.periodEnd),
    details,
    detectedAt: iso(s.detectedAt),
  };
}

/** What the schedules found short within the principal's unit, the latest period first. */
export async function shortfalls(deps: DutyServiceDeps, principal: Principal, q: ShortfallQuery) {
  const unitPath = await scopePath(deps, principal, q.unit);
  const page = await listShortfalls(deps.db, { unitPath, kind: q.kind, from: q.from, to: q.to, limit: q.limit, before: q.cursor ? decodeCursor(q.cursor) : undefined });
  return { shortfalls: page.shortfalls.map(presentShortfall), ...(page.next ? { next: encodeCursor(page.next) } : {}) };
}
