// The supervisors' dashboard on known data: rows written straight into the read model (cases and their
// timelines), then every figure read back through the API and checked to the last digit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseEvents, cases } from '../db/schema.js';
import { type TestEnv, createTestEnv } from './support.js';

let env: TestEnv;
/** D1 holds squads A and B; D2 squad C (a district elsewhere); D3 squad T holds the trend's cases. */
const u = { D1: '', A: '', B: '', D2: '', C: '', D3: '', T: '' };
const keys = { d1: '', qr: '' };

const HOUR = 3_600_000;
let seq = 0;

interface Row {
  squad: 'A' | 'B' | 'C' | 'T';
  channel?: string;
  category?: string;
  state?: string;
  outcome?: string;
  level?: string;
  overdue?: boolean;
  rating?: string;
  at: string;
  /** The states the case went through and the hours it stayed in each; the last one it is still in. */
  stays?: [string, number][];
}

async function insert(rows: Row[]) {
  const districtOf = { A: u.D1, B: u.D1, C: u.D2, T: u.D3 };
  for (const r of rows) {
    const id = `dash${String(++seq).padStart(4, '0')}`;
    const state = r.state ?? 'closed';
    await env.database.db.insert(cases).values({
      id,
      trackingCode: `BT${String(seq).padStart(10, '0')}`,
      channel: r.channel ?? 'hotline',
      title: '统计',
      category: r.category ?? 'cooking_fumes',
      urgent: false,
      state,
      outcome: r.outcome ?? null,
      deadlineAt: state === 'closed' ? null : new Date(Date.now() + (r.overdue ? -HOUR : HOUR)).toISOString(),
      overdue: r.overdue ?? false,
      escalationLevel: r.level ?? 'squad',
      districtId: districtOf[r.squad],
      squadId: u[r.squad],
      assignedUnitId: u[r.squad],
      assignedUnitPath: `310000/${districtOf[r.squad]}/${u[r.squad]}`,
      mediaStatus: 'not_applicable',
      rating: r.rating ?? null,
      view: {} as never,
      createdAt: r.at,
      updatedAt: r.at,
      version: 1,
    });
    let t = Date.parse(r.at);
    let from: string | null = null;
    let n = 0;
    const event = (to: string, at: number) => ({ caseId: id, seq: ++n, type: 'x', actor: { id: 't', role: 'system' } as never, at: new Date(at).toISOString(), fromState: from, toState: to, payload: {} });
    for (const [to, hours] of r.stays ?? []) {
      await env.database.db.insert(caseEvents).values(event(to, t));
      // An event that keeps the state (a supplement) neither ends nor starts a stay.
      from = to;
      await env.database.db.insert(caseEvents).values(event(to, t + (hours * HOUR) / 2));
      t += hours * HOUR;
    }
  }
}

const get = async (url: string, key = env.keys.supervisor) => {
  const res = await env.request('GET', url, { key });
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  env = await createTestEnv('stats-dashboard');
  const all = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null; kind: string }[];
  const squadsOf = (d: string) => all.filter((x) => x.parentId === d).map((x) => x.id).sort();
  const districts = all.filter((x) => x.kind === 'district' && squadsOf(x.id).length >= 2).map((x) => x.id).sort();
  Object.assign(u, { D1: districts[0], D2: districts[1], D3: districts[2] });
  [u.A, u.B] = squadsOf(u.D1) as [string, string];
  u.C = squadsOf(u.D2)[0]!;
  u.T = squadsOf(u.D3)[0]!;
  keys.d1 = (await env.principal('supervisor', u.D1, 'd1')).key;
  const { createPrincipal } = await import('../db/queries/principals.js');
  keys.qr = (await createPrincipal(env.database.db, { name: 'qr page', role: 'intake', unitId: '310000', channel: 'qr' })).key;

  // Filed in the two Shanghai weeks from Monday 2026-03-02.
  await insert([
    { squad: 'A', outcome: 'resolved', rating: 'satisfied', at: '2026-03-02T02:00:00Z', stays: [['triage', 1], ['dispatched', 2], ['investigating', 10], ['resolved', 24], ['closed', 0]] },
    { squad: 'A', outcome: 'resolved', level: 'district', rating: 'basically_satisfied', at: '2026-03-03T02:00:00Z', stays: [['triage', 2], ['dispatched', 4], ['investigating', 20], ['escalated', 48], ['resolved', 12], ['closed', 0]] },
    { squad: 'B', channel: 'xinmin', category: 'street_vending', outcome: 'transferred', rating: 'unsatisfied', at: '2026-03-04T02:00:00Z', stays: [['triage', 3], ['resolved', 1], ['closed', 0]] },
    { squad: 'B', channel: 'xinmin', category: 'street_vending', outcome: 'explained', at: '2026-03-05T02:00:00Z', stays: [['triage', 4], ['resolved', 2], ['closed', 0]] },
    // Sunday 23:59 and Monday 00:00 in Shanghai: two weeks there, one week in UTC.
    { squad: 'A', channel: 'qr', state: 'investigating', overdue: true, at: '2026-03-08T15:59:00Z', stays: [['triage', 1], ['dispatched', 6], ['investigating', 0]] },
    { squad: 'A', channel: 'qr', state: 'dispatched', at: '2026-03-08T16:00:00Z', stays: [['triage', 1], ['dispatched', 0]] },
    { squad: 'C', outcome: 'resolved', rating: 'satisfied', at: '2026-03-04T02:00:00Z', stays: [['triage', 100], ['dispatched', 1], ['investigating', 1], ['resolved', 1], ['closed', 0]] },
    { squad: 'C', category: 'other', state: 'escalated', level: 'city', overdue: true, at: '2026-03-05T02:00:00Z' },
  ]);

  // The trend around Wednesday 2026-05-06 in D3: two weeks before (from Monday 04-20), two from 05-04 on.
  const trend = (at: string, ratings: (string | undefined)[]) => ratings.map((rating): Row => ({ squad: 'T', rating, at }));
  const S = 'satisfied';
  const B = 'basically_satisfied';
  const U = 'unsatisfied';
  await insert([
    ...trend('2026-04-13T02:00:00Z', [S]), // before the window
    ...trend('2026-04-19T16:00:00Z', [S]), // Monday 04-20 00:00 in Shanghai: the first week
    ...trend('2026-04-21T02:00:00Z', [S, S, S, B, U]),
    ...trend('2026-04-28T02:00:00Z', [S, S, U, U]),
    ...trend('2026-05-06T02:00:00Z', [S, B, undefined, undefined]),
    ...trend('2026-05-12T02:00:00Z', [S, U, undefined]),
    ...trend('2026-05-17T16:00:00Z', [U]), // Monday 05-18 in Shanghai: after the window
  ]);
}, 60_000);
afterAll(async () => env?.close());

const MARCH = 'from=2026-03-02T00:00:00%2B08:00&to=2026-03-16T00:00:00%2B08:00';

describe('GET /v1/stats/overview', () => {
  it('When the city asks for a period, then shares, overdue rate and stage times count every district', async () => {
    const { status, body } = await get(`/v1/stats/overview?${MARCH}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      total: 8,
      open: 3,
      solvedOnSite: 2,
      escalated: 2,
      transferred: 1,
      explained: 1,
      overdue: 2,
      shares: { solvedOnSite: 0.25, escalated: 0.25, transferred: 0.125, explained: 0.125 },
      overdueRate: 0.6667,
    });
    expect(body.stages[0]).toEqual({ state: 'triage', stays: 7, medianHours: 2, p90Hours: 42.4 });
  });

  it('When a district supervisor asks, then it sees its district only, each stage by median and 90th percentile', async () => {
    const { status, body } = await get('/v1/stats/overview', keys.d1);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      unit: u.D1,
      total: 6,
      open: 2,
      solvedOnSite: 1,
      escalated: 1,
      transferred: 1,
      explained: 1,
      overdue: 1,
      shares: { solvedOnSite: 0.1667, escalated: 0.1667, transferred: 0.1667, explained: 0.1667 },
      overdueRate: 0.5,
    });
    // A stay still running (the dispatched and investigating cases) has no end yet, so no time.
    expect(body.stages).toEqual([
      { state: 'triage', stays: 6, medianHours: 1.5, p90Hours: 3.5 },
      { state: 'dispatched', stays: 3, medianHours: 4, p90Hours: 5.6 },
      { state: 'investigating', stays: 2, medianHours: 15, p90Hours: 19 },
      { state: 'escalated', stays: 1, medianHours: 48, p90Hours: 48 },
      { state: 'resolved', stays: 4, medianHours: 7, p90Hours: 20.4 },
    ]);
    expect((await get(`/v1/stats/overview?unit=${u.D2}`, keys.d1)).status).toBe(403);
  });

  it('When filtered by category, channel or squad, then only those cases count', async () => {
    expect((await get(`/v1/stats/overview?unit=${u.D1}&category=street_vending`)).body).toMatchObject({ total: 2, transferred: 1, explained: 1, solvedOnSite: 0, open: 0, overdueRate: null });
    expect((await get(`/v1/stats/overview?unit=${u.B}`, keys.d1)).body).toMatchObject({ unit: u.B, total: 2 });
    const qr = (await get('/v1/stats/overview?channel=qr')).body;
    expect(qr).toMatchObject({ total: 2, open: 2, overdue: 1, overdueRate: 0.5, shares: { solvedOnSite: 0 } });
    expect(qr.stages.map((s: { state: string; stays: number }) => [s.state, s.stays])).toEqual([['triage', 2], ['dispatched', 1]]);
  });

  it('When a key bound to the QR channel asks, then it counts QR cases only and may not ask for another channel', async () => {
    expect((await get('/v1/stats/overview', keys.qr)).body).toMatchObject({ channel: 'qr', total: 2 });
    expect((await get('/v1/stats/overview?channel=hotline', keys.qr)).status).toBe(403);
  });
});

describe('GET /v1/stats/matrix', () => {
  it('When weeks are columns, then a case filed at Monday 00:00 in Shanghai (Sunday in UTC) opens the next week', async () => {
    const { status, body } = await get('/v1/stats/matrix?rows=squad&cols=week', keys.d1);
    expect(status).toBe(200);
    expect(body).toMatchObject({ rows: 'squad', cols: 'week', unit: u.D1 });
    expect(body.cells).toEqual([
      { row: u.A, col: '2026-03-02', total: 3, overdue: 1 },
      { row: u.A, col: '2026-03-09', total: 1, overdue: 0 },
      { row: u.B, col: '2026-03-02', total: 2, overdue: 0 },
    ]);
  });

  it('When the city asks by district and category, then each district has its cells', async () => {
    const { body } = await get(`/v1/stats/matrix?rows=district&cols=category&${MARCH}`);
    expect(body.cells).toEqual([
      { row: u.D1, col: 'cooking_fumes', total: 4, overdue: 1 },
      { row: u.D1, col: 'street_vending', total: 2, overdue: 0 },
      { row: u.D2, col: 'cooking_fumes', total: 1, overdue: 0 },
      { row: u.D2, col: 'other', total: 1, overdue: 1 },
    ]);
    expect((await get(`/v1/stats/matrix?unit=${u.D2}`, keys.d1)).status).toBe(403);
  });
});

describe('GET /v1/stats/satisfaction', () => {
  it('When asked by district, then each is rated, satisfied, basically satisfied and unsatisfied in shares', async () => {
    const { status, body } = await get(`/v1/stats/satisfaction?by=district&${MARCH}`);
    expect(status).toBe(200);
    expect(body.groups).toEqual([
      { key: u.D1, total: 6, closed: 4, rated: 3, satisfied: 1, basicallySatisfied: 1, unsatisfied: 1, satisfaction: 0.6667, ratedShare: 0.75, satisfiedShare: 0.3333, basicallySatisfiedShare: 0.3333, unsatisfiedShare: 0.3333 },
      { key: u.D2, total: 2, closed: 1, rated: 1, satisfied: 1, basicallySatisfied: 0, unsatisfied: 0, satisfaction: 1, ratedShare: 1, satisfiedShare: 1, basicallySatisfiedShare: 0, unsatisfiedShare: 0 },
    ]);
  });

  it('When a district supervisor asks by squad, then its squads only', async () => {
    const { body } = await get('/v1/stats/satisfaction?by=squad', keys.d1);
    expect(body.groups.map((g: Record<string, unknown>) => [g.key, g.total, g.rated, g.satisfaction, g.ratedShare])).toEqual([
      [u.A, 4, 2, 1, 1],
      [u.B, 2, 1, 0, 0.5],
    ]);
  });
});

describe('GET /v1/stats/trend', () => {
  it('When a campaign started on 2026-05-06, then the weeks before and after show complaints −30 % and satisfaction 70 % → 75 %', async () => {
    const { status, body } = await get(`/v1/stats/trend?unit=${u.D3}&around=2026-05-06&weeks=2`);
    expect(status).toBe(200);
    expect(body.series).toEqual([
      { week: '2026-04-20', offset: -2, total: 6, rated: 6, satisfied: 4, basicallySatisfied: 1, unsatisfied: 1, satisfaction: 0.8333 },
      { week: '2026-04-27', offset: -1, total: 4, rated: 4, satisfied: 2, basicallySatisfied: 0, unsatisfied: 2, satisfaction: 0.5 },
      { week: '2026-05-04', offset: 0, total: 4, rated: 2, satisfied: 1, basicallySatisfied: 1, unsatisfied: 0, satisfaction: 1 },
      { week: '2026-05-11', offset: 1, total: 3, rated: 2, satisfied: 1, basicallySatisfied: 0, unsatisfied: 1, satisfaction: 0.5 },
    ]);
    expect(body).toMatchObject({
      around: '2026-05-06',
      weeks: 2,
      unit: u.D3,
      before: { total: 10, rated: 10, satisfaction: 0.7 },
      after: { total: 7, rated: 4, satisfaction: 0.75 },
      change: { total: -0.3, satisfaction: 0.05 },
    });
  });

  it('When a week has no cases, then it is there with zeros', async () => {
    const { body } = await get(`/v1/stats/trend?unit=${u.D3}&around=2026-04-01&weeks=1`);
    expect(body.series).toEqual([
      { week: '2026-03-23', offset: -1, total: 0, rated: 0, satisfied: 0, basicallySatisfied: 0, unsatisfied: 0, satisfaction: null },
      { week: '2026-03-30', offset: 0, total: 0, rated: 0, satisfied: 0, basicallySatisfied: 0, unsatisfied: 0, satisfaction: null },
    ]);
    expect(body.change).toEqual({ total: null, satisfaction: null });
  });
});

it('When a parameter is unknown or wrong, then 400', async () => {
  for (const url of [
    '/v1/stats/overview?colour=red',
    '/v1/stats/overview?from=yesterday',
    '/v1/stats/overview?category=noise',
    '/v1/stats/matrix?rows=week',
    '/v1/stats/matrix?rows=category&cols=category',
    '/v1/stats/satisfaction?by=category',
    '/v1/stats/trend',
    '/v1/stats/trend?around=2026-13-01',
    '/v1/stats/trend?around=2026-05-06&weeks=0',
    '/v1/stats/trend?around=2026-05-06&from=2026-03-02T00:00:00Z',
    `/v1/stats/overview?unit=nowhere`,
  ]) {
    const res = await get(url);
    expect(res.status, url).toBe(400);
    expect(res.body.error, url).toEqual(expect.any(String));
  }
});

describe('the dashboard views as CSV', () => {
  const csv = async (url: string, key = env.keys.supervisor) => {
    const res = await env.request('GET', url, { key });
    const { parse } = await import('csv-parse/sync');
    return { status: res.statusCode, type: res.headers['content-type'], disposition: res.headers['content-disposition'], raw: res.body, rows: res.statusCode === 200 ? (parse(res.body, { bom: true }) as string[][]) : [] };
  };
  const names = async () => new Map(((await env.request('GET', '/v1/units')).json().units as { id: string; name: string }[]).map((x) => [x.id, x.name]));

  it('When the heat table is exported, then the file holds the same counts as the JSON, named in Chinese, with a BOM for Excel', async () => {
    const file = await csv(`/v1/stats/matrix.csv?rows=district&cols=category&${MARCH}`);
    expect(file.status).toBe(200);
    expect(file.type).toBe('text/csv; charset=utf-8');
    expect(file.disposition).toMatch(/^attachment; filename="bangnong-district-by-category-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(file.raw.startsWith('\uFEFF')).toBe(true);
    const unit = await names();
    expect(file.rows).toEqual([
      ['区', '餐饮油烟', '无证设摊', '其他', '总数'],
      [unit.get(u.D1), '4', '2', '0', '6'],
      [unit.get(u.D2), '1', '0', '1', '2'],
    ]);
  });

  it('When weeks are the columns, then they run in order; and in English the headers are English', async () => {
    const file = await csv('/v1/stats/matrix.csv?rows=squad&cols=week&lang=en', keys.d1);
    const unit = await names();
    expect(file.rows).toEqual([
      ['Squad', '2026-03-02', '2026-03-09', 'Total'],
      [unit.get(u.A), '3', '1', '4'],
      [unit.get(u.B), '2', '0', '2'],
    ]);
  });

  it('When satisfaction, the trend and the overview are exported, then each holds the figures of its view', async () => {
    const unit = await names();
    expect((await csv(`/v1/stats/satisfaction.csv?by=district&${MARCH}`)).rows).toEqual([
      ['区', '案件数', '已结案', '已评价', '满意', '基本满意', '不满意', '满意率（%）', '参评率（%）'],
      [unit.get(u.D1), '6', '4', '3', '1', '1', '1', '66.7', '75'],
      [unit.get(u.D2), '2', '1', '1', '1', '0', '0', '100', '100'],
    ]);
    const trend = (await csv(`/v1/stats/trend.csv?unit=${u.D3}&around=2026-05-06&weeks=2`)).rows;
    expect(trend.slice(1)).toEqual([
      ['2026-04-20', '-2', '6', '6', '4', '1', '1', '83.3'],
      ['2026-04-27', '-1', '4', '4', '2', '0', '2', '50'],
      ['2026-05-04', '0', '4', '2', '1', '1', '0', '100'],
      ['2026-05-11', '1', '3', '2', '1', '0', '1', '50'],
      ['之前 2 周', '', '10', '10', '', '', '', '70'],
      ['之后 2 周', '', '7', '4', '', '', '', '75'],
      ['变化（%，满意率为百分点）', '', '-30', '', '', '', '', '5'],
    ]);
    const overview = (await csv('/v1/stats/overview.csv', keys.d1)).rows;
    expect(overview.slice(0, 4)).toEqual([
      ['指标', '数量', '占比（%）', '中位用时（小时）', '90 分位用时（小时）'],
      ['案件总数', '6', '', '', ''],
      ['办理中', '2', '', '', ''],
      ['超期', '1', '50', '', ''],
    ]);
    expect(overview).toContainEqual(['环节用时：处置中', '2', '', '15', '19']);
  });

  it('When an export asks for more than the viewer may see or names an unknown field, then the same 403 and 400 as the view', async () => {
    expect((await csv(`/v1/stats/matrix.csv?unit=${u.D2}`, keys.d1)).status).toBe(403);
    for (const url of ['/v1/stats/overview.csv?lang=fr', '/v1/stats/matrix.csv?rows=category&cols=category', '/v1/stats/trend.csv', '/v1/stats/satisfaction.csv?colour=red']) {
      const res = await env.request('GET', url, { key: env.keys.supervisor });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toEqual(expect.any(String));
    }
  });
});
