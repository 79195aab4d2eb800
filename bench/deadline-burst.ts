// The deadline burst both benchmarks run (bench/run.ts on the dev server, bench/cluster.ts on the cluster):
// `count` cases started straight on Temporal (what intake does, minus HTTP, so 10,000 fit in the window),
// each with a triage deadline `leadSeconds` after its start; then the lag from each deadline to the
// overdue transition in the read model.

import type { Client } from '@temporalio/client';
import { caseIdFor } from '../platform/case-ids.js';
import { type Stack, pool } from '../dev/stack.js';

export interface BurstResult {
  startSeconds: number;
  overdue: number;
  p50: number;
  p99: number;
  max: number;
}

export async function deadlineBurst(stack: Stack, client: Client, o: { count: number; leadSeconds: number; tag: string; trackingPrefix: string; waitSeconds?: number }): Promise<BurstResult> {
  const policy = { ...stack.policy, deadlines: { ...stack.policy.deadlines, triage: `${o.leadSeconds}s` } };
  const t0 = performance.now();
  await pool(o.count, 64, async (i) => {
    const id = caseIdFor('patrol', `${o.tag}-${i}`);
    await client.workflow.start('caseWorkflow', {
      workflowId: `case-${id}`,
      taskQueue: stack.taskQueue,
      args: [
        {
          intake: {
            id,
            trackingCode: `${o.trackingPrefix}${String(i).padStart(10, '0')}`,
            channel: 'patrol',
            externalId: `${o.tag}-${i}`,
            title: '巡查发现',
            description: '占道经营',
            urgent: false,
            location: { address: '黄浦区' },
            attachments: [],
            receivedAt: new Date().toISOString(),
            filedBy: { id: 'bench', role: 'intake', unitPath: '310000' },
          },
          policy,
        },
      ],
    });
  });
  const startSeconds = (performance.now() - t0) / 1000;
  console.log(`   started ${o.count} cases in ${startSeconds.toFixed(1)} s; their triage deadlines fall within the next ${o.leadSeconds} s`);
  const until = Date.now() + (o.leadSeconds + (o.waitSeconds ?? 300)) * 1000;
  let overdue = 0;
  while (Date.now() < until) {
    [{ overdue }] = (await stack.database.sql`select count(*)::int as overdue from cases where channel = 'patrol' and overdue`) as unknown as [{ overdue: number }];
    if (overdue >= o.count) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const [lag] = await stack.database.sql<{ p50: number; p99: number; max: number }[]>`
    select percentile_cont(0.5) within group (order by extract(epoch from projected_at - deadline_at)) * 1000 as p50,
           percentile_cont(0.99) within group (order by extract(epoch from projected_at - deadline_at)) * 1000 as p99,
           max(extract(epoch from projected_at - deadline_at)) * 1000 as max
    from cases where channel = 'patrol' and overdue`;
  return { startSeconds, overdue, p50: Number(lag!.p50), p99: Number(lag!.p99), max: Number(lag!.max) };
}
