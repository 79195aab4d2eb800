// The use cases behind Open311's service requests. A POST files a case through the same intake as every
// channel (fileCase, channel `open311`); the reads show the cases Open311 filed, to anyone, without a
// key — so with nothing of the citizen in them.
//
// Only the cases that came through Open311 are listed and read here. A complaint to the newspaper, the
// hotline or a workstation was made to the bureau, not published: its text and place stay with those
// who handle it. What an Open311 app sends is a public report, as on every GeoReport server, and even
// so its text is read with phone and identity numbers and the citizen's name starred out (`hidden`, as
// the press sees them: a public page shows not even part of them), and without the citizen.

import { createHmac } from 'node:crypto';
import { isConnectionFailure } from '../../db/errors.js';
import { getCaseById } from '../../db/queries/cases.js';
import { listChannelCases } from '../../db/queries/open311.js';
import { type Principal, findPrincipalByKey } from '../../db/queries/principals.js';
import { type CaseState, type CaseView, type Category, type Citizen, STATES } from '../../domain/case.js';
import { redactText } from '../../domain/privacy.js';
import { unitIdOf } from '../../domain/units.js';
import { caseIdFor } from '../../platform/case-ids.js';
import { type CaseServiceDeps, fileCase } from '../cases.js';
import { HttpError } from '../errors.js';
import { type IntakeBody, intakeSchema } from '../schemas.js';
import type { Open311Messages } from './messages.js';
import type { Open311Request, RequestForm, RequestsQuery } from './schemas.js';
import { type AttributeAnswers, JURISDICTION_ID, isServiceCode, readAttributes, serviceNotice } from './services.js';

const CHANNEL = 'open311';
const DAY_MS = 24 * 3600 * 1000;
/** The spec's default window of GET requests, and the most one query may span. */
const WINDOW_DAYS = 90;
const CLOSED_STATES: readonly CaseState[] = ['resolved', 'closed'];

const badRequest = (path: string, message: string) => new HttpError(400, `${path}: ${message}`, { issues: [{ path, message }] });

/** 404 unless the request names this jurisdiction or none (the spec lets a one-jurisdiction server take either). */
export function assertJurisdiction(jurisdictionId: string | undefined): void {
  if (jurisdictionId !== undefined && jurisdictionId !== JURISDICTION_ID) {
    throw new HttpError(404, `jurisdiction_id "${jurisdictionId}" was not found: this endpoint serves ${JURISDICTION_ID} only (or leave jurisdiction_id out)`);
  }
}

/**
 * The principal behind an Open311 `api_key`: an intake key holder, unbound or bound to channel open311.
 * The key is checked in PostgreSQL as authentication does (live key of a live principal, not run out);
 * the spec answers a missing or wrong key with 403, and with PostgreSQL away no key can be checked: 503.
 */
export async function principalForApiKey(deps: Pick<CaseServiceDeps, 'db'>, apiKey: string | undefined): Promise<Principal> {
  if (!apiKey) throw new HttpError(403, 'api_key was not provided: filing a request needs the API key of an intake key holder (discovery.xml says how to get one)');
  let found: Awaited<ReturnType<typeof findPrincipalByKey>>;
  try {
    found = await findPrincipalByKey(deps.db, { key: apiKey });
  } catch (err) {
    if (!isConnectionFailure(err)) throw err;
    const unreachable = new HttpError(503, 'the key store (PostgreSQL) is unreachable, so no api_key can be checked; retry shortly');
    unreachable.cause = err;
    throw unreachable;
  }
  const principal = found?.principal;
  if (!principal) throw new HttpError(403, 'invalid api_key: it is unknown, revoked or expired');
  if (principal.role !== 'intake') {
    throw new HttpError(403, `this api_key belongs to a ${principal.role}; requests are filed with the key of an intake key holder`);
  }
  if (principal.channel && principal.channel !== CHANNEL) {
    throw new HttpError(403, `this api_key is bound to channel ${principal.channel}; Open311 requests need an intake key bound to open311, or to no channel`);
  }
  return principal;
}

/** Where the request is: lat and long together, or an address; the spec's address_id needs a repository we do not have. */
function locationOf(form: RequestForm, m: Open311Messages) {
  if (form.address_id !== undefined && form.address_string === undefined && form.lat === undefined) {
    throw badRequest('address_id', 'is not taken here: this jurisdiction has no address repository; send lat and long, or address_string');
  }
  if ((form.lat === undefined) !== (form.long === undefined)) {
    throw badRequest(form.lat === undefined ? 'lat' : 'long', 'lat and long are sent together');
  }
  if (form.lat === undefined && form.address_string === undefined) {
    throw badRequest('address_string', 'a location is required: lat and long, or address_string');
  }
  const address = form.address_string ?? m.t('address.coordinates', { lat: form.lat!, long: form.long! });
  return { address, lat: form.lat, lng: form.long };
}

const HAN = /\p{Script=Han}/u;

/** The citizen's name in the order their language writes it: 王小明 (family name first), John Smith. */
function fullName(first: string | undefined, last: string | undefined): string | undefined {
  if (!first || !last) return first || last || undefined;
  return HAN.test(first) && HAN.test(last) ? `${last}${first}` : `${first} ${last}`;
}

function citizenOf(form: RequestForm): Citizen | undefined {
  const name = fullName(form.first_name, form.last_name);
  if (!name && !form.phone) return undefined;
  return { ...(name ? { name } : {}), ...(form.phone ? { phone: form.phone } : {}) };
}

/** At most `max` characters, on a character (not a UTF-16 unit) boundary, with an ellipsis when cut. */
function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The case's title: the title attribute, else the description's first line, else the service and place. */
function titleOf(form: RequestForm, answers: AttributeAnswers, fallback: string): string {
  if (answers.title) return answers.title;
  const firstLine = form.description?.split(/\r?\n/).map((l) => l.trim()).find(Boolean);
  return cut(firstLine ?? fallback, firstLine ? 60 : 200);
}

/** The request as the intake every channel files through. */
async function intakeOf(deps: CaseServiceDeps, form: RequestForm, code: Category, m: Open311Messages): Promise<IntakeBody> {
  const answers = readAttributes(form.attributes, deps.org);
  if (answers.workstationId && !(await deps.org.workstation(answers.workstationId))) {
    throw badRequest('attribute[workstation_id]', `no workstation "${answers.workstationId}"`);
  }
  const location = locationOf(form, m);
  const fallback = m.t('title.fallback', { service: m.console.term('category', code), address: location.address });
  const description = form.description?.trim() ? form.description : cut(fallback, 4000);
  const citizen = citizenOf(form);
  const parsed = intakeSchema.safeParse({
    channel: CHANNEL,
    title: titleOf(form, answers, fallback),
    description,
    category: code,
    urgent: answers.urgent ?? false,
    location: {
      address: location.address,
      ...(answers.district ? { district: answers.district } : {}),
      ...(answers.street ? { street: answers.street } : {}),
      ...(location.lat !== undefined ? { lat: location.lat, lng: location.lng } : {}),
    },
    ...(answers.workstationId ? { workstationId: answers.workstationId } : {}),
    ...(citizen ? { citizen } : {}),
    attachments: form.media_url ? [{ url: form.media_url }] : [],
  });
  if (!parsed.success) {
    // The form's bounds keep within intake's; this names what slipped through in intake's words.
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new HttpError(400, issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  return parsed.data;
}

/**
 * The same request sent again — a client retrying after a lost answer — is one case. With an
 * Idempotency-Key header, that key from the same key holder decides, as on POST /v1/cases. Without
 * one, the request itself does: the same fields (device_id and account_id among them) from the same
 * api_key within 24 hours file one case. Its `externalId` is an HMAC of the fields keyed with the
 * api_key, so the id reveals nothing of what was sent (a phone number's few masked digits cannot be
 * guessed from it) to anyone without that key. Time is cut into 24-hour windows and the window before
 * is looked at too, so a retry across the boundary still finds its case.
 */
function contentKey(form: RequestForm, apiKey: string, window: number): string {
  const { api_key: _key, jurisdiction_id: _jurisdiction, attributes, ...fields } = form;
  const canonical = JSON.stringify([
    Object.entries(fields).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)),
    Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b)),
  ]);
  return `open311-${window}-${createHmac('sha256', apiKey).update(canonical).digest('base64url')}`;
}

export interface RequestCreated {
  service_request_id: string;
  token: string;
  service_notice: string | null;
}

/**
 * Files a service request as a case and answers its id once the case is in the read model (so a GET
 * right after finds it). The token is the same id: a case is there at once (`realtime`), and a client
 * that follows the spec's token path finds it through tokens/{token} all the same. Never the tracking
 * code: that is the citizen's key to rating the case.
 */
export async function createRequest(
  deps: CaseServiceDeps,
  form: RequestForm,
  principal: Principal,
  options: { apiKey: string; idempotencyKey?: string; m: Open311Messages; now?: number },
): Promise<{ created: boolean; answer: RequestCreated }> {
  assertJurisdiction(form.jurisdiction_id);
  if (!isServiceCode(form.service_code)) throw new HttpError(404, `service_code "${form.service_code}" was not found: services.xml lists them`);
  const intake = await intakeOf(deps, form, form.service_code, options.m);
  let filed: { created: boolean; view: CaseView };
  if (options.idempotencyKey) {
    filed = await fileCase(deps, intake, principal, options.idempotencyKey);
  } else {
    const now = options.now ?? Date.now();
    const window = Math.floor(now / DAY_MS);
    const before = await getCaseById(deps.db, { id: caseIdFor(CHANNEL, contentKey(form, options.apiKey, window - 1)) });
    filed =
      before && now - Date.parse(before.createdAt) < DAY_MS
        ? { created: false, view: before }
        : await fileCase(deps, { ...intake, externalId: contentKey(form, options.apiKey, window) }, principal);
  }
  const { view } = filed;
  return { created: filed.created, answer: { service_request_id: view.id, token: view.id, service_notice: serviceNotice(form.service_code, options.m, deps.policy) } };
}

/** What the public sees of a case: its status and place, the answer, and no personal data. */
export async function presentRequest(deps: Pick<CaseServiceDeps, 'org' | 'policy'>, view: CaseView, m: Open311Messages): Promise<Open311Request> {
  const hide = (text: string) => redactText(text, view.citizen, 'hidden');
  const closed = CLOSED_STATES.includes(view.state);
  const code = view.category ?? 'other';
  const media = view.attachments.find((a) => /^https?:/.test(a.url));
  return {
    service_request_id: view.id,
    status: closed ? 'closed' : 'open',
    status_notes: statusNotes(view, m, hide),
    service_name: m.console.term('category', code),
    service_code: code,
    description: cut(hide(view.description), 4000),
    agency_responsible: await agencyOf(deps, view, m),
    service_notice: serviceNotice(code, m, deps.policy),
    requested_datetime: view.createdAt,
    // For a closed request the spec wants when it was closed.
    updated_datetime: closed ? (view.closedAt ?? view.resolvedAt ?? view.updatedAt) : view.updatedAt,
    // The case's live deadline: when its present stage is due (it moves with each stage, and with an escalation).
    expected_datetime: closed ? null : (view.deadlineAt ?? null),
    address: hide(view.location.address),
    lat: view.location.lat ?? null,
    long: view.location.lng ?? null,
    media_url: media?.url ?? null,
  };
}

/** The answer to the citizen once given; else how the case ended; else the state and stage it is in. */
function statusNotes(view: CaseView, m: Open311Messages, hide: (text: string) => string): string {
  if (view.feedback) return hide(view.feedback);
  if (view.outcome === 'transferred' && view.department) return m.t('status.transferred', { department: m.department(view.department) });
  if (view.outcome) return m.console.term('case.outcomes', view.outcome);
  const state = m.console.term('state', view.state);
  return view.stage ? m.t('status.stage', { state, stage: m.console.term('stage', view.stage) }) : state;
}

/** Who handles it: the competent department it was transferred to, or the unit it lies with. */
async function agencyOf(deps: Pick<CaseServiceDeps, 'org'>, view: CaseView, m: Open311Messages): Promise<string | null> {
  if (view.outcome === 'transferred' && view.department) return m.department(view.department);
  const unit = await deps.org.unit(unitIdOf(view.assignedUnitPath));
  return unit?.name ?? null;
}

/** An Open311 case by id, or 404: a case of another channel is not found here either. */
async function open311Case(deps: CaseServiceDeps, id: string): Promise<CaseView> {
  const view = await getCaseById(deps.db, { id });
  if (!view || view.channel !== CHANNEL) throw new HttpError(404, `service_request_id "${id}" was not found`);
  return view;
}

export async function getRequest(deps: CaseServiceDeps, id: string, m: Open311Messages): Promise<Open311Request[]> {
  return [await presentRequest(deps, await open311Case(deps, id), m)];
}

export async function requestIdFromToken(deps: CaseServiceDeps, token: string): Promise<{ service_request_id: string; token: string }[]> {
  const view = await getCaseById(deps.db, { id: token });
  if (!view || view.channel !== CHANNEL) throw new HttpError(404, `token "${token}" was not found`);
  return [{ service_request_id: view.id, token }];
}

/** The span of requested_datetime a query covers: the spec's 90 days at most, by default the last 90. */
function windowOf(query: RequestsQuery, now: number): { from: string; to: string } {
  const span = WINDOW_DAYS * DAY_MS;
  const start = query.start_date ? Date.parse(query.start_date) : undefined;
  const end = query.end_date ? Date.parse(query.end_date) : start !== undefined ? start + span : now;
  const from = start ?? end - span;
  if (end < from) throw badRequest('end_date', 'is before start_date');
  if (end - from > span) throw badRequest('end_date', `start_date to end_date spans more than ${WINDOW_DAYS} days; ask for ${WINDOW_DAYS} days at a time`);
  return { from: new Date(from).toISOString(), to: new Date(end).toISOString() };
}

/**
 * GET requests: the Open311 cases asked for, newest first, `page_size` (at most 1,000) at a time. Named
 * ids override every other filter, as the spec says; otherwise the window is at most 90 days.
 * `more` says whether another page follows.
 */
export async function listRequests(deps: CaseServiceDeps, query: RequestsQuery, m: Open311Messages, now = Date.now()): Promise<{ requests: Open311Request[]; more: boolean }> {
  assertJurisdiction(query.jurisdiction_id);
  const page = { limit: query.page_size + 1, offset: (query.page - 1) * query.page_size };
  const statuses = new Set(query.status);
  // Both statuses, or none named, is every state.
  const onlyClosed = statuses.size === 1 ? statuses.has('closed') : undefined;
  const filter = query.service_request_id
    ? { ids: query.service_request_id }
    : {
        ...windowOf(query, now),
        categories: query.service_code,
        states: onlyClosed === undefined ? undefined : STATES.filter((s) => CLOSED_STATES.includes(s) === onlyClosed),
      };
  const views = await listChannelCases(deps.db, { channel: CHANNEL, ...filter, ...page });
  const shown = views.slice(0, query.page_size);
  return { requests: await Promise.all(shown.map((v) => presentRequest(deps, v, m))), more: views.length > query.page_size };
}
