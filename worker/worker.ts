// Wires the case worker: real activities over the db and senders, the workflow bundle, and the
// options chosen from the benchmarks (see README "Benchmarks").

import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities/index.js';
import { LogSender, type SenderRouting } from '../activities/senders.js';
import type { Db } from '../db/client.js';
import { bundleWorkflows } from '../platform/bundle.js';
import { type DeliverySettings, deliverySettings, fileSettings, loadConfig } from '../platform/config.js';
import { type FileStore, openFileStore } from '../platform/storage.js';
import { UNTRACED_WORKER, type WorkerTracing } from '../platform/telemetry.js';


export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  log: Logger;
  senders?: SenderRouting;
  /** Where uploaded files are kept (erasure deletes a case's); by default the API's local store, FILES_DIR. */
  store?: FileStore;
  /** How long a message is retried before the dead-letter list; by default DELIVERY_GIVE_UP_AFTER. */
  delivery?: DeliverySettings;
  /** A prebuilt bundle (tests build one for the whole suite); otherwise the workflows are bundled now. */
  workflowBundle?: { code: string };
  tuning?: Partial<Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentLocalActivityExecutions' | 'maxConcurrentActivityTaskExecutions'>>;
  identity?: string;
  /** Activity interceptors and the workflows' span sink when tracing is on (platform/telemetry.ts); unset, none. */
  tracing?: WorkerTracing;
}

// Built from the settings where the API builds them too (it redelivers dead letters).
export { sendersFromConfig } from '../activities/senders.js';

export async function createCaseWorker(o: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.identity ? { identity: o.identity } : {}),
    activities: createActivities({
      db: o.db,
      senders: o.senders ?? { main: new LogSender(o.log) },
      log: o.log,
      store: o.store ?? (await openFileStore(fileSettings(loadConfig()))),
      delivery: o.delivery ?? deliverySettings(loadConfig()),
    }),
    workflowBundle: o.workflowBundle ?? (await bundleWorkflows()),
    // The workflow interceptors are in the bundle (platform/bundle.ts); these are their worker side.
    interceptors: (o.tracing ?? UNTRACED_WORKER).interceptors,
    sinks: (o.tracing ?? UNTRACED_WORKER).sinks,
    // A case whose worker left is handed to another after 5 s instead of the SDK's 10 s.
    stickyQueueScheduleToStartTimeout: '5s',
    ...o.tuning,
  });
}
