// The authorisation table (domain/access.ts) applied to what the API serves: a case or a unit the
// principal asks for is checked against the operation the route declares, and a case is shown with the
// citizen's data masked unless the table lets the reader see it.

import type { Principal } from '../db/queries/principals.js';
import { type Operation, type Target, refusal } from '../domain/access.js';
import type { CaseView } from '../domain/case.js';
import { type Concealment, mask, maskCitizen, redactText } from '../domain/privacy.js';
import { isBelowCity } from '../domain/units.js';
import { HttpError, badRequest } from './errors.js';
import type { OrgDirectory } from './org.js';

/** Where a case lies (its squad) and is handled (its assigned unit), and the channel it came through. */
export const caseTarget = (view: CaseView): Target => ({ units: [view.assignedUnitPath, view.squadPath], channel: view.channel });

/** 403 unless the table lets the principal take `operation` on the case. */
export function assertMayOnCase(principal: Principal, operation: Operation, view: CaseView): void {
  const why = refusal(principal, operation, caseTarget(view));
  if (why) throw new HttpError(403, `case ${view.id}: ${why}`);
}

/** Whether the principal sees the citizen's name and phone, and the case's text, unmasked. */
export function seesCitizen(principal: Principal | undefined, view: CaseView): boolean {
  return principal !== undefined && refusal(principal, 'citizen.read', caseTarget(view)) === undefined;
}

/**
 * What a reader is shown of the citizen: everything where the table gives `citizen.read`; nothing at all
 * to a reporter (the press: its screens and stories never carry a name or phone, not even in part);
 * masked to every other reader (enough to recognise the citizen on the phone).
 */
export function concealmentFor(principal: Principal | undefined, view: CaseView): Concealment | undefined {
  if (seesCitizen(principal, view)) return undefined;
  return principal?.role === 'reporter' ? 'hidden' : 'masked';
}

// The case's free text: where a citizen's number or name may have been written.
const TEXT_FIELDS = ['title', 'description', 'explanation', 'resolution', 'instructions', 'feedback', 'returnReason'] as const;

/** The case as a reader without `citizen.read` sees it: the citizen masked (or left out), numbers and name in its text too. */
export function maskedCase(view: CaseView, how: Concealment = 'masked'): CaseView {
  const { citizen, ...rest } = view;
  const redact = (text: string) => redactText(text, citizen, how);
  // The tracking code is the citizen's own key to the case (its public page, the rating): not for others.
  const out: CaseView = { ...rest, trackingCode: mask(view.trackingCode, 2, 0), ...(citizen && how === 'masked' ? { citizen: maskCitizen(citizen) } : {}) };
  out.location = { ...view.location, address: redact(view.location.address) };
  if (view.attachments) out.attachments = view.attachments.map((a) => (a.name ? { ...a, name: redact(a.name) } : a));
  for (const field of TEXT_FIELDS) {
    const text = view[field];
    if (text !== undefined) out[field] = redact(text);
  }
  const media = view.media;
  out.media = {
    ...media,
    ...(media.title !== undefined ? { title: redact(media.title) } : {}),
    ...(media.body !== undefined ? { body: redact(media.body) } : {}),
    ...(media.comments !== undefined ? { comments: redact(media.comments) } : {}),
  };
  if (view.rating?.comment !== undefined) out.rating = { ...view.rating, comment: redact(view.rating.comment) };
  // The suggestion's reasons quote the text and the address: masked as they are.
  if (view.suggestion) out.suggestion = { ...view.suggestion, reasons: view.suggestion.reasons.map((r) => ({ ...r, text: redact(r.text) })) };
  return out;
}

/**
 * The unit a list or count covers, checked against `operation`: the one asked for, where the table lets
 * the principal reach it; by default its own unit (none, that is every case, for the city and for roles
 * the table lets reach anywhere).
 */
export async function unitInScope(org: OrgDirectory, principal: Principal, operation: Operation, requested: string | undefined) {
  const reachesAnywhere = refusal(principal, operation, { units: [] }) === undefined;
  const id = requested ?? (isBelowCity(principal.unitPath) && !reachesAnywhere ? principal.unitId : undefined);
  if (!id) return undefined;
  const row = await org.unit(id);
  if (!row) throw badRequest(`no unit "${id}": GET /v1/units lists them`, 'querystring.unit');
  const why = refusal(principal, operation, { units: [row.path] });
  if (why) throw new HttpError(403, `unit ${row.id}: ${why}`);
  return { id: row.id, kind: row.kind };
}
