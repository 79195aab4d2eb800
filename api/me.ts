// Who the caller is, and what the authorisation table lets its role do where: the console shows only
// the buttons and pages the role may use (the API still checks every request).

import type { Principal } from '../db/queries/principals.js';
import { ACCESS, OPERATIONS, type Operation, type Relation } from '../domain/access.js';
import { HttpError } from './errors.js';
import type { OrgDirectory } from './org.js';

export interface Me {
  id: string;
  name: string;
  role: Principal['role'];
  channel?: Principal['channel'];
  unit: { id: string; name: string; path: string; kind: 'city' | 'district' | 'squad' };
  may: Partial<Record<Operation, Relation[]>>;
}

export async function describePrincipal(org: OrgDirectory, principal: Principal): Promise<Me> {
  const unit = await org.unit(principal.unitId);
  if (!unit) throw new HttpError(503, `the unit ${principal.unitId} of this key is not in the organisation yet; retry shortly`);
  const may = Object.fromEntries(OPERATIONS.flatMap((op) => (ACCESS[op][principal.role]?.length ? [[op, [...ACCESS[op][principal.role]!]]] : [])));
  return {
    id: principal.id,
    name: principal.name,
    role: principal.role,
    ...(principal.channel ? { channel: principal.channel } : {}),
    unit: { id: unit.id, name: unit.name, path: unit.path, kind: unit.kind },
    may,
  };
}
