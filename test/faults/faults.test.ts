// Fault tests: the whole service as separate processes (dev/stack.ts), with a part killed, stopped or
// restarted under load. Each prints its figures; each asserts that nothing was lost or doubled.

import { afterEach, describe, expect, it } from 'vitest';
import { caseIdFor } from '../../platform/case-ids.js';
import type { Policy } from '../../domain/policy.js';
import { type Stack, call, pool, startStack } from '../../dev/stack.js';
import { LIFECYCLE_EVENTS, type Tally, intakeAcrossPostgresOutage, newTally, runLifecycle, send } from './driver.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function report(name: string, figures: Record<string, unknown>) {
  console.log(`[fault] ${name}: ${Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')}`);
}

async function firstWorkstation(s: Stack): Promise<string> {
  return (await call(s, 'GET', '/v1/workstations', s.keys.desk)).json.workstations[0].id;
}

/** Per case: its event types in seq order, and whether seqs run 1..n without a gap. */
async function timelines(s: Stack, ids: string[]) {
  const rows = await s.database.sql<{ case_id: string; types: string[]; seqs: number[] }[]>`
    select case_id, array_agg(type order by seq) as types, array_agg(seq order by seq) as seqs
    from case_events where case_id = any(${ids}) group by case_id`;
  return new Map(rows.map((r) => [r.case_id, r]));
}

function checkLifecycles(timeline: Awaited<ReturnType<typeof timelines>>, ids: string[]) {
  let lost = 0;
  let duplicated = 0;
  let wrong = 0;
  for (const id of ids) {
    const t = timeline.get(id);
    if (!t) {
      lost++;
      continue;
    }
    const once = LIFECYCLE_EVENTS.every((type) => t.types.filter((x) => x === type).length === 1);
    if (t.types.length > LIFECYCLE_EVENTS.length) duplicated++;
    else if (!once || t.seqs.some((seq, i) => seq !== i + 1)) wrong++;
  }
  return { lost, duplicated, wrong };
}

describe('faults', () => {
  it('When the worker is killed with -9 while 500 cases are mid-lifecycle, then a new worker completes every case with each event exactly once', async () => {
    stack = await startStack({ name: 'kill9' });
    const worker = await stack.startWorker();
    await stack.startApi();
    const ws = await firstWorkstation(stack);
    const tally = newTally();
    let done = 0;
    let inFlightAtKill = 0;
    const n = 500;
    const run = pool(n, 50, async (i) => {
      const id = await runLifecycle(stack!, tally, `kill9-${i}`, ws);
      done++;
      return id;
    });
    while (done < n / 4) await sleep(100);
    inFlightAtKill = n - done;
    await worker.kill9();
    await sleep(2000);
    await stack.startWorker();
    const ids = await run;
    const check = checkLifecycles(await timelines(stack, ids), ids);
    const [{ closed }] = (await stack.database.sql`select count(*)::int as closed from cases where id = any(${ids}) and state = 'closed'`) as unknown as [{ closed: number }];
    report('kill -9 worker', { cases: n, inFlightAtKill, completed: closed, ...check, retries: tally.retries, statuses: tally.statuses });
    expect(new Set(ids).size).toBe(n);
    expect(closed).toBe(n);
    expect(check).toEqual({ lost: 0, duplicated: 0, wrong: 0 });
  }, 600_000);

  it('When Postgres stops for 30 s under intake load, then intake answers 503 having kept nothing half-written, every accepted case is readable at once, and intake resumes', async () => {
    stack = await startStack({ name: 'pgdown' });
    await stack.startWorker();
    await stack.startApi();
    const { accepted, statuses, byPhase } = await intakeAcrossPostgresOutage(stack, 'pg');

    // Read-your-writes: every case that was answered 2xx is in the read model now, without waiting.
    const ids = [...accepted.values()];
    const rows: { id: string; events: number }[] =
      await stack.database.sql`select c.id, (select count(*)::int from case_events e where e.case_id = c.id) as events from cases c where c.id = any(${ids})`;
    const doubled = rows.filter((r) => r.events !== 1).length;
    // Nothing half-written: a case whose workflow started before the outage but whose answer was 503 is
    // still recorded once Postgres is back. Every started workflow ends up with its row.
    const { Client, Connection } = await import('@temporalio/client');
    const client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });
    let workflows = 0;
    let allRows = 0;
    for (let t = 0; t < 120; t++) {
      workflows = (await client.workflow.count(`WorkflowType = 'caseWorkflow'`)).count;
      [{ allRows }] = (await stack.database.sql`select count(*)::int as "allRows" from cases`) as unknown as [{ allRows: number }];
      if (workflows === allRows && workflows >= accepted.size) break;
      await sleep(1000);
    }
    await client.connection.close();
    report('Postgres down 30 s', { accepted: ids.length, ...byPhase, inReadModelAtOnce: rows.length, missing: ids.length - rows.length, doubled, workflows, rows: allRows, statuses });
    expect(Object.keys(statuses).filter((s) => !['200', '201', '503'].includes(s))).toEqual([]);
    expect(byPhase.outage.refused).toBeGreaterThan(0);
    expect(byPhase.after.accepted).toBeGreaterThan(0);
    expect(rows.length).toBe(ids.length);
    expect(doubled).toBe(0);
    expect(new Set(ids).size).toBe(accepted.size);
    expect(allRows).toBe(workflows);
  }, 600_000);

  it('When the API restarts mid-intake and the client retries every request, then no case is duplicated', async () => {
    stack = await startStack({ name: 'apirestart' });
    await stack.startWorker();
    await stack.startApi();
    const tally = newTally();
    const n = 400;
    let sent = 0;
    const run = pool(n, 20, async (i) => {
      sent++;
      const res = await send(stack!, tally, 'POST', '/v1/cases', stack!.keys.intake, {
        channel: 'walkin',
        externalId: `api-${i}`,
        title: '违法搭建',
        description: '居民来访反映楼顶搭建',
        location: { address: '浦东新区' },
      });
      return res.json.id as string;
    });
    while (sent < n / 3) await sleep(50);
    await stack.api!.kill9();
    await stack.startApi();
    const ids = await run;
    const expected = Array.from({ length: n }, (_, i) => caseIdFor('walkin', `api-${i}`));
    const temporalCount = await (async () => {
      const { Client, Connection } = await import('@temporalio/client');
      const client = new Client({ connection: await Connection.connect({ address: stack!.temporalAddress }) });
      // Visibility lags the start by a moment.
      let count = 0;
      for (let t = 0; t < 30; t++) {
        count = (await client.workflow.count(`WorkflowType = 'caseWorkflow'`)).count;
        if (count >= n) break;
        await sleep(1000);
      }
      await client.connection.close();
      return count;
    })();
    // The read model follows the workflows; give it time to catch up before counting.
    let rows = 0;
    for (let t = 0; t < 60 && rows < n; t++) {
      [{ rows }] = (await stack.database.sql`select count(*)::int as rows from cases`) as unknown as [{ rows: number }];
      if (rows < n) await sleep(1000);
    }
    report('API restart mid-intake', { requests: n, retries: tally.retries, caseWorkflows: temporalCount, readModelRows: rows, duplicated: temporalCount - n, statuses: tally.statuses });
    expect(ids.sort()).toEqual(expected.sort());
    expect(temporalCount).toBe(n);
    expect(rows).toBe(n);
  }, 600_000);

  it('When the Temporal server restarts, then open cases resume and their deadlines still fire', async () => {
    stack = await startStack({ name: 'temporalrestart', policy: (p: Policy) => ({ ...p, deadlines: { ...p.deadlines, acceptance: '25s' }, urgent: {} }) });
    await stack.startWorker();
    await stack.startApi();
    const ws = await firstWorkstation(stack);
    const tally = newTally();
    const ids = await pool(50, 10, async (i) => {
      const filed = await send(stack!, tally, 'POST', '/v1/cases', stack!.keys.intake, { channel: 'qr', externalId: `tr-${i}`, title: '油烟', description: '油烟扰民', location: { address: '静安区' }, workstationId: ws });
      const id = filed.json.id as string;
      await send(stack!, tally, 'POST', `/v1/cases/${id}/actions`, stack!.keys.desk, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes' }, `tr-${i}:triage`);
      return id;
    });
    const restartedAt = Date.now();
    await stack.restartTemporal();
    const downMs = Date.now() - restartedAt;
    // An action right after the restart goes through on the same case history.
    const accepted = await send(stack, tally, 'POST', `/v1/cases/${ids[0]}/actions`, stack.keys.officer, { type: 'accept' }, 'tr-0:accept');
    expect(accepted.status).toBe(200);
    expect(accepted.json.state).toBe('investigating');
    const deadline = Date.now() + 90_000;
    let overdue = 0;
    while (Date.now() < deadline) {
      [{ overdue }] = (await stack.database.sql`select count(*)::int as overdue from cases where id = any(${ids.slice(1)}) and overdue`) as unknown as [{ overdue: number }];
      if (overdue === ids.length - 1) break;
      await sleep(1000);
    }
    report('Temporal restart', { openCases: ids.length, serverDownMs: downMs, overdueAfterRestart: overdue, retries: tally.retries });
    expect(overdue).toBe(ids.length - 1);
  }, 600_000);

  it('When a second worker joins and the first leaves under load, then nothing stalls', async () => {
    stack = await startStack({ name: 'workerswap' });
    const first = await stack.startWorker();
    await stack.startApi();
    const ws = await firstWorkstation(stack);
    const tally: Tally = newTally();
    let done = 0;
    const n = 300;
    const started = Date.now();
    const run = pool(n, 30, async (i) => {
      const id = await runLifecycle(stack!, tally, `swap-${i}`, ws);
      done++;
      return id;
    });
    while (done < n / 4) await sleep(100);
    await stack.startWorker();
    while (done < (n * 3) / 5) await sleep(100);
    await first.stop();
    const ids = await run;
    const seconds = (Date.now() - started) / 1000;
    const check = checkLifecycles(await timelines(stack, ids), ids);
    report('worker joins and leaves', { cases: n, seconds: seconds.toFixed(1), slowestStepMs: tally.slowestStepMs, retries: tally.retries, ...check });
    expect(check).toEqual({ lost: 0, duplicated: 0, wrong: 0 });
    // At worst a step waits out one workflow-task timeout (10 s): the task the leaving worker held when
    // it stopped. A stall would be a step waiting for a worker that is gone: it would never finish.
    expect(tally.slowestStepMs).toBeLessThan(20_000);
  }, 600_000);
});
