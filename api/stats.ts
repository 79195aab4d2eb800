// Statistics a principal asks for: counts and times of the cases filed in a period, by one dimension,
// within its unit.

import { STATS_DIMENSIONS, type StatsDimension, caseStats } from '../db/queries/cases.js';
import type { Principal } from '../db/queries/principals.js';
import type { CaseServiceDeps } from './cases.js';
import { unitInScope } from './access.js';

export { STATS_DIMENSIONS };

export interface StatsQuery {
  by: StatsDimension;
  unit?: string;
  from?: string;
  to?: string;
}

export async function statsFor(deps: CaseServiceDeps, principal: Principal, q: StatsQuery) {
  const unit = await unitInScope(deps.org, principal, 'stats.read', q.unit);
  // A key bound to one channel counts that channel's cases only.
  const groups = await caseStats(deps.db, { by: q.by, from: q.from, to: q.to, unit, channel: principal.channel });
  return { by: q.by, unit: unit?.id, from: q.from, to: q.to, groups };
}
