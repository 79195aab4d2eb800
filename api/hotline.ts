// The 12345 hotline's push of one work order: the record in the platform's own shape, mapped to our
// intake by the same mapping as the import command (platform/hotline-mapping.ts), then filed like any complaint —
// the same case for the same work-order number.

import type { ZodError } from 'zod';
import type { Principal } from '../db/queries/principals.js';
import type { CaseView } from '../domain/case.js';
import { type HotlineMapping, columnOf, mapWorkOrder } from '../platform/hotline-mapping.js';
import { type CaseServiceDeps, fileCase } from './cases.js';
import { HttpError } from './errors.js';
import { intakeSchema } from './schemas.js';

type Issue = { path: string; message: string };

/** 400 naming each bad column as the record names it (`body.诉求类别`). */
function refused(issues: Issue[]): HttpError {
  return new HttpError(400, `the work order cannot be filed: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

const columnIssues = (m: HotlineMapping, error: ZodError): Issue[] =>
  error.issues.map((i) => ({ path: `body.${columnOf(m, i.path.join('.'))}`, message: i.message }));

/** Files one pushed work order: 400 naming the column at fault, else the case, created now or before. */
export async function fileWorkOrder(
  deps: CaseServiceDeps,
  mapping: HotlineMapping,
  record: Record<string, unknown>,
  principal: Principal,
): Promise<{ created: boolean; view: CaseView }> {
  const mapped = mapWorkOrder(mapping, record);
  if (!mapped.ok) throw refused(mapped.problems.map((p) => ({ path: `body.${p.column}`, message: p.message })));
  // The intake's own rules (lengths, text a database can store) hold for a pushed record too.
  const intake = intakeSchema.safeParse(mapped.intake);
  if (!intake.success) throw refused(columnIssues(mapping, intake.error));
  return fileCase(deps, intake.data, principal);
}
