import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { ensureTemporalCli, freePort, startTemporalDevServer } from '../platform/dev-services.js';
import { baselineStepUpdate } from '../workflows/baselines.js';
import { bundleWorkflows } from '../worker/worker.js';

const binary = await ensureTemporalCli(console.log);
const server = await startTemporalDevServer({ binary, port: await freePort(), logFile: '/tmp/uws-temporal.log' });
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const worker = await Worker.create({ connection: await NativeConnection.connect({ address: server.address }), taskQueue: 'q', workflowBundle: await bundleWorkflows() });
const running = worker.run();
const time = async (name: string, fn: (i: number) => Promise<unknown>) => {
  const ms: number[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => { while (next < 400) { const i = next++; const t = performance.now(); await fn(i); ms.push(performance.now() - t); } }));
  ms.sort((a, b) => a - b);
  console.log(name, 'rate', (400 / ((performance.now() - t0) / 1000)).toFixed(1), 'p50', ms[200]!.toFixed(1), 'p99', ms[396]!.toFixed(1));
};
await time('start', (i) => client.workflow.start('baselineNoopWorkflow', { workflowId: `s-${i}`, taskQueue: 'q', args: [] }));
await time('uws', (i) => client.workflow.executeUpdateWithStart(baselineStepUpdate, { args: ['x'], startWorkflowOperation: new WithStartWorkflowOperation('baselineUpdatesWorkflow', { workflowId: `u-${i}`, taskQueue: 'q', args: [1], workflowIdConflictPolicy: 'USE_EXISTING' }) }));
await time('start+update', async (i) => { const h = await client.workflow.start('baselineUpdatesWorkflow', { workflowId: `su-${i}`, taskQueue: 'q', args: [1] }); await h.executeUpdate(baselineStepUpdate, { args: ['x'] }); });
worker.shutdown(); await running; await server.stop(); process.exit(0);
