// Readiness: the API serves only while both Postgres and Temporal answer.

import { sql } from 'drizzle-orm';
import type { CaseServiceDeps } from './cases.js';

/** Each backing service's state: 'ok', or why it did not answer. */
export async function readiness(deps: Pick<CaseServiceDeps, 'db' | 'temporal'>) {
  const [postgres, temporal] = await Promise.all([
    deps.db.execute(sql`select 1`).then(() => 'ok', (e: Error) => e.message),
    deps.temporal.connection.workflowService.getSystemInfo({}).then(() => 'ok', (e: Error) => e.message),
  ]);
  return { ready: postgres === 'ok' && temporal === 'ok', postgres, temporal };
}
