// One run of a duty check (seeds 000, 001): every workstation's visits in the previous Asia/Shanghai week,
// or every squad's released publicity in the previous month, checked against the thresholds it was given,
// and each shortfall recorded and told to the squad's supervisors. The schedules (platform/schedules.ts)
// start one run per kind and period; a backfill (cli/duties.ts) starts one with its period named.
//
// One run pages through all workstations (500 at a time, in id order) rather than one schedule per
// workstation: at city scale that is a dozen activities a week instead of 6,000 schedules to create, keep
// in step with the organisation and list. A very long run continues as new, carrying where it got to.

import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { continueAsNew, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import { type DutyThresholds, type ShortfallKind, periodChecked } from '../domain/duties.js';
import { shanghaiDay } from '../domain/periods.js';

export interface DutyCheckInput {
  kind: ShortfallKind;
  /** What the check holds them to: it travels in the input, so replay never depends on a file that changed. */
  thresholds: DutyThresholds;
  /** The period to check (ISO instants, end exclusive); absent for a scheduled run: the period before the one it was scheduled in. */
  period?: { start: string; end: string };
  /** How many to check per activity. */
  pageSize?: number;
  /** Where a run that continued as new got to. */
  progress?: { after: string; checked: number; short: number; created: number };
}

export interface DutyCheckResult {
  kind: ShortfallKind;
  period: { start: string; end: string };
  /** Workstations (or squads) checked, how many fell short, and how many of those shortfalls are new. */
  checked: number;
  short: number;
  created: number;
}

const DEFAULT_PAGE_SIZE = 500;

const { checkDutyPage } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Messages leave through the outbox's own activity, retried for as long as a webhook needs, beside the paging.
const { deliverNotifications } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

/** Set by Temporal on every run a schedule starts: the time it was due, a backfilled or buffered run's too. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** When this run was due: the schedule's time for a scheduled run, else when it started. */
function dueAt(): Date {
  const info = workflowInfo();
  const typed = info.typedSearchAttributes.get(SCHEDULED_START);
  if (typed) return typed;
  // Older servers send it without its type: the untyped map then has it as a Date or an ISO string.
  const untyped = info.searchAttributes?.TemporalScheduledStartTime?.[0];
  if (untyped instanceof Date) return untyped;
  if (typeof untyped === 'string' && !Number.isNaN(Date.parse(untyped))) return new Date(untyped);
  return info.startTime;
}

export async function dutyCheckWorkflow(input: DutyCheckInput): Promise<DutyCheckResult> {
  const { kind, thresholds } = input;
  const period = input.period ?? (({ start, end }) => ({ start: start.toISOString(), end: end.toISOString() }))(periodChecked(kind, dueAt()));
  const limit = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const totals = { checked: input.progress?.checked ?? 0, short: input.progress?.short ?? 0, created: input.progress?.created ?? 0 };
  let after = input.progress?.after;
  const deliveries: Promise<number>[] = [];
  const day = shanghaiDay(new Date(period.start));

  for (;;) {
    const page = await checkDutyPage({ kind, period, thresholds, after, limit });
    totals.checked += page.checked;
    totals.short += page.short;
    totals.created += page.created;
    // Delivered beside the paging: a slow webhook holds up no page.
    if (page.undelivered.length > 0) deliveries.push(deliverNotifications({ caseId: `duty-check:${kind}:${day}`, ids: page.undelivered }));
    if (!page.next) break;
    after = page.next;
    if (workflowInfo().continueAsNewSuggested) {
      await Promise.all(deliveries);
      await continueAsNew<typeof dutyCheckWorkflow>({ ...input, period, progress: { after, ...totals } });
    }
  }
  await Promise.all(deliveries);
  log.info('duty check done', { kind, period: day, ...totals });
  return { kind, period, ...totals };
}
