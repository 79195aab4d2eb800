// A workflow interceptor that flags deadlines past the working-day calendar (domain/calendar.ts). The
// case, suggestion and publicity workflows carry the calendar they were filed under in their input's
// policy and hand every state they reach to their projection (a local activity): this watches both, and
// each deadline of a projected state that falls past the calendar's last covered year is logged once,
// with the record's id, and counted (bangnong_deadlines_beyond_calendar, on the worker's metrics).
//
// Deterministic as workflow code must be, and free of effects on the history: the workflow logger and
// metric meter emit nothing while a history is replayed, and the projection's input passes unchanged.

import { type WorkflowInterceptorsFactory, log, metricMeter, workflowInfo } from '@temporalio/workflow';
import { calendarCoversThrough, calendarDay } from '../domain/calendar.js';
import type { Calendar } from '../domain/policy.js';

export const DEADLINES_BEYOND_CALENDAR = 'bangnong_deadlines_beyond_calendar';

/** The deadlines of a projected state: its `…deadlineAt` fields, at the top and one level down (media). */
function deadlinesOf(snapshot: Record<string, unknown>): { field: string; at: string }[] {
  const found: { field: string; at: string }[] = [];
  const scan = (o: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(o)) {
      if (typeof value === 'string' && /deadlineAt$/i.test(key)) found.push({ field: prefix + key, at: value });
      else if (!prefix && value && typeof value === 'object' && !Array.isArray(value)) scan(value as Record<string, unknown>, `${key}.`);
    }
  };
  scan(snapshot, '');
  return found;
}

function calendarOf(arg: unknown): Calendar | undefined {
  const calendar = (arg as { policy?: { calendar?: Calendar } } | undefined)?.policy?.calendar;
  return calendar && Array.isArray(calendar.holidays) && Array.isArray(calendar.workdays) ? calendar : undefined;
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  let calendar: Calendar | undefined;
  /** Its last covered day, found once: an empty calendar covers nothing. */
  let coversThrough = '';
  /** Deadlines already flagged, by field and instant: an unchanged deadline is not flagged again. */
  const flagged = new Set<string>();
  return {
    inbound: [
      {
        execute: (input, next) => {
          calendar = calendarOf(input.args[0]);
          coversThrough = calendar ? (calendarCoversThrough(calendar) ?? '') : '';
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleLocalActivity: (input, next) => {
          const snapshot = (input.args[0] as { snapshot?: Record<string, unknown> } | undefined)?.snapshot;
          if (calendar && snapshot && typeof snapshot === 'object') {
            for (const { field, at } of deadlinesOf(snapshot)) {
              const key = `${field}@${at}`;
              if (flagged.has(key) || calendarDay(calendar, at) <= coversThrough) continue;
              flagged.add(key);
              const { workflowType } = workflowInfo();
              log.warn(
                `a deadline falls past the working-day calendar, which covers through ${coversThrough || 'no date at all'}: counted Monday to Friday, it may land on a holiday; add the next year to the calendar (README "The working-day calendar")`,
                { caseId: snapshot.id, workflowType, field, deadlineAt: at, coversThrough },
              );
              metricMeter
                .createCounter(DEADLINES_BEYOND_CALENDAR, 'deadlines', 'Deadlines computed past the last day the working-day calendar covers')
                .add(1, { field });
            }
          }
          return next(input);
        },
      },
    ],
  };
};
