// What a principal may see. The city sees every case; a principal below it reads, lists and counts only
// the cases handled in or lying in its own unit (a prefix test on the unit path), and 403 says so.

import type { Principal } from '../db/queries/principals.js';
import type { CaseView } from '../domain/case.js';
import { isBelowCity, isWithin } from '../domain/units.js';
import { HttpError, badRequest } from './errors.js';
import type { OrgDirectory } from './org.js';

/** The unit a list or count covers: the one asked for, inside the principal's own; below the city, its own by default. */
export async function unitInScope(org: OrgDirectory, principal: Principal, requested: string | undefined) {
  const scope = isBelowCity(principal.unitPath) ? principal.unitId : undefined;
  const id = requested ?? scope;
  if (!id) return undefined;
  const row = await org.unit(id);
  if (!row) throw badRequest(`no unit "${id}": GET /v1/units lists them`, 'querystring.unit');
  if (scope && !isWithin(row.path, principal.unitPath)) throw new HttpError(403, `unit ${row.id} lies outside your unit ${principal.unitId}`);
  return { id: row.id, kind: row.kind };
}

/** Refuses a case unless the principal's unit covers where it is handled or where it lies. */
export function assertCaseVisible(view: CaseView, principal: Principal): void {
  const covers = (path: string | undefined) => path !== undefined && isWithin(path, principal.unitPath);
  if (!covers(view.assignedUnitPath) && !covers(view.squadPath)) throw new HttpError(403, `case ${view.id} lies outside your unit ${principal.unitId}`);
}
