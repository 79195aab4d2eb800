// Connections to Temporal, for the API (client) and the worker (native), from one set of settings:
// the embedded dev server by default, any cluster through TEMPORAL_ADDRESS, TLS and an API key.

import { readFileSync } from 'node:fs';
import { Client, type ClientInterceptors, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import type { Logger } from 'pino';
import { SEARCH_ATTRIBUTES } from '../workflows/messages.js';

export interface TemporalSettings {
  address: string;
  namespace: string;
  tls: boolean;
  tlsCert?: string;
  tlsKey?: string;
  apiKey?: string;
}

export function temporalSettings(config: {
  TEMPORAL_ADDRESS?: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_TLS: boolean;
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
  TEMPORAL_API_KEY?: string;
}): TemporalSettings {
  return {
    address: config.TEMPORAL_ADDRESS!,
    namespace: config.TEMPORAL_NAMESPACE,
    tls: config.TEMPORAL_TLS,
    tlsCert: config.TEMPORAL_TLS_CERT,
    tlsKey: config.TEMPORAL_TLS_KEY,
    apiKey: config.TEMPORAL_API_KEY,
  };
}

function tlsOptions(s: TemporalSettings) {
  if (!s.tls && !s.tlsCert && !s.apiKey) return undefined;
  if (s.tlsCert && s.tlsKey) return { clientCertPair: { crt: readFileSync(s.tlsCert), key: readFileSync(s.tlsKey) } };
  return true as const;
}

/** `interceptors`: the tracing ones when traces are on (platform/telemetry.ts), so each call carries its request's trace. */
export async function connectClient(s: TemporalSettings, interceptors?: ClientInterceptors): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: s.address, tls: tlsOptions(s), apiKey: s.apiKey, connectTimeout: '10s' });
  return { client: new Client({ connection, namespace: s.namespace, ...(interceptors && { interceptors }) }), connection };
}

export async function connectWorker(s: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect({ address: s.address, tls: tlsOptions(s), apiKey: s.apiKey });
}

/**
 * Registers the case search attributes on a namespace that lacks them (a new cluster). Needs operator
 * rights; where the cluster refuses (Temporal Cloud takes them through its own tools), says what to add.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string, log: Logger): Promise<void> {
  const wanted = Object.values(SEARCH_ATTRIBUTES);
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = wanted.filter((key) => !customAttributes?.[key.name]);
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
    });
    log.info({ namespace, added: missing.map((k) => k.name) }, 'registered the case search attributes');
  } catch (err) {
    log.warn(
      { err, namespace },
      `could not check or register the search attributes; register them on the namespace yourself: ${wanted.map((k) => `${k.name} (${k.type})`).join(', ')}`,
    );
  }
}

let runtimeInstalled = false;

/** Where a worker serves its own Temporal metrics for Prometheus (WORKER_METRICS_HOST, WORKER_METRICS_PORT). */
export interface WorkerMetricsSettings {
  host: string;
  port: number;
}

/**
 * Routes the SDK's and the workflows' logs into pino, with their metadata (caseId, workflowId) as fields;
 * with `metrics`, also serves the process's Temporal metrics — the SDK's own (task latencies, slots, the
 * sticky cache, polls) and the workflows' (bangnong_deadlines_beyond_calendar) — at http://host:port/metrics.
 */
export function installTemporalLogging(log: Logger, metrics?: WorkerMetricsSettings): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const emit = (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') => (message: string, meta?: Record<string, unknown>) => log[level](meta ?? {}, message);
  Runtime.install({
    logger: {
      log: (level, message, meta) => emit(level.toLowerCase() as 'info')(message, meta),
      trace: emit('trace'),
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
    },
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      // The SDK's own names and units (durations in milliseconds), as Temporal's documentation and dashboards use them.
      ...(metrics && { metrics: { prometheus: { bindAddress: `${metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host}:${metrics.port}` } } }),
    },
  });
  if (metrics) log.info({ url: `http://${metrics.host}:${metrics.port}/metrics` }, 'serving the worker\'s Temporal metrics for Prometheus');
}
