// The two reads the desk's workbench adds: a case's possible duplicates (GET /v1/cases/:id/similar), seen
// with the same reach and masking as the list, and the answers to the citizen it starts from
// (GET /v1/answer-templates, policy/answer-templates.json).

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_TEMPLATES_FILE, loadAnswerTemplates } from '../api/templates.js';
import { DEPARTMENTS } from '../domain/case.js';
import { type Case, caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from './support.js';

interface Workstation { id: string; squadId: string; district: string; street: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let original: Case;
let duplicate: Case;
let unrelated: Case;
let atTheCity: Case;
let elsewhere: Case;
let squadDesk: string;
let minhangDesk: string;
let xuhuiDesk: string;

const QIBAO = { address: '闵行区七宝镇漕宝路88号', district: '闵行区', street: '七宝镇' };
const STALLS = {
  title: '漕宝路菜场门口夜市摊贩占道经营',
  description: '每天晚上七点以后漕宝路菜场门口有十几个摊贩占用人行道经营，油烟很大，行人只能走机动车道。',
  category: 'street_vending',
};
const STALLS_AGAIN = {
  title: '漕宝路菜场门口夜间摊贩占道',
  description: '漕宝路菜场门口每天晚上七点以后有很多摊贩占用人行道经营，行人只能走机动车道，油烟很大。',
};

const similar = (id: string, key: string) => env.request('GET', `/v1/cases/${id}/similar`, { key });
const similarIds = async (id: string, key: string) => {
  const res = await similar(id, key);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().similar as { case: { id: string } }[]).map((s) => s.case.id);
};

beforeAll(async () => {
  env = await createTestEnv('desk_api');
  c = caseClient(env);
  const stations = (await env.request('GET', '/v1/workstations')).json().workstations as Workstation[];
  const qibao = stations.find((w) => w.district === '闵行区' && w.street === '七宝镇')!;
  const xuhui = stations.find((w) => w.district === '徐汇区')!;
  squadDesk = (await env.principal('desk', qibao.squadId, '七宝镇中队受理员')).key;
  minhangDesk = (await env.principal('desk', await c.districtOf(qibao.squadId), '闵行区受理员')).key;
  xuhuiDesk = (await env.principal('desk', await c.districtOf(xuhui.squadId), '徐汇区受理员')).key;

  original = await c.file({ ...STALLS, location: QIBAO, workstationId: qibao.id });
  unrelated = await c.file({ title: '小区楼顶违法搭建', description: '12号楼顶层住户在楼顶搭建彩钢板房，已经连续施工三天。', location: QIBAO, workstationId: qibao.id });
  // The same complaint, filed without a workstation: it lies at the city until triage places it.
  atTheCity = await c.file({ ...STALLS, title: '菜场门口摊贩占道经营', location: QIBAO });
  elsewhere = await c.file({ ...STALLS, location: { address: '徐汇区湖南街道武康路1号', district: '徐汇区', street: xuhui.street }, workstationId: xuhui.id });
  duplicate = await c.file({ ...STALLS_AGAIN, location: QIBAO, workstationId: qibao.id, citizen: { name: '李大妈', phone: '13900001111' } });
});

afterAll(async () => env?.close());

describe('GET /v1/cases/:id/similar', () => {
  it('When the desk looks at a near-identical complaint, then the earlier one is its best match, and neither the unrelated case in the same street, one in another district, nor the case itself is', async () => {
    const res = await similar(duplicate.id, env.keys.desk!);
    expect(res.statusCode, res.body).toBe(200);
    const found = res.json().similar as { similarity: number; case: Case }[];
    expect(found.map((s) => s.case.id)).toEqual([original.id, atTheCity.id]);
    expect(found[0]!.similarity).toBeGreaterThan(0.5);
    expect(found[0]!.case).toMatchObject({ title: STALLS.title, state: 'triage', citizen: { name: '王小明', phone: '13812345678' } });
    expect(found.map((s) => s.case.id)).not.toContain(unrelated.id);
    expect(found.map((s) => s.case.id)).not.toContain(elsewhere.id);
    expect(found.map((s) => s.case.id)).not.toContain(duplicate.id);
    // Unrelated text: no match at all.
    expect(await similarIds(unrelated.id, env.keys.desk!)).toEqual([]);
  });

  it('When the city desk sees them unmasked, then the read is in the audit log as a list', async () => {
    await similarIds(duplicate.id, env.keys.desk!);
    const rows = await env.database.sql<{ operation: string; case_ids: string[] }[]>`
      select operation, case_ids from audit_log where principal_id = ${env.principalIds.desk!} and ${original.id} = any(case_ids)`;
    expect(rows.map((r) => r.operation)).toContain('case.list');
  });

  it("When a desk below the city asks, then it sees only the matches inside its unit, and a case outside its unit answers 403", async () => {
    expect(await similarIds(duplicate.id, minhangDesk)).toEqual([original.id]);
    expect(await similarIds(duplicate.id, squadDesk)).toEqual([original.id]);
    const outside = await similar(duplicate.id, xuhuiDesk);
    expect(outside.statusCode).toBe(403);
    expect(outside.json().error).toMatch(new RegExp(`^case ${duplicate.id}: `));
    expect((await similar(elsewhere.id, minhangDesk)).statusCode).toBe(403);
    // In its own district, the complaint filed in Xuhui finds nothing in Minhang.
    expect(await similarIds(elsewhere.id, xuhuiDesk)).toEqual([]);
  });

  it('When a reporter asks, then the matches come without the citizen and with the tracking code masked', async () => {
    const res = await similar(duplicate.id, env.keys.reporter!);
    expect(res.statusCode, res.body).toBe(200);
    const [first] = res.json().similar as { case: Case }[];
    expect(first!.case.id).toBe(original.id);
    expect(first!.case.citizen).toBeUndefined();
    expect(res.body).not.toContain('138****5678');
    expect(first!.case.trackingCode).toMatch(/^BN\*+$/);
    expect(res.body).not.toContain('13812345678');
  });

  it('When the case does not exist or the query has a field, then 404 and 400', async () => {
    expect((await similar('no-such-case', env.keys.desk!)).statusCode).toBe(404);
    const extra = await env.request('GET', `/v1/cases/${duplicate.id}/similar?limit=50`, { key: env.keys.desk });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().issues.map((i: { path: string }) => i.path)).toEqual(['querystring.limit']);
  });
});

describe('GET /v1/answer-templates', () => {
  it('When any key holder asks, then every template comes with its outcome, text and title, the placeholders and every department by its Chinese name', async () => {
    const res = await env.request('GET', '/v1/answer-templates', { key: env.keys.desk });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { templates: { id: string; outcome: string; category?: string; title: string; text: string }[]; placeholders: { name: string }[]; departments: { id: string; name: string }[] };
    expect(body.templates.length).toBeGreaterThanOrEqual(4);
    expect(new Set(body.templates.map((t) => t.outcome))).toEqual(new Set(['resolved', 'transferred', 'explained', 'default']));
    for (const t of body.templates) expect(t.text).toMatch(/[\u4e00-\u9fff]/);
    expect(body.placeholders.map((p) => p.name).sort()).toEqual(['address', 'date', 'department', 'explanation', 'resolution', 'title', 'trackingCode']);
    expect(body.departments.map((d) => d.id).sort()).toEqual([...DEPARTMENTS].sort());
    expect(body.departments.find((d) => d.id === 'housing')!.name).toBe('房屋管理部门');
    expect((await env.request('GET', '/v1/answer-templates', { key: null })).statusCode).toBe(401);
  });

  it("When asked for a case's outcome and category, then the templates that fit it come most specific first", async () => {
    const res = await env.request('GET', '/v1/answer-templates?outcome=transferred&category=illegal_renting', { key: env.keys.desk });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json().templates as { id: string }[]).map((t) => t.id)).toEqual(['transferred-illegal_renting', 'transferred', 'default']);
    const resolved = await env.request('GET', '/v1/answer-templates?outcome=resolved&category=cooking_fumes', { key: env.keys.desk });
    expect((resolved.json().templates as { id: string }[]).map((t) => t.id)).toEqual(['resolved', 'default']);
  });

  it('When the query has an unknown field or an outcome no answer follows, then 400 names it', async () => {
    const unknown = await env.request('GET', '/v1/answer-templates?lang=en', { key: env.keys.desk });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues.map((i: { path: string }) => i.path)).toEqual(['querystring.lang']);
    const withdrawn = await env.request('GET', '/v1/answer-templates?outcome=withdrawn', { key: env.keys.desk });
    expect(withdrawn.statusCode).toBe(400);
    expect(withdrawn.json().issues.map((i: { path: string }) => i.path)).toEqual(['querystring.outcome']);
  });

  it('When the templates file names a placeholder that does not exist or leaves a department unnamed, then it does not load', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bangnong-templates-'));
    try {
      const good = JSON.parse(await readFile(ANSWER_TEMPLATES_FILE, 'utf8'));
      const file = path.join(dir, 'answer-templates.json');
      await writeFile(file, JSON.stringify({ ...good, templates: [...good.templates, { id: 'typo', outcome: 'resolved', title: 't', text: '您好 {adress}' }] }));
      expect(() => loadAnswerTemplates(file)).toThrow(/template typo uses \{adress\}/);
      await writeFile(file, JSON.stringify({ ...good, departments: good.departments.slice(1) }));
      expect(() => loadAnswerTemplates(file)).toThrow(/department police has no name/);
      expect(loadAnswerTemplates().templates.length).toBe(good.templates.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
