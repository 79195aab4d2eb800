// OpenTelemetry traces across the processes: an API request (Fastify's instrumentation, @fastify/otel)
// → the Temporal client call it makes (start or update, @temporalio/interceptors-opentelemetry) → the
// workflow's handling of it and the activities it schedules, the projection first → the activity in the
// worker. One trace per request, sent over OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT.
//
// Off unless that is set: nothing here is even loaded, the Temporal client carries no trace headers, and
// the workflows — whose interceptors trace only calls that carry one (platform/workflow-tracing.ts) — do
// nothing either. The OpenTelemetry packages are the 1.x SDK the Temporal interceptors are built on.

import os from 'node:os';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { FastifyPluginCallback } from 'fastify';
import type { Logger } from 'pino';

export interface TracingSettings {
  /** The OTLP/HTTP receiver's base URL; spans go to …/v1/traces. Unset: no tracing. */
  endpoint?: string;
  serviceName: string;
}

export function tracingSettings(config: { OTEL_EXPORTER_OTLP_ENDPOINT?: string; OTEL_SERVICE_NAME?: string }, role: 'api' | 'worker'): TracingSettings {
  return { endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME ?? `bangnong-${role}` };
}

/** What a worker adds to its options to trace: the activity interceptors and the workflows' span sink. */
export interface WorkerTracing {
  interceptors: Pick<NonNullable<WorkerOptions['interceptors']>, 'activity'>;
  sinks: InjectedSinks<OpenTelemetrySinks>;
}

export interface Tracing {
  /** Fastify's instrumentation: register it before any route (api/server.ts). */
  fastifyPlugin: FastifyPluginCallback;
  /** For the API's Temporal client: each start, update and query carries the request's trace. */
  clientInterceptors: { workflow: WorkflowClientInterceptor[] };
  worker: WorkerTracing;
  /** Sends what is buffered and stops; call once, as the process ends. */
  shutdown(): Promise<void>;
}

/**
 * A worker that does not trace still registers the sink the workflows' interceptors would call, dropping
 * what reaches it: the bundle always holds the interceptors (platform/bundle.ts), and a workflow traced by
 * one worker may be replayed by another.
 */
export const UNTRACED_WORKER: WorkerTracing = {
  interceptors: { activity: [] },
  sinks: { exporter: { export: { fn: () => {}, callDuringReplay: false } } },
};

/** Routes that would only fill the traces with probes and scrapes. */
const UNTRACED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Starts tracing for this process when an endpoint is set: registers the global tracer provider (with
 * the W3C trace-context propagator and async-hooks context), and returns what the API and the worker
 * plug in. Returns undefined, loading nothing, when it is not.
 */
export async function startTracing(settings: TracingSettings, log: Logger): Promise<Tracing | undefined> {
  if (!settings.endpoint) return undefined;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { Resource }, { OTLPTraceExporter }, { FastifyOtelInstrumentation }, client, worker] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@fastify/otel'),
    import('@temporalio/interceptors-opentelemetry/lib/client/index.js'),
    import('@temporalio/interceptors-opentelemetry/lib/worker/index.js'),
  ]);
  // OTEL_RESOURCE_ATTRIBUTES and the SDK's own attributes, then the service's name and this process, so two
  // workers (or API instances) of one service are told apart.
  const resource = Resource.default().merge(new Resource({ 'service.name': settings.serviceName, 'service.instance.id': `${os.hostname()}:${process.pid}` }));
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const processor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();

  const fastifyOtel = new FastifyOtelInstrumentation({ ignorePaths: (route: { url: string }) => UNTRACED_ROUTES.has(route.url) });
  log.info({ endpoint: settings.endpoint, serviceName: settings.serviceName }, 'sending OpenTelemetry traces over OTLP/HTTP');
  return {
    fastifyPlugin: fastifyOtel.plugin() as FastifyPluginCallback,
    clientInterceptors: { workflow: [new client.OpenTelemetryWorkflowClientInterceptor()] },
    worker: {
      interceptors: {
        activity: [(ctx) => ({ inbound: new worker.OpenTelemetryActivityInboundInterceptor(ctx), outbound: new worker.OpenTelemetryActivityOutboundInterceptor(ctx) })],
      },
      sinks: { exporter: worker.makeWorkflowExporter(processor, resource) },
    },
    shutdown: async () => {
      await provider.shutdown().catch((err: unknown) => log.warn({ err }, 'traces not all sent at shutdown'));
    },
  };
}
