// The case list as CSV (GET /v1/cases.csv): every case the list's filter matches, in the list's order,
// each as the list shows it to that reader — the citizen masked for a reporter, unmasked (and the read in
// the audit log) for a supervisor — and a filter wider than an export holds refused, not cut short.

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedCases } from '../bench/seed-cases.js';
import { EXPORT_MAX_ROWS } from '../api/exports.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from './support.js';

let env: TestEnv;
const filed: { id: string; title: string }[] = [];

beforeAll(async () => {
  env = await createTestEnv('exports');
  const c = caseClient(env);
  for (const [i, title] of ['夜间施工噪音', '餐饮油烟, 还有"引号"', '无证设摊\n第二行'].entries()) {
    const k = await c.file({ title, externalId: `export-${i}` });
    filed.push({ id: k.id, title });
  }
}, 60_000);
afterAll(async () => env?.close());

const exportAs = async (key: string | undefined, query = '') => {
  const res = await env.request('GET', `/v1/cases.csv${query}`, { key: key! });
  return { res, rows: res.statusCode === 200 ? (parse(res.body, { bom: true }) as string[][]) : [] };
};

it('When a supervisor exports the list, then the file has the same cases in the same order as the list, with quotes and line breaks kept', async () => {
  const list = (await env.request('GET', '/v1/cases?limit=200', { key: env.keys.supervisor })).json().cases as { id: string; title: string }[];
  const { res, rows } = await exportAs(env.keys.supervisor);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
  const [header, ...body] = rows;
  expect(header!.slice(0, 6)).toEqual(['案件编号', '查询码', '标题', '类别', '渠道', '状态']);
  expect(body.map((r) => [r[0], r[2]])).toEqual(list.map((c) => [c.id, c.title]));
  expect(body.map((r) => r[2]).sort()).toEqual(filed.map((f) => f.title).sort());
  const row = body.find((r) => r[0] === filed[0]!.id)!;
  const at = (name: string) => row[header!.indexOf(name)];
  expect([at('类别'), at('渠道'), at('状态'), at('处置层级'), at('是否超期')]).toEqual(['未分类', '新民帮侬', '待分拣', '中队', '否']);
  expect(at('受理时间')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  expect([at('投诉人'), at('联系电话')]).toEqual(['王小明', '13812345678']);
});

it('When a reporter exports, then no name or phone is in the file, and only the unmasked export is in the audit log', async () => {
  const { res } = await exportAs(env.keys.reporter);
  expect(res.statusCode).toBe(200);
  expect(res.body).not.toContain('13812345678');
  expect(res.body).not.toContain('王小明');
  const audit = (await env.request('GET', '/v1/audit?limit=200', { key: env.keys.supervisor })).json().entries as { principalId: string; operation: string; caseIds: string[] }[];
  const lists = audit.filter((e) => e.operation === 'case.list');
  expect(lists.some((e) => e.principalId === env.principalIds.supervisor && filed.every((f) => e.caseIds.includes(f.id)))).toBe(true);
  expect(lists.some((e) => e.principalId === env.principalIds.reporter)).toBe(false);
});

it('When the export is filtered or asked in English, then it holds the matching cases under English headers', async () => {
  const { rows } = await exportAs(env.keys.supervisor, `?q=${encodeURIComponent(filed[0]!.id)}&lang=en`);
  expect(rows[0]!.slice(0, 3)).toEqual(['Case', 'Tracking code', 'Title']);
  expect(rows.slice(1).map((r) => r[0])).toEqual([filed[0]!.id]);
  expect(rows[1]![rows[0]!.indexOf('State')]).toBe('Triage');
});

it('When a parameter is unknown or paging is asked for, then 400 naming it', async () => {
  for (const [query, path] of [['?limit=5', 'querystring'], ['?cursor=x', 'querystring'], ['?lang=fr', 'querystring.lang'], ['?colour=red', 'querystring']]) {
    const res = await env.request('GET', `/v1/cases.csv${query}`, { key: env.keys.supervisor });
    expect(res.statusCode, query).toBe(400);
    expect(JSON.stringify(res.json()), query).toContain(path);
  }
});

it(`When more than ${EXPORT_MAX_ROWS} cases match, then 400 says to narrow the filter, and a narrower filter exports`, async () => {
  await seedCases(env.database.sql, EXPORT_MAX_ROWS + 1);
  const wide = await env.request('GET', '/v1/cases.csv', { key: env.keys.supervisor });
  expect(wide.statusCode).toBe(400);
  expect(wide.json().error).toMatch(/more than 10,000 cases match: narrow the export/);
  const narrow = await exportAs(env.keys.supervisor, '?channel=xinmin');
  expect(narrow.rows).toHaveLength(1 + filed.length);
}, 60_000);
