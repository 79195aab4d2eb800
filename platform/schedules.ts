// The duty schedules in Temporal: a weekly check of every workstation's liaison visits and a monthly check
// of every squad's released publicity, each a Temporal Schedule that starts `dutyCheckWorkflow` in the
// Asia/Shanghai time zone. They live in Temporal, so they survive restarts of every process here; the
// worker makes sure of them at each start (worker/main.ts): created when missing, updated to the policy's
// times and thresholds when present — never a second one, since a schedule's id is stable. Past periods
// are checked by `backfillDuties` (./bangnong duties backfill), one run per period.

import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Logger } from 'pino';
import type { ShortfallKind } from '../domain/duties.js';
import { type Period, shanghaiDay, shanghaiMonthsStartingIn, shanghaiWeeksStartingIn } from '../domain/periods.js';
import type { DutyCheckInput, DutyCheckResult } from '../workflows/duties.js';
import { type DutiesPolicy, thresholdsOf } from './duties-policy.js';

export const DUTY_TIME_ZONE = 'Asia/Shanghai';
export const DUTY_WORKFLOW = 'dutyCheckWorkflow';
const KINDS: readonly ShortfallKind[] = ['weekly_visits', 'monthly_publicity'];

/**
 * The schedules' ids: stable for a deployment, and one pair per task queue, since a schedule starts its
 * runs on one (test runs side by side on one Temporal, each with its own queue and schedules).
 */
export const dutyScheduleId = (taskQueue: string, kind: ShortfallKind): string =>
  `${taskQueue}-duty-${kind === 'weekly_visits' ? 'weekly-visits' : 'monthly-publicity'}`;

/** What each schedule is: when it fires (Shanghai wall-clock), what it starts and how. */
export function dutySchedule(taskQueue: string, kind: ShortfallKind, policy: DutiesPolicy): Omit<ScheduleOptions, 'scheduleId'> {
  const input: DutyCheckInput = { kind, thresholds: thresholdsOf(policy) };
  const calendar =
    kind === 'weekly_visits'
      ? { dayOfWeek: policy.weekly.schedule.dayOfWeek, hour: policy.weekly.schedule.hour, minute: policy.weekly.schedule.minute, comment: 'the previous week\'s liaison visits, every workstation' }
      : { dayOfMonth: policy.monthly.schedule.dayOfMonth, hour: policy.monthly.schedule.hour, minute: policy.monthly.schedule.minute, comment: 'the previous month\'s released publicity, every squad' };
  return {
    spec: { calendars: [calendar], timezone: DUTY_TIME_ZONE },
    action: {
      type: 'startWorkflow',
      workflowType: DUTY_WORKFLOW,
      workflowId: dutyScheduleId(taskQueue, kind),
      taskQueue,
      args: [input],
      // Nothing waits forever: a run that cannot finish in a day (a webhook down all day) is given up; the
      // next run, or a backfill, records what it missed (the shortfalls are kept once either way).
      workflowExecutionTimeout: '1 day',
    },
    policies: {
      // Runs missed while Temporal was down are taken when it is back, one after another, each checking the
      // period before the time it was due.
      overlap: ScheduleOverlapPolicy.BUFFER_ALL,
      catchupWindow: '35 days',
    },
  };
}

export type ScheduleOutcome = 'created' | 'updated';

/**
 * Creates the two duty schedules, or updates them to the policy when they exist. Any number of workers
 * may run this at once: a create that finds the schedule there becomes an update, which is idempotent.
 */
export async function ensureDutySchedules(
  client: Client,
  { taskQueue, policy, log }: { taskQueue: string; policy: DutiesPolicy; log?: Logger },
): Promise<{ scheduleId: string; outcome: ScheduleOutcome }[]> {
  const results: { scheduleId: string; outcome: ScheduleOutcome }[] = [];
  for (const kind of KINDS) {
    const scheduleId = dutyScheduleId(taskQueue, kind);
    const wanted = dutySchedule(taskQueue, kind, policy);
    let outcome: ScheduleOutcome = 'created';
    try {
      await client.schedule.create({ scheduleId, ...wanted });
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
      outcome = 'updated';
      // Its state (paused, a note) is an operator's: kept as it is.
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...wanted, state: { paused: previous.state.paused, note: previous.state.note } }));
    }
    log?.info({ scheduleId, outcome, timezone: DUTY_TIME_ZONE }, `duty schedule ${outcome}`);
    results.push({ scheduleId, outcome });
  }
  return results;
}

/** The periods of a kind that lie in a range of days: the weeks whose Monday, or the months whose 1st, is in it. */
export function periodsIn(kind: ShortfallKind, range: Period): Period[] {
  return kind === 'weekly_visits' ? shanghaiWeeksStartingIn(range) : shanghaiMonthsStartingIn(range);
}

export interface BackfillRun {
  kind: ShortfallKind;
  workflowId: string;
  period: Period;
  result?: DutyCheckResult;
  /** Why the period was not checked: it has not ended yet. */
  skipped?: string;
}

/**
 * Checks past periods now: for each week (or month) in the range that has ended, the check workflow with
 * that period named, one after another. Each period's run has its own workflow id, so a backfill run again
 * checks again — and records nothing twice. Started directly rather than through the schedule's backfill:
 * the period is then the run's input, not worked out from a time, and the command can say what each found.
 */
export async function backfillDuties(
  client: Client,
  { taskQueue, policy, range, kinds = KINDS, now = new Date(), onRun }: { taskQueue: string; policy: DutiesPolicy; range: Period; kinds?: readonly ShortfallKind[]; now?: Date; onRun?: (run: BackfillRun) => void },
): Promise<BackfillRun[]> {
  const runs: BackfillRun[] = [];
  for (const kind of kinds) {
    for (const period of periodsIn(kind, range)) {
      const workflowId = `${dutyScheduleId(taskQueue, kind)}-backfill-${shanghaiDay(period.start)}`;
      const run: BackfillRun = { kind, workflowId, period };
      if (period.end > now) {
        run.skipped = `it ends ${period.end.toISOString()}, still to come`;
      } else {
        const input: DutyCheckInput = { kind, thresholds: thresholdsOf(policy), period: { start: period.start.toISOString(), end: period.end.toISOString() } };
        const handle = await client.workflow.start(DUTY_WORKFLOW, {
          workflowId,
          taskQueue,
          args: [input],
          workflowExecutionTimeout: '1 day',
          // A run of this period still going is joined; a finished one is run again (it records nothing twice).
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        run.result = (await handle.result()) as DutyCheckResult;
      }
      runs.push(run);
      onRun?.(run);
    }
  }
  return runs;
}
