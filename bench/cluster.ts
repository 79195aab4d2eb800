// `./bangnong bench cluster`: the production shape measured — the Temporal server's four services on
// PostgreSQL (dev/cluster.ts), two API processes on one port — with one worker, then two, in the same run:
// intake and lifecycle throughput and their ratio (how the work scales with workers), then the
// 10,000-deadline burst with two workers. Every phase reports the CPU each process spent, from /proc.
//
//   ./bangnong bench cluster               all of it
//   BENCH_SCALE=0.2 ./bangnong bench cluster   smaller counts, for a quick look

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { REPO_ROOT } from '../platform/config.js';
import { CLUSTER_SERVICES } from '../dev/cluster.js';
import { type Stack, call, pool, startStack } from '../dev/stack.js';
import { deadlineBurst } from './deadline-burst.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const n = (count: number) => Math.max(10, Math.round(count * scale));
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const figures: Record<string, Record<string, number | string>> = {};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function ticks(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds so far of each part: the four Temporal services, the workers, the APIs, PostgreSQL, this load. */
function cpu(stack: Stack): Record<string, number> {
  let postgres = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres')) postgres += ticks(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return {
    ...Object.fromEntries(CLUSTER_SERVICES.map((name) => [name, ticks(stack.cluster!.services[name].pid())])),
    workers: stack.workers.reduce((sum, w) => sum + ticks(w.child.pid), 0),
    apis: stack.apis.reduce((sum, a) => sum + ticks(a.child.pid), 0),
    postgres,
    load: ticks(process.pid),
  };
}

/** CPU ms per item of each part between two readings, and the share of both cores they kept busy. */
function cpuPer(before: Record<string, number>, after: Record<string, number>, items: number, seconds: number): string {
  const total = Object.keys(after).reduce((sum, k) => sum + after[k]! - before[k]!, 0);
  const parts = Object.keys(after).map((k) => `${k} ${Math.round(((after[k]! - before[k]!) * 1000) / items)}`);
  return `${parts.join(', ')} (cores busy ${round(total / seconds, 2)} of ${os.cpus().length})`;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t) / 1000, value };
}

const intakeBody = (tag: string) => ({ channel: 'hotline', externalId: tag, title: '夜间施工噪音', description: '工地每晚十一点后仍在施工', location: { address: '闵行区七宝镇漕宝路1号', district: '闵行区', street: '七宝镇' } });

/**
 * Sends like a well-behaved client: an action answered 503 (the case did not answer in time) is sent again
 * with the same Idempotency-Key, as the answer says; the retries are counted.
 */
let retries = 0;
async function send(stack: Stack, method: 'POST', url: string, key: string, body: object, idempotencyKey?: string) {
  for (let attempt = 0; ; attempt++) {
    const res = await call(stack, method, url, key, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
    if (res.status !== 503 || attempt >= 5) return res;
    retries++;
  }
}

/** Waits until the workers have taken every workflow task queued (a phase's tail), so the next phase starts even. */
async function drained(client: Client, stack: Stack) {
  const until = Date.now() + 600_000;
  while (Date.now() < until) {
    const res = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: stack.taskQueue }, taskQueueType: 1, reportStats: true });
    if (Number(res.stats?.approximateBacklogCount ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function intake(stack: Stack, tag: string) {
  const count = n(1500);
  const latencies: number[] = [];
  const before = cpu(stack);
  const { seconds } = await timed(() =>
    pool(count, 32, async (i) => {
      const t = performance.now();
      const res = await send(stack, 'POST', '/v1/cases', stack.keys.intake, intakeBody(`${tag}-${i}`));
      latencies.push(performance.now() - t);
      if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${JSON.stringify(res.json)}`);
    }),
  );
  return { count, rate: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu: cpuPer(before, cpu(stack), count, seconds) };
}

async function lifecycle(stack: Stack, tag: string, workstationId: string) {
  const count = n(400);
  const before = cpu(stack);
  const { seconds } = await timed(() =>
    pool(count, 32, async (i) => {
      const filed = await send(stack, 'POST', '/v1/cases', stack.keys.intake, { ...intakeBody(`${tag}-${i}`), channel: 'xinmin' });
      if (filed.status !== 201) throw new Error(`intake answered ${filed.status}`);
      for (const [key, body] of [
        [stack.keys.desk, { type: 'triage', decision: 'in_scope', category: 'night_construction_noise', workstationId }],
        [stack.keys.officer, { type: 'accept' }],
        [stack.keys.officer, { type: 'resolve', result: '已责令停工' }],
        [stack.keys.officer, { type: 'feedback', message: '已处理' }],
        [stack.keys.desk, { type: 'media_waive' }],
      ] as const) {
        const res = await send(stack, 'POST', `/v1/cases/${filed.json.id}/actions`, key, body, `${tag}-${i}:${body.type}`);
        if (res.status !== 200) throw new Error(`${body.type} answered ${res.status}: ${JSON.stringify(res.json)}`);
      }
    }),
  );
  return { count, rate: count / seconds, cpu: cpuPer(before, cpu(stack), count, seconds) };
}

async function deadlines(stack: Stack, client: Client) {
  const count = n(10_000);
  const before = cpu(stack);
  const t0 = performance.now();
  const burst = await deadlineBurst(stack, client, { count, leadSeconds: 90, tag: 'cdl', trackingPrefix: 'BC', waitSeconds: 600 });
  const seconds = (performance.now() - t0) / 1000;
  return { count, ...burst, cpu: cpuPer(before, cpu(stack), count, seconds), peakRss: stack.workers.map((w) => round(w.peakRssMb())) };
}

function show(name: string, f: Record<string, number | string>) {
  figures[name] = f;
  console.log(`\n== ${name}: ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join('  ')}`);
}

async function main() {
  console.log(`Bangnong on the cluster: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, scale ${scale}`);
  const stack = await startStack({ name: 'bench-cluster', cluster: true, logLevel: 'warn', workflowsPath: path.join(REPO_ROOT, 'bench', 'workflows.ts') });
  try {
    await stack.startWorker();
    await stack.startApi();
    await stack.startApi();
    const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
    const workstationId = (await call(stack, 'GET', '/v1/workstations', stack.keys.desk)).json.workstations[0].id;
    // A short warm-up, so neither phase pays for the first connections and the JIT.
    await pool(40, 8, (i) => call(stack, 'POST', '/v1/cases', stack.keys.intake, intakeBody(`warm-${i}`)));

    const intake1 = await intake(stack, 'c1-intake');
    await drained(client, stack);
    const life1 = await lifecycle(stack, 'c1-life', workstationId);
    await drained(client, stack);
    await stack.startWorker();
    const intake2 = await intake(stack, 'c2-intake');
    await drained(client, stack);
    const life2 = await lifecycle(stack, 'c2-life', workstationId);
    await drained(client, stack);
    show('cluster intake', {
      cases: intake1.count,
      'one worker cases/s': round(intake1.rate),
      'two workers cases/s': round(intake2.rate),
      'scaling (two / one)': round(intake2.rate / intake1.rate, 2),
      'p99 ms (one, two)': `${round(intake1.p99)}, ${round(intake2.p99)}`,
      'CPU ms per case, one worker': intake1.cpu,
      'CPU ms per case, two workers': intake2.cpu,
    });
    show('cluster lifecycle', {
      lifecycles: life1.count,
      'one worker lifecycles/s': round(life1.rate),
      'two workers lifecycles/s': round(life2.rate),
      'scaling (two / one)': round(life2.rate / life1.rate, 2),
      'CPU ms per lifecycle, one worker': life1.cpu,
      'CPU ms per lifecycle, two workers': life2.cpu,
      'actions retried after a 503 (both phases)': retries,
    });
    const d = await deadlines(stack, client);
    show('cluster deadline lag, two workers', {
      cases: d.count,
      overdue: d.overdue,
      'timer → overdue in the read model p50 ms': round(d.p50),
      'p99 ms': round(d.p99),
      'max ms': round(d.max),
      'CPU ms per case': d.cpu,
      'workers peak RSS MB': d.peakRss.join(', '),
    });
    await client.connection.close();
  } finally {
    await stack.close();
  }
  const file = path.join(REPO_ROOT, 'bench', scale === 1 ? 'results-cluster.json' : 'results-cluster-partial.json');
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`, node: process.version, scale, figures }, null, 2) + '\n');
  console.log(`\nwritten to ${path.relative(REPO_ROOT, file)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
