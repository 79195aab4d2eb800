// Fault tests on the production shape: the Temporal server's four services as separate processes on
// PostgreSQL (dev/cluster.ts), two workers and two API processes sharing one port. One cluster takes the
// five faults in turn, as a real one would over a bad week. Under each, a client drives case lifecycles
// through the API, retrying as told; beside them, a group of cases waits for its acceptance deadline to
// pass during the fault. Each fault prints its figures and asserts nothing lost, nothing doubled, every
// deadline fired once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../domain/policy.js';
import { type ServiceProcess, type Stack, call, pool, startStack } from '../../dev/stack.js';
import { LIFECYCLE_EVENTS, type Tally, intakeAcrossPostgresOutage, newTally, runLifecycle, send } from './driver.js';

/** Long enough that a lifecycle under load accepts in time, short enough to pass during a fault. */
const ACCEPTANCE = 40;

let stack: Stack;
let workstation: string;
let serial = 0;

beforeAll(async () => {
  stack = await startStack({
    name: 'cluster',
    cluster: true,
    policy: (p: Policy) => ({ ...p, deadlines: { ...p.deadlines, acceptance: `${ACCEPTANCE}s` }, urgent: {} }),
  });
  await stack.startWorker();
  await stack.startWorker();
  await stack.startApi();
  await stack.startApi();
  workstation = (await call(stack, 'GET', '/v1/workstations', stack.keys.desk)).json.workstations[0].id;
}, 900_000);

afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function report(name: string, figures: Record<string, unknown>) {
  console.log(`[cluster fault] ${name}: ${Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')}`);
}

/** Cases filed and triaged to a workstation, never accepted: their acceptance deadline must pass once. */
async function deadlineGroup(tally: Tally, tag: string, n = 12): Promise<string[]> {
  return pool(n, 6, async (i) => {
    const filed = await send(stack, tally, 'POST', '/v1/cases', stack.keys.intake, { channel: 'qr', externalId: `${tag}-dl-${i}`, title: '油烟', description: '油烟扰民', location: { address: '静安区' }, workstationId: workstation });
    const id = filed.json.id as string;
    const triaged = await send(stack, tally, 'POST', `/v1/cases/${id}/actions`, stack.keys.desk, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes' }, `${tag}-dl-${i}:triage`);
    expect(triaged.status).toBe(200);
    return id;
  });
}

/** Waits until every case of the group is overdue; then counts each case's deadline events (one each, none twice). */
async function deadlinesFired(ids: string[], timeoutMs = 150_000) {
  const until = Date.now() + timeoutMs;
  let overdue = 0;
  while (Date.now() < until) {
    [{ overdue }] = (await stack.database.sql`select count(*)::int as overdue from cases where id = any(${ids}) and overdue`) as unknown as [{ overdue: number }];
    if (overdue === ids.length) break;
    await sleep(1000);
  }
  const events: { n: number }[] = await stack.database.sql`
    select count(*)::int as n from case_events where case_id = any(${ids}) and type = 'deadline_passed' group by case_id`;
  return { deadlineCases: ids.length, overdue, firedTwice: events.filter((e) => e.n > 1).length };
}

/**
 * Each lifecycle event exactly once, seqs without a gap; a lifecycle slowed past its acceptance deadline
 * may carry that deadline's event too, once.
 */
async function checkLifecycles(ids: string[]) {
  const rows = await stack.database.sql<{ case_id: string; types: string[]; seqs: number[] }[]>`
    select case_id, array_agg(type order by seq) as types, array_agg(seq order by seq) as seqs
    from case_events where case_id = any(${ids}) group by case_id`;
  const timeline = new Map(rows.map((r) => [r.case_id, r]));
  let lost = 0;
  let duplicated = 0;
  let wrong = 0;
  for (const id of ids) {
    const t = timeline.get(id);
    if (!t) {
      lost++;
      continue;
    }
    const counts = new Map<string, number>();
    for (const type of t.types) counts.set(type, (counts.get(type) ?? 0) + 1);
    const extra = t.types.filter((type) => !LIFECYCLE_EVENTS.includes(type) && type !== 'deadline_passed');
    if (LIFECYCLE_EVENTS.some((type) => (counts.get(type) ?? 0) > 1) || (counts.get('deadline_passed') ?? 0) > 1) duplicated++;
    else if (LIFECYCLE_EVENTS.some((type) => counts.get(type) !== 1) || extra.length > 0 || t.seqs.some((seq, i) => seq !== i + 1)) wrong++;
  }
  const [{ closed }] = (await stack.database.sql`select count(*)::int as closed from cases where id = any(${ids}) and state = 'closed'`) as unknown as [{ closed: number }];
  return { lost, duplicated, wrong, closed };
}

/**
 * Runs `n` lifecycles 20 at a time; once a quarter are done, injects the fault; waits for every lifecycle
 * and for the deadline group filed just before the fault. Returns the figures to report and assert.
 */
async function underLoad<F extends Record<string, unknown>>(tag: string, fault: () => Promise<F>, n = 120) {
  const tally = newTally();
  const deadlineIds = await deadlineGroup(tally, tag);
  let done = 0;
  const started = Date.now();
  const run = pool(n, 20, async (i) => {
    const id = await runLifecycle(stack, tally, `${tag}-${i}`, workstation);
    done++;
    return id;
  });
  while (done < n / 4) await sleep(100);
  const inFlightAtFault = n - done;
  const faultFigures = await fault();
  const ids = await run;
  const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
  const lifecycles = await checkLifecycles(ids);
  const deadlines = await deadlinesFired(deadlineIds);
  return { cases: n, inFlightAtFault, ...faultFigures, seconds, ...lifecycles, ...deadlines, retries: tally.retries, slowestStepMs: tally.slowestStepMs, statuses: tally.statuses };
}

function expectNothingLost(figures: { cases: number; lost: number; duplicated: number; wrong: number; closed: number; overdue: number; deadlineCases: number; firedTwice: number }) {
  expect({ lost: figures.lost, duplicated: figures.duplicated, wrong: figures.wrong, closed: figures.closed }).toEqual({ lost: 0, duplicated: 0, wrong: 0, closed: figures.cases });
  expect({ overdue: figures.overdue, firedTwice: figures.firedTwice }).toEqual({ overdue: figures.deadlineCases, firedTwice: 0 });
}

const timed = async (what: () => Promise<void>) => {
  const at = Date.now();
  await what();
  return Date.now() - at;
};

describe('faults on the cluster', () => {
  it('When the history service is killed with -9 under load and started again, then every lifecycle completes once and every deadline fires once', async () => {
    const figures = await underLoad(`hist${++serial}`, async () => {
      const history = stack.cluster!.services.history;
      const pid = history.pid();
      await history.kill9();
      await sleep(3000);
      const restartMs = await timed(() => history.start());
      return { killedPid: pid, historyDownMs: 3000 + restartMs };
    });
    report('kill -9 history', figures);
    expectNothingLost(figures);
  }, 600_000);

  it('When the matching service restarts under load, then every lifecycle completes once and every deadline fires once', async () => {
    const figures = await underLoad(`match${++serial}`, async () => ({ matchingRestartMs: await timed(() => stack.cluster!.services.matching.restart()) }));
    report('restart matching', figures);
    expectNothingLost(figures);
  }, 600_000);

  it('When the frontend restarts while clients retry, then no request fails for good (the API answers 503 or its Temporal client retries), every lifecycle completes once and every deadline fires once', async () => {
    const figures = await underLoad(`front${++serial}`, async () => ({ frontendRestartMs: await timed(() => stack.cluster!.services.frontend.restart()) }));
    report('restart frontend', figures);
    expectNothingLost(figures);
    expect(Object.keys(figures.statuses).filter((s) => !['200', '201', '503'].includes(s))).toEqual([]);
  }, 600_000);

  it("When PostgreSQL (Temporal's and Bangnong's) stops for 30 s under intake load, then intake answers 503 meanwhile, every 2xx case is readable at once, nothing is doubled, and the deadlines that came due in the outage fire once", async () => {
    const tally = newTally();
    const deadlineIds = await deadlineGroup(tally, `pg${++serial}`);
    // The intake after the outage runs until 20 cases are taken: Temporal's services reconnect to their database by themselves.
    const { accepted, statuses, byPhase } = await intakeAcrossPostgresOutage(stack, `cpg-${serial}`, { afterAccepted: 20, afterMs: 120_000 });
    const ids = [...accepted.values()];
    const rows: { id: string; events: number }[] =
      await stack.database.sql`select c.id, (select count(*)::int from case_events e where e.case_id = c.id) as events from cases c where c.id = any(${ids})`;
    const deadlines = await deadlinesFired(deadlineIds);
    const figures = { accepted: ids.length, ...byPhase, inReadModelAtOnce: rows.length, doubled: rows.filter((r) => r.events !== 1).length, ...deadlines, statuses };
    report('PostgreSQL down 30 s', figures);
    expect(byPhase.outage.refused).toBeGreaterThan(0);
    expect(byPhase.after.accepted).toBeGreaterThanOrEqual(20);
    expect(rows.length).toBe(ids.length);
    expect(figures.doubled).toBe(0);
    expect(new Set(ids).size).toBe(accepted.size);
    expect({ overdue: deadlines.overdue, firedTwice: deadlines.firedTwice }).toEqual({ overdue: deadlineIds.length, firedTwice: 0 });
  }, 600_000);

  it('When one of two workers is killed with -9 under load, then the other carries every lifecycle to its end once and every deadline fires once', async () => {
    const figures = await underLoad(`wrk${++serial}`, async () => {
      const victim: ServiceProcess = stack.workers.find((w) => w.child.exitCode === null && w.child.signalCode === null)!;
      await victim.kill9();
      return { killedWorkerPid: victim.child.pid, workersLeft: stack.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).length };
    });
    report('kill -9 one of two workers', figures);
    expectNothingLost(figures);
    expect(figures.workersLeft).toBe(1);
  }, 600_000);
});
