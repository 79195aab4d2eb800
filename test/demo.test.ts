// The demo generator (dev/demo-data.ts) against a real environment: 40 cases, a fixed seed, walked
// through the API as the CLI walks them against `./bangnong up`; then the spread read back from the API.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrincipal } from '../db/queries/principals.js';
import { CITY } from '../db/seed.js';
import { type DemoApi, type DemoReport, type IssueKey, demoPolicy, issueDemoKeys, issueIntakeKeys, planDemo, readStations, runDemo } from '../dev/demo-data.js';
import { type TestEnv, createTestEnv, defaultPolicy, eventually } from './support.js';

let env: TestEnv;
let report: DemoReport;
let seen: Record<string, any>[];
let plan: ReturnType<typeof planDemo>;

const stations = async (api: DemoApi, issue: IssueKey) => readStations(api, (await issueIntakeKeys(issue, CITY.id)).hotline);

beforeAll(async () => {
  // Urgent cases left waiting are late within seconds here, as they are within minutes under the demo policy.
  env = await createTestEnv('demo', { policy: demoPolicy(defaultPolicy(), { triage: '1s', acceptance: '1s' }) });
  const api: DemoApi = {
    request: async (method, url, key, body) => {
      const res = await env.request(method, url, { key, body });
      return { status: res.statusCode, json: res.body ? res.json() : undefined };
    },
  };
  const issue: IssueKey = async ({ label, role, unitId, channel }) =>
    (await createPrincipal(env.database.db, { name: label, role, unitId, ...(channel ? { channel } : {}) })).key;
  plan = planDemo({ cases: 40, seed: 'test-seed', run: 'test', stations: await stations(api, issue) });
  report = await runDemo({ api, plan, keys: await issueDemoKeys(issue, CITY.id, plan), concurrency: 8 });
  const listed = await env.request('GET', '/v1/cases?limit=200', { key: env.keys.reporter });
  expect(listed.statusCode, listed.body).toBe(200);
  seen = listed.json().cases;
}, 120_000);
afterAll(async () => env?.close());

const values = (f: (c: Record<string, any>) => unknown) => new Set(seen.map(f));

describe('the demo data', () => {
  it('When the same seed plans twice, then it plans the same complaints and walks', async () => {
    const s = [{ id: 'ws-1', site: '某某居委城管执法社区工作室', district: '闵行区', street: '七宝镇', squadId: 'sq-1', districtId: '310112' }];
    const strip = (p: ReturnType<typeof planDemo>) => p.map(({ scenario, intake }) => ({ scenario, intake }));
    expect(strip(planDemo({ cases: 30, seed: 7, run: 'a', stations: s }))).toEqual(strip(planDemo({ cases: 30, seed: 7, run: 'a', stations: s })));
    expect(strip(planDemo({ cases: 30, seed: 7, run: 'a', stations: s }))).not.toEqual(strip(planDemo({ cases: 30, seed: 8, run: 'a', stations: s })));
  });

  it('When 40 cases are generated, then every request got the answer the generator expected', () => {
    expect(report.problems).toEqual([]);
    expect(seen).toHaveLength(40);
  });

  it('When 40 cases are generated, then every state, outcome and media status of the lifecycle is there', () => {
    expect([...values((c) => c.state)]).toEqual(expect.arrayContaining(['triage', 'joint_triage', 'dispatched', 'investigating', 'escalated', 'resolved', 'closed']));
    expect([...values((c) => c.outcome)]).toEqual(expect.arrayContaining(['resolved', 'transferred', 'explained', 'withdrawn', 'duplicate']));
    expect([...values((c) => c.media.status)]).toEqual(
      expect.arrayContaining(['not_applicable', 'none', 'in_review', 'returned', 'approved', 'published', 'waived']),
    );
    expect([...values((c) => c.escalationLevel)]).toEqual(expect.arrayContaining(['district', 'city']));
  });

  it('When the urgent cases left waiting pass their (short) deadlines, then each shows overdue', async () => {
    const late = new Set(report.cases.filter((c) => c.late).map((c) => c.id));
    expect(late.size).toBeGreaterThanOrEqual(2);
    const stillOnTime = async () =>
      ((await env.request('GET', '/v1/cases?limit=200', { key: env.keys.reporter })).json().cases as Record<string, any>[]).filter((c) => late.has(c.id) && !c.overdue);
    await eventually(stillOnTime, (rest) => rest.length === 0, 10_000, 'every late case overdue');
  });

  it('When 40 cases are generated, then some were reopened, and they spread over districts and channels', () => {
    expect(seen.filter((c) => c.reopenCount >= 1).length).toBeGreaterThanOrEqual(1);
    expect(seen.filter((c) => c.rating?.rating === 'unsatisfied').length).toBeGreaterThanOrEqual(1);
    expect(values((c) => c.location.district).size).toBeGreaterThanOrEqual(5);
    expect(values((c) => c.channel).size).toBeGreaterThanOrEqual(5);
    // The citizens' phones are obviously fake: 139-0000-xxxx (a property company's, 021-0000-0xxx).
    expect(plan.every((p) => !p.intake.citizen || /^(1390000\d{4}|02100000\d{3})$/.test(p.intake.citizen.phone))).toBe(true);
  });
});
