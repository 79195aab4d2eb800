// The workflow side of tracing (platform/telemetry.ts), bundled into the workflow sandbox by
// platform/bundle.ts: Temporal's OpenTelemetry workflow interceptors, run only for calls that carry a
// trace. A start, update or signal from an API with tracing on carries the `_tracer-data` header; without
// it every call passes straight through, so a deployment without OTLP pays nothing, and the stored
// histories replay as they ran. Headers are in the history, so a replay takes the same path.
//
// One addition: a case's projection runs in its own loop, not in the update that caused it, so the
// activity it schedules is traced as a child of the update being handled (the latest, when several are),
// and an action's trace shows the projection it waits for.

import * as otel from '@opentelemetry/api';
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type { WorkflowInboundCallsInterceptor, WorkflowInterceptorsFactory, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';

const carriesTrace = (headers: Record<string, unknown>) => TRACE_HEADER in headers;

export const interceptors: WorkflowInterceptorsFactory = () => {
  const otelIn = new OpenTelemetryInboundInterceptor();
  const otelOut = new OpenTelemetryOutboundInterceptor();
  /** The trace contexts of the traced updates being handled, latest last. */
  const updates: otel.Context[] = [];

  const inbound: WorkflowInboundCallsInterceptor = {
    execute: (input, next) => (carriesTrace(input.headers) ? otelIn.execute(input, next) : next(input)),
    handleSignal: (input, next) => (carriesTrace(input.headers) ? otelIn.handleSignal(input, next) : next(input)),
    validateUpdate: (input, next) => (carriesTrace(input.headers) ? otelIn.validateUpdate(input, next) : next(input)),
    handleUpdate: (input, next) => {
      if (!carriesTrace(input.headers)) return next(input);
      return otelIn.handleUpdate(input, async (traced) => {
        const context = otel.context.active();
        updates.push(context);
        try {
          return await next(traced);
        } finally {
          updates.splice(updates.indexOf(context), 1);
        }
      });
    },
  };

  /** Traces an outgoing call in the latest update's trace, else in the current one; untraced without either. */
  const traced = <T>(call: () => Promise<T>, untraced: () => Promise<T>): Promise<T> => {
    const update = updates.at(-1);
    if (update) return otel.context.with(update, call);
    return otel.trace.getSpan(otel.context.active()) ? call() : untraced();
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => traced(() => otelOut.scheduleActivity(input, next), () => next(input)),
    scheduleLocalActivity: (input, next) => traced(() => otelOut.scheduleLocalActivity(input, next), () => next(input)),
    signalWorkflow: (input, next) => traced(() => otelOut.signalWorkflow(input, next), () => next(input)),
    startChildWorkflowExecution: (input, next) => traced(() => otelOut.startChildWorkflowExecution(input, next), () => next(input)),
    getLogAttributes: (input, next) => otelOut.getLogAttributes(input, next),
  };

  return { inbound: [inbound], outbound: [outbound], internals: [new OpenTelemetryInternalsInterceptor()] };
};
