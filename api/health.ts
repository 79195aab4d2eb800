// Readiness: the API serves only while both Postgres and Temporal answer. It also says how far the
// working-day calendar reaches (domain/calendar.ts): a calendar running out never makes the API unready
// — cases are still taken, their deadlines counted Monday to Friday past its end — but it is reported
// here, logged at start and counted by the workers, so the next year's holidays go in before it matters.

import { sql } from 'drizzle-orm';
import { calendarOutlook } from '../domain/calendar.js';
import type { CaseServiceDeps } from './cases.js';

/** Days before the calendar's last day from which it is reported as running out (CALENDAR_WARN_DAYS). */
export const DEFAULT_CALENDAR_WARN_DAYS = 60;

/** Each backing service's state: 'ok', or why it did not answer; and the calendar's outlook. */
export async function readiness(deps: Pick<CaseServiceDeps, 'db' | 'temporal' | 'policy'>, calendarWarnDays = DEFAULT_CALENDAR_WARN_DAYS) {
  const [postgres, temporal] = await Promise.all([
    deps.db.execute(sql`select 1`).then(() => 'ok', (e: Error) => e.message),
    deps.temporal.connection.workflowService.getSystemInfo({}).then(() => 'ok', (e: Error) => e.message),
  ]);
  const calendar = calendarOutlook(deps.policy, new Date(), calendarWarnDays);
  return { ready: postgres === 'ok' && temporal === 'ok', postgres, temporal, calendar };
}
