// The worker process: runs case workflows and their activities from the task queue. Start as many as
// the load needs, on any machines that reach Temporal and Postgres: Temporal spreads the work.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { connectDatabase } from '../db/client.js';
import { ConfigError, fileSettings, loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { openFileStore } from '../platform/storage.js';
import { loadDutiesPolicy } from '../platform/duties-policy.js';
import { ensureDutySchedules } from '../platform/schedules.js';
import { connectClient, connectWorker, installTemporalLogging, temporalSettings } from '../platform/temporal.js';
import { startTracing, tracingSettings } from '../platform/telemetry.js';
import { createCaseWorker, sendersFromConfig } from './worker.js';

async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'worker');
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new ConfigError('the worker needs DATABASE_URL and TEMPORAL_ADDRESS; `./bangnong up` sets both for the embedded defaults');
  }
  // WORKER_METRICS_PORT: this worker's Temporal metrics for Prometheus (each worker on a machine its own port).
  installTemporalLogging(log, config.WORKER_METRICS_PORT ? { host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT } : undefined);
  const tracing = await startTracing(tracingSettings(config, 'worker'), log);
  // Checked before anything starts: a wrong duties policy stops the worker, naming the field.
  const dutiesPolicy = loadDutiesPolicy(config.DUTIES_POLICY_FILE);
  const database = connectDatabase(config.DATABASE_URL, { max: config.DB_POOL_SIZE });
  const connection = await connectWorker(temporalSettings(config));
  // A prebuilt bundle keeps webpack out of the worker: faster start, and its memory peak stays away.
  const workflowBundle = config.WORKFLOW_BUNDLE ? { code: readFileSync(config.WORKFLOW_BUNDLE, 'utf8') } : undefined;
  const worker = await createCaseWorker({
    workflowBundle,
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    db: database.db,
    log,
    senders: sendersFromConfig(log, config),
    // The same store as the API's (FILES_DIR, or the FILES_S3_* bucket): erasing a case's personal data deletes its files there.
    store: await openFileStore(fileSettings(config)),
    identity: `bangnong-worker-${process.pid}@${os.hostname()}`,
    tracing: tracing?.worker,
    tuning: {
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentLocalActivityExecutions: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    },
  });
  // The duty schedules run their checks on this task queue: every deployment runs a worker, so each start
  // makes sure of them — created when missing, updated to the policy when present (platform/schedules.ts).
  {
    const { client, connection: clientConnection } = await connectClient(temporalSettings(config));
    try {
      await ensureDutySchedules(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, policy: dutiesPolicy, log });
    } finally {
      await clientConnection.close();
    }
  }
  log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker polling');
  // Worker.run resolves after SIGINT/SIGTERM (the SDK's shutdown signals) once in-flight tasks finish.
  await worker.run();
  await connection.close();
  await database.close();
  await tracing?.shutdown();
  log.info('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
