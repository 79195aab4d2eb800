// `./bangnong bench`: the numbers users choose a system on, each against a baseline measured in the
// same run on the same server. Everything runs on this machine: Temporal dev server (SQLite file),
// PostgreSQL, one worker, the API and this load generator.
//
//   ./bangnong bench                 all benchmarks
//   ./bangnong bench intake list     only those named (intake, lifecycle, latency, list, deadlines, stats)
//   BENCH_SCALE=0.2 ./bangnong bench  smaller counts, for a quick look

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { REPO_ROOT } from '../platform/config.js';
import { type Stack, call, pool, startStack } from '../dev/stack.js';
import { baselineStepUpdate } from './workflows.js';
import { seedCases } from './seed-cases.js';
import { deadlineBurst } from './deadline-burst.js';
import { createPrincipal } from '../db/queries/principals.js';
import { CITY } from '../db/seed.js';
import { type IssueKey, httpApi, issueDemoKeys, issueIntakeKeys, planDemo, readStations, runDemo } from '../dev/demo-data.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const only = new Set(process.argv.slice(2));
const wanted = (name: string) => only.size === 0 || only.has(name);
const n = (count: number) => Math.max(10, Math.round(count * scale));

interface Result {
  name: string;
  figures: Record<string, number | string>;
  target: string;
  met: boolean;
}
const results: Result[] = [];

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function record(r: Result) {
  results.push(r);
  const figures = Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join('  ');
  console.log(`\n== ${r.name}: ${figures}\n   target: ${r.target} → ${r.met ? 'met' : 'NOT met'}`);
}

/** CPU seconds used so far by each part of the stack (user + system, from /proc). */
function cpuSeconds(stack: Stack): Record<string, number> {
  const ticks = (pid: number | undefined) => {
    if (!pid) return 0;
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0;
    }
  };
  // Only this stack's PostgreSQL (others may run on the machine): its postmaster, found by its data directory,
  // with its live children, and the reaped ones (a closed connection's backend) in its children's times.
  const stat = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  let postgres = 0;
  const postmaster = pids.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.startsWith(path.join(stack.dir, 'postgres')));
    } catch {
      return false;
    }
  });
  if (postmaster) {
    const f = stat(postmaster);
    postgres += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
    for (const pid of pids) {
      try {
        const f = stat(pid);
        if (f[1] === postmaster) postgres += (Number(f[11]) + Number(f[12])) / 100;
      } catch {
        // gone meanwhile
      }
    }
  }
  return {
    temporal: ticks(stack.temporalPid()),
    worker: stack.workers.reduce((sum, w) => sum + ticks(w.child.pid), 0),
    api: ticks(stack.api?.child.pid),
    postgres,
    load: ticks(process.pid),
  };
}

/** CPU milliseconds per item that each process spent between two readings. */
function cpuPerItem(before: Record<string, number>, after: Record<string, number>, items: number): string {
  return Object.keys(after)
    .map((k) => `${k} ${Math.round(((after[k]! - before[k]!) * 1000) / items)}`)
    .join(', ');
}

async function temporalClient(stack: Stack): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t) / 1000, value };
}

async function waitForRows(stack: Stack, where: string, count: number, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await stack.database.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from cases where ${where}`);
    if (row!.n >= count) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the read model did not reach ${count} rows (${where}) in ${timeoutMs / 1000}s`);
}

const intakeBody = (tag: string) => ({
  channel: 'hotline',
  externalId: tag,
  title: '夜间施工噪音',
  description: '工地每晚十一点后仍在施工',
  location: { address: '闵行区七宝镇漕宝路1号', district: '闵行区', street: '七宝镇' },
  citizen: { phone: '13800000000' },
});

async function benchIntake(stack: Stack, client: Client) {
  const count = n(2000);
  const concurrency = 32;
  // Intake answers once the case is in the read model (read-your-writes), so a 201 here is a case that
  // every read already finds: the rate is of fully recorded cases.
  const latencies: number[] = [];
  const ours = await timed(() =>
    pool(count, concurrency, async (i) => {
      const sent = performance.now();
      const res = await call(stack, 'POST', '/v1/cases', stack.keys.intake, intakeBody(`intake-${i}`));
      latencies.push(performance.now() - sent);
      if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${JSON.stringify(res.json)}`);
    }),
  );
  await waitForRows(stack, `channel = 'hotline' and external_id like 'intake-%'`, count);
  // The baseline: a bare start of a no-op workflow on the same server.
  const bare = await timed(() =>
    pool(count, concurrency, (i) => client.workflow.start('baselineNoopWorkflow', { workflowId: `noop-${i}`, taskQueue: stack.taskQueue, args: [] })),
  );
  const rate = count / ours.seconds;
  const bareRate = count / bare.seconds;
  record({
    name: 'intake',
    figures: {
      cases: count,
      concurrency,
      'cases/s (answered in the read model)': round(rate),
      'p50 ms': round(percentile(latencies, 50)),
      'p99 ms': round(percentile(latencies, 99)),
      'baseline starts/s': round(bareRate),
      ratio: round(rate / bareRate, 2),
    },
    target: 'ratio ≥ 0.8 and ≥ 100 cases/s',
    met: rate / bareRate >= 0.8 && rate >= 100,
  });
}

async function lifecycle(stack: Stack, tag: string, workstationId: string, latencies?: number[]) {
  const filed = await call(stack, 'POST', '/v1/cases', stack.keys.intake, { ...intakeBody(tag), channel: 'xinmin' });
  if (filed.status !== 201) throw new Error(`intake answered ${filed.status}`);
  const id = filed.json.id;
  const steps: [string, object][] = [
    [stack.keys.desk, { type: 'triage', decision: 'in_scope', category: 'night_construction_noise', workstationId }],
    [stack.keys.officer, { type: 'accept' }],
    [stack.keys.officer, { type: 'resolve', result: '已责令停工' }],
    [stack.keys.officer, { type: 'feedback', message: '已处理' }],
    [stack.keys.desk, { type: 'media_waive' }],
  ];
  for (const [key, body] of steps) {
    const t = performance.now();
    const res = await call(stack, 'POST', `/v1/cases/${id}/actions`, key, body);
    latencies?.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${(body as { type: string }).type} answered ${res.status}: ${JSON.stringify(res.json)}`);
  }
  if ((await call(stack, 'GET', `/v1/cases/${id}`, stack.keys.desk)).json.state !== 'closed') throw new Error(`case ${id} did not close`);
}

/** A lifecycle's five actions as bare updates (`baselineUpdatesWorkflow`), or each with one local-activity row write (`baselineWriteWorkflow`). */
async function baselineLifecycle(client: Client, stack: Stack, i: number, workflow: 'baselineUpdatesWorkflow' | 'baselineWriteWorkflow') {
  const handle = await client.workflow.start(workflow, { workflowId: `${workflow}-${i}-${Date.now()}`, taskQueue: stack.taskQueue, args: [5] });
  for (let s = 0; s < 5; s++) await handle.executeUpdate(baselineStepUpdate, { args: ['step'] });
  await handle.result();
}

let peakLifecycleRate = 0;

async function benchLifecycle(stack: Stack, client: Client, workstationId: string) {
  const count = n(600);
  const concurrency = 32;
  // The floor's table: one row per baseline workflow, upserted by each update (activities/baseline.ts).
  await stack.database.sql`create table if not exists bench_baseline (id text primary key, step int not null, at timestamptz not null)`;
  const c0 = cpuSeconds(stack);
  const ours = await timed(() => pool(count, concurrency, (i) => lifecycle(stack, `life-${i}`, workstationId)));
  const c1 = cpuSeconds(stack);
  const baseline = await timed(() => pool(count, concurrency, (i) => baselineLifecycle(client, stack, i, 'baselineUpdatesWorkflow')));
  const c2 = cpuSeconds(stack);
  const floor = await timed(() => pool(count, concurrency, (i) => baselineLifecycle(client, stack, i, 'baselineWriteWorkflow')));
  const c3 = cpuSeconds(stack);
  const rate = count / ours.seconds;
  const baseRate = count / baseline.seconds;
  const floorRate = count / floor.seconds;
  peakLifecycleRate = rate;
  record({
    name: 'lifecycle',
    figures: {
      lifecycles: count,
      concurrency,
      'lifecycles/s': round(rate),
      'baseline/s (5 bare updates)': round(baseRate),
      ratio: round(rate / baseRate, 2),
      'floor/s (5 updates, each one local-activity row write)': round(floorRate),
      'ratio to the floor': round(rate / floorRate, 2),
      'CPU ms per lifecycle': cpuPerItem(c0, c1, count),
      'CPU ms per baseline': cpuPerItem(c1, c2, count),
      'CPU ms per floor': cpuPerItem(c2, c3, count),
    },
    target: 'ratio to the floor ≥ 0.7 and ≥ 20 lifecycles/s',
    met: rate / floorRate >= 0.7 && rate >= 20,
  });
}

async function benchLatency(stack: Stack, workstationId: string) {
  // Open loop: lifecycles start at half the peak rate whatever the answers, so queueing shows in the tail.
  const rate = Math.max(1, (peakLifecycleRate || 20) / 2);
  const seconds = 30 * Math.min(1, scale * 2);
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const running: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    running.push(lifecycle(stack, `lat-${i}`, workstationId, latencies));
  }
  await Promise.all(running);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  record({
    name: 'action latency',
    figures: { 'lifecycles/s offered': round(rate), actions: latencies.length, 'p50 ms': round(p50), 'p99 ms': round(p99) },
    target: 'p99 ≤ 150 ms at half the peak rate',
    met: p99 <= 150,
  });
}

async function benchList(stack: Stack) {
  const count = n(100_000);
  const { seconds } = await timed(() => seedCases(stack.database.sql, count));
  const district = '310112';
  const url = `/v1/cases?overdue=true&unit=${district}&limit=50`;
  for (let i = 0; i < 50; i++) await call(stack, 'GET', url, stack.keys.supervisor);
  const latencies: number[] = [];
  let shown = 0;
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    const res = await call(stack, 'GET', url, stack.keys.supervisor);
    latencies.push(performance.now() - t);
    shown = res.json.cases.length;
  }
  const p95 = percentile(latencies, 95);
  record({
    name: 'supervisor list',
    figures: { cases: count, 'seeded in s': round(seconds), 'rows per page': shown, 'p50 ms': round(percentile(latencies, 50), 2), 'p95 ms': round(p95, 2) },
    target: 'p95 ≤ 20 ms over 100,000 cases',
    met: p95 <= 20 && count >= 100_000,
  });
}

async function benchStats(stack: Stack) {
  // First the demo data (dev/demo-data.ts) walked through the API by its actors: cases with real
  // timelines, every state and outcome, for the views to find beside the seeded bulk.
  const demoCases = n(200);
  const issue: IssueKey = async ({ label, role, unitId, channel }) => (await createPrincipal(stack.database.db, { name: label, role, unitId, ...(channel ? { channel } : {}) })).key;
  const api = httpApi(stack.apiUrl);
  const plan = planDemo({ cases: demoCases, seed: 'bench', run: `bench-${Date.now()}`, stations: await readStations(api, (await issueIntakeKeys(issue, CITY.id)).hotline) });
  const keys = await issueDemoKeys(issue, CITY.id, plan);
  const demo = await timed(() => runDemo({ api, plan, keys, concurrency: 16 }));
  if (demo.value.problems.length > 0) throw new Error(`the demo data went wrong: ${demo.value.problems.slice(0, 3).join('; ')}`);

  const count = n(100_000);
  const { seconds } = await timed(async () => {
    await seedCases(stack.database.sql, count);
    // Each seeded case's timeline so far: filed, then one move per state up to the one it is in.
    await stack.database.sql`
      insert into case_events (case_id, seq, type, actor, at, from_state, to_state, payload)
      select c.id, m.seq, 'bench', '{"id":"bench","role":"system"}'::jsonb, c.created_at + (m.seq - 1) * (interval '1 hour' + (hashtext(c.id) & 255) * interval '1 minute'),
             m.from_state, m.to_state, '{}'::jsonb
      from cases c
      cross join lateral (values (1, null, 'triage'), (2, 'triage', 'dispatched'), (3, 'dispatched', 'investigating'), (4, 'investigating', 'escalated'), (5, 'escalated', 'resolved'))
        as m(seq, from_state, to_state)
      where c.id like 'seed%'
        and m.seq <= array_position(array['triage','dispatched','investigating','escalated','resolved'], c.state)
      on conflict do nothing`;
    // What autovacuum does to a table after a bulk load: statistics, and the visibility map index-only scans rely on.
    await stack.database.sql`vacuum analyze cases, case_events`;
  });
  const figures: Record<string, number> = { 'demo cases': demoCases, 'demo walked in s': round(demo.seconds), cases: count, 'seeded in s': round(seconds) };
  let worst = 0;
  // The dashboard's first load, for the city and for one district.
  for (const [name, url] of [
    ['overview city', '/v1/stats/overview'],
    ['overview district', '/v1/stats/overview?unit=310112'],
    ['matrix district×category', '/v1/stats/matrix?rows=district&cols=category'],
    ['matrix squad×week district', '/v1/stats/matrix?rows=squad&cols=week&unit=310112'],
    ['satisfaction by district', '/v1/stats/satisfaction?by=district'],
    ['trend ±8 weeks', `/v1/stats/trend?around=${new Date().toISOString().slice(0, 10)}&weeks=8`],
  ] as const) {
    for (let i = 0; i < 5; i++) await call(stack, 'GET', url, stack.keys.supervisor);
    const latencies: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      const res = await call(stack, 'GET', url, stack.keys.supervisor);
      latencies.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.json)}`);
    }
    const p95 = percentile(latencies, 95);
    worst = Math.max(worst, p95);
    figures[`${name} p50 ms`] = round(percentile(latencies, 50), 1);
    figures[`${name} p95 ms`] = round(p95, 1);
  }
  record({
    name: 'statistics dashboard',
    figures,
    target: 'each view p95 ≤ 500 ms over 100,000 cases',
    met: worst <= 500 && count >= 100_000,
  });
}

async function benchDeadlines(stack: Stack, client: Client) {
  const count = n(10_000);
  const worker = stack.workers[0]!;
  const { overdue, ...lag } = await deadlineBurst(stack, client, { count, leadSeconds: 75, tag: 'deadline', trackingPrefix: 'BD' });
  // What a supervisor sees: the API reads overdue against the clock, so a case shows overdue at its deadline.
  const [shown] = await stack.database.sql<{ n: number }[]>`select count(*)::int as n from cases where channel = 'patrol' and deadline_at <= now()`;
  const listed = await call(stack, 'GET', '/v1/cases?overdue=true&channel=patrol&limit=1', stack.keys.supervisor);
  record({
    name: 'deadline lag',
    figures: {
      cases: count,
      'shown overdue by the API at the deadline': `${shown!.n} (read against the clock, lag 0)`,
      'first listed': listed.json.cases[0]?.overdue ? 'overdue' : 'not overdue',
      'workflow timer → overdue event in the read model, p50 ms': round(lag.p50),
      'p99 ms': round(lag.p99),
      'max ms': round(lag.max),
    },
    target: 'p99 ≤ 1 s with 10,000 deadlines due within a minute (the workflow reaction: notifications, search attributes)',
    met: lag.p99 <= 1000 && overdue >= count,
  });
  record({
    name: 'worker memory',
    figures: { 'open cases': count, 'peak RSS MB': round(worker.peakRssMb()), maxCachedWorkflows: process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 100 },
    target: 'peak RSS ≤ 512 MB with 10,000 open cases',
    met: worker.peakRssMb() <= 512,
  });
}

async function main() {
  console.log(`Bangnong benchmarks on ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, scale ${scale}`);
  const stack = await startStack({ name: 'bench', logLevel: 'warn', workflowsPath: path.join(REPO_ROOT, 'bench', 'workflows.ts') });
  try {
    await stack.startWorker();
    await stack.startApi();
    const client = await temporalClient(stack);
    const workstationId = (await call(stack, 'GET', '/v1/workstations', stack.keys.desk)).json.workstations[0].id;
    if (wanted('intake')) await benchIntake(stack, client);
    if (wanted('lifecycle') || wanted('latency')) await benchLifecycle(stack, client, workstationId);
    if (wanted('latency')) await benchLatency(stack, workstationId);
    if (wanted('deadlines')) await benchDeadlines(stack, client);
    if (wanted('list')) await benchList(stack);
    if (wanted('stats')) await benchStats(stack);
    await client.connection.close();
  } finally {
    await stack.close();
  }
  // Only a full run at full scale replaces the published figures; the rest go beside them.
  const file = path.join(REPO_ROOT, 'bench', only.size === 0 && scale === 1 ? 'results.json' : 'results-partial.json');
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`, scale, results }, null, 2));
  console.log(`\nresults written to ${path.relative(REPO_ROOT, file)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
