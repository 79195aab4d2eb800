// The dashboard on the demo data (dev/demo-data.ts: complaints across the liaison points walked through
// their lifecycles, some left to run late), in a real browser: a district supervisor sees only the
// district's cases, the overdue ones most late first, the charts and the map in Chinese; and the CSV
// exports it downloads hold the rows it sees. Screenshots: .data/test-artifacts/demo-*.png.

import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPrincipal } from '../../db/queries/principals.js';
import { CITY } from '../../db/seed.js';
import { type DemoApi, type IssueKey, demoPolicy, issueDemoKeys, issueIntakeKeys, planDemo, readStations, runDemo } from '../../dev/demo-data.js';
import { type TestEnv, createTestEnv, defaultPolicy, eventually } from '../support.js';
import { PHONE, screenshots, serveConsole, signInConsole } from './chromium.js';

let env: TestEnv;
let browser: Browser;
let base: string;
/** The district with the most overdue cases, its supervisor's key, and its name. */
const district = { id: '', name: '', key: '' };
let expected: { id: string; deadlineAt: string }[];

beforeAll(async () => {
  env = await createTestEnv('browser-demo', { policy: demoPolicy(defaultPolicy(), { triage: '1s', acceptance: '1s' }) });
  const api: DemoApi = {
    request: async (method, url, key, body) => {
      const res = await env.request(method, url, { key, body });
      return { status: res.statusCode, json: res.body ? res.json() : undefined };
    },
  };
  const issue: IssueKey = async ({ label, role, unitId, channel }) => (await createPrincipal(env.database.db, { name: label, role, unitId, ...(channel ? { channel } : {}) })).key;
  const plan = planDemo({ cases: 60, seed: 'browser-demo', run: 'browser', stations: await readStations(api, (await issueIntakeKeys(issue, CITY.id)).hotline) });
  const report = await runDemo({ api, plan, keys: await issueDemoKeys(issue, CITY.id, plan), concurrency: 8 });
  expect(report.problems).toEqual([]);

  // Once the short deadlines have passed: the district with the most overdue cases.
  const overdue = async () => (await env.request('GET', '/v1/cases?overdue=true&limit=200', { key: env.keys.supervisor })).json().cases as { id: string; districtId?: string; location: { district?: string }; assignedUnitPath: string }[];
  const late = new Set(report.cases.filter((c) => c.late).map((c) => c.id));
  const all = await eventually(overdue, (cases) => [...late].every((id) => cases.some((c) => c.id === id)), 15_000, 'the late cases overdue');
  const counts = new Map<string, number>();
  for (const c of all) {
    const d = c.assignedUnitPath.split('/')[1];
    if (d) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  [district.id] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  const units = (await env.request('GET', '/v1/units')).json().units as { id: string; name: string }[];
  district.name = units.find((u) => u.id === district.id)!.name;
  district.key = (await env.principal('supervisor', district.id, `${district.name}主管`)).key;
  ({ browser, base } = await serveConsole(env));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const shot = screenshots('demo');

async function signIn(key: string) {
  const session = await signInConsole(browser, base, key);
  await session.page.locator('#heat-table').waitFor();
  return session;
}

/** The file a click on `selector` downloads, parsed. */
async function download(page: Page, selector: string): Promise<{ name: string; rows: string[][] }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const text = await readFile((await file.path())!, 'utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  return { name: file.suggestedFilename(), rows: parse(text, { bom: true }) as string[][] };
}

it("When a district supervisor opens the dashboard on the demo data, then only the district's cases, the overdue ones most late first, and the charts and map in Chinese", async () => {
  const { page, errors, close } = await signIn(district.key);
  // What the API says the district has overdue, and when each fell due.
  expected = (await env.request('GET', `/v1/cases?overdue=true&unit=${district.id}&limit=200`, { key: env.keys.supervisor })).json().cases;
  expect(expected.length).toBeGreaterThanOrEqual(2);
  const shown = await page.$$eval('#overdue tbody tr', (rows) => rows.map((r) => r.getAttribute('data-case')));
  expect(shown).toEqual([...expected].sort((a, b) => Date.parse(a.deadlineAt) - Date.parse(b.deadlineAt) || a.id.localeCompare(b.id)).map((c) => c.id));
  expect(await page.locator('#overdue tbody tr').first().locator('td.late').textContent()).toMatch(/^超期 \d+ (秒|分钟)/);

  // Every row of the heat table is one of the district's squads; the map shades the district alone.
  const squads = ((await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null }[]).filter((u) => u.parentId === district.id).map((u) => u.id);
  const rows = await page.$$eval('#heat-table tbody tr', (trs) => trs.map((r) => r.getAttribute('data-row')));
  expect(rows.length).toBeGreaterThanOrEqual(1);
  expect(rows.every((r) => r !== null && squads.includes(r))).toBe(true);
  const map = await page.evaluate(() => {
    const echarts = (window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): { series: { data: { name: string; value?: number }[] }[] } } } }).echarts;
    return echarts.getInstanceByDom(document.getElementById('district-map')!).getOption().series[0]!.data.filter((d) => d.value !== undefined).map((d) => d.name);
  });
  expect(map).toEqual([district.name]);
  const categories = await page.evaluate(() => {
    const echarts = (window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): { yAxis: { data: string[] }[] } } } }).echarts;
    return echarts.getInstanceByDom(document.getElementById('category-chart')!).getOption().yAxis[0]!.data;
  });
  expect(categories.length).toBeGreaterThanOrEqual(1);
  expect(categories.every((c) => /^[\u4e00-\u9fff]+$/.test(c))).toBe(true);
  const stages = await page.evaluate(() => {
    const echarts = (window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): { series: { name: string }[]; yAxis: { data: string[] }[] } } } }).echarts;
    const o = echarts.getInstanceByDom(document.getElementById('stage-chart')!).getOption();
    return { series: o.series.map((x) => x.name), states: o.yAxis[0]!.data, p90: (o.series[1] as unknown as { data: number[] }).data, unit: (o as unknown as { xAxis: { name: string }[] }).xAxis[0]!.name };
  });
  expect(stages.series).toEqual(['中位数', '90 分位']);
  // The demo walks its cases in seconds: the chart says so, and its bars are not all zero.
  expect(['秒', '分钟']).toContain(stages.unit);
  expect(stages.p90.some((v) => v > 0)).toBe(true);
  expect(stages.states).toContain('待分拣');
  await shot(page, 'district-desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300);
  await shot(page, 'district-phone');
  expect(errors).toEqual([]);
  await close();
});

it('When the supervisor exports the overdue list and the heat table, then each file holds the rows on the screen', async () => {
  const { page, errors, close } = await signIn(district.key);
  const shown = await page.$$eval('#overdue tbody tr', (rows) => rows.map((r) => [r.getAttribute('data-case'), r.querySelector('a')!.textContent]));
  const overdue = await download(page, '#export-overdue');
  expect(overdue.name).toMatch(/^bangnong-cases-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(overdue.rows[0]!.slice(0, 3)).toEqual(['案件编号', '查询码', '标题']);
  expect(overdue.rows.slice(1).map((r) => [r[0], r[2]])).toEqual(shown);

  const table = await page.$$eval('#heat-table tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)));
  const heat = await download(page, '#export-heat');
  expect(heat.rows).toEqual(table);
  expect(errors).toEqual([]);
  await close();
});
