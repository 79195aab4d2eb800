// Wires the case worker: real activities over the db and senders, the workflow bundle, and the
// options chosen from the benchmarks (see README "Benchmarks").

import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities/index.js';
import { LogSender, type SenderRouting, WebhookSender } from '../activities/senders.js';
import type { Db } from '../db/client.js';
import { bundleWorkflows } from '../platform/bundle.js';
import { fileSettings, loadConfig } from '../platform/config.js';
import { type FileStore, openFileStore } from '../platform/storage.js';


export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Db;
  log: Logger;
  senders?: SenderRouting;
  /** Where uploaded files are kept (erasure deletes a case's); by default the API's local store, FILES_DIR. */
  store?: FileStore;
  /** A prebuilt bundle (tests build one for the whole suite); otherwise the workflows are bundled now. */
  workflowBundle?: { code: string };
  tuning?: Partial<Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentLocalActivityExecutions' | 'maxConcurrentActivityTaskExecutions'>>;
  identity?: string;
}

export function sendersFromConfig(
  log: Logger,
  config: { NOTIFY_WEBHOOK_URL?: string; NOTIFY_WEBHOOK_SECRET?: string; PARTNER_WEBHOOK_URL?: string; HOTLINE_WEBHOOK_URL?: string; DEMOLITION_WEBHOOK_URL?: string },
): SenderRouting {
  const webhook = (name: string, url: string | undefined) => (url ? new WebhookSender(name, url, config.NOTIFY_WEBHOOK_SECRET!) : undefined);
  return {
    main: webhook('notify', config.NOTIFY_WEBHOOK_URL) ?? new LogSender(log),
    partner: webhook('partner', config.PARTNER_WEBHOOK_URL),
    hotline: webhook('hotline', config.HOTLINE_WEBHOOK_URL),
    demolitionOffice: webhook('demolition', config.DEMOLITION_WEBHOOK_URL),
  };
}

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
    }),
    workflowBundle: o.workflowBundle ?? (await bundleWorkflows()),
    // A case whose worker left is handed to another after 5 s instead of the SDK's 10 s.
    stickyQueueScheduleToStartTimeout: '5s',
    ...o.tuning,
  });
}
