// The supervisors' dashboard in a real browser: complaints filed in two districts, then the city's
// supervisor and a district's supervisor each see the filter, the heat table, the map, the trend, stage
// and satisfaction charts and the before/after comparison, in Chinese (English on request), on a desk and
// on a phone. Screenshots go to .data/test-artifacts/dashboard-*.png for a person to look at.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CITY } from '../../db/seed.js';
import { caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from '../support.js';
import { DESK, PHONE, screenshots, serveConsole, signInConsole } from './chromium.js';


let env: TestEnv;
let browser: Browser;
let base: string;
const keys = { city: '', minhang: '' };
const squads = { first: '', second: '' };

beforeAll(async () => {
  env = await createTestEnv('dashboard');
  ({ browser, base } = await serveConsole(env));

  const c = caseClient(env);
  const inDistrict = async (name: string) =>
    (await env.request('GET', `/v1/workstations?district=${encodeURIComponent(name)}`)).json().workstations as { id: string; squadId: string }[];
  const minhang = await inDistrict('闵行区');
  const first = minhang[0]!;
  const second = minhang.find((w) => w.squadId !== first.squadId)!;
  const [pudong] = await inDistrict('浦东新区');
  squads.first = first.squadId;
  squads.second = second.squadId;
  keys.minhang = (await env.principal('supervisor', await c.districtOf(first.squadId), '闵行区主管')).key;
  keys.city = (await env.principal('supervisor', CITY.id, '市局主管')).key;

  await c.file({ title: '夜间施工噪音', category: 'night_construction_noise', workstationId: first.id });
  await c.file({ title: '餐饮油烟扰民', category: 'cooking_fumes', workstationId: first.id });
  await c.file({ title: '无证设摊', category: 'street_vending', workstationId: second.id });
  await c.file({ title: '浦东的油烟', category: 'cooking_fumes', workstationId: pudong!.id, location: { address: '浦东新区张江路1号', district: '浦东新区' } });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const shot = screenshots('dashboard');

async function signIn(key: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const session = await signInConsole(browser, base, key);
  await session.page.locator('#heat-table').waitFor();
  await expect.poll(() => painted(session.page, '#district-map'), { timeout: 5_000 }).toBeGreaterThan(1_000);
  return session;
}

/** How many pixels of the chart's canvas are drawn. */
const painted = (page: Page, selector: string) =>
  page.$eval(`${selector} canvas`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });

/** The map's regions that carry a value (ECharts lists every region of the map). */
const shaded = (data: unknown[]) => (data as { name: string; value?: number }[]).filter((d) => d.value !== undefined);

interface Option { series: { name: string; data: unknown[] }[]; xAxis: { name?: string; data?: string[] }[]; yAxis: { name?: string; data?: string[] }[] }
/** The chart's option as ECharts holds it. */
const option = (page: Page, id: string): Promise<Option> =>
  page.evaluate((id) => {
    const echarts = (window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): unknown } } }).echarts;
    return JSON.parse(JSON.stringify(echarts.getInstanceByDom(document.getElementById(id)!).getOption())) as Option;
  }, id);

/** The heat table as { row: { column: count } }. */
const heat = (page: Page) =>
  page.$$eval('#heat-table tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.getAttribute('data-row'), Object.fromEntries([...r.querySelectorAll('td[data-col]')].map((td) => [td.getAttribute('data-col'), Number(td.textContent)]))])));

it('When the city supervisor opens the dashboard, then the map shades both districts and the charts speak Chinese', async () => {
  const { context, page, errors } = await signIn(keys.city);
  expect(await page.locator('#panel-heat h2').textContent()).toBe('投诉热力表（区 × 类别）');
  expect(await heat(page)).toEqual({
    '310112': { night_construction_noise: 1, cooking_fumes: 1, street_vending: 1 },
    '310115': { night_construction_noise: 0, cooking_fumes: 1, street_vending: 0 },
  });
  const map = await option(page, 'district-map');
  expect(shaded(map.series[0]!.data)).toEqual([{ name: '闵行区', value: 3 }, { name: '浦东新区', value: 1 }]);

  const weekly = await option(page, 'weekly-chart');
  expect(weekly.yAxis[0]!.name).toBe('案件数');
  expect(weekly.series.map((s) => s.name)).toEqual(['总数', '超期']);
  expect(weekly.series[0]!.data).toEqual([4]);
  // Every case is still in its first state: no stage has ended, so there is nothing to time yet.
  expect(await page.locator('#stage-chart .empty').textContent()).toBe('暂无已完成的环节：案件离开一个环节后才计时。');
  const satisfaction = await option(page, 'satisfaction-chart');
  expect(satisfaction.series.map((s) => s.name)).toEqual(['满意率', '参评率']);
  expect(satisfaction.yAxis[0]!.data!.sort()).toEqual(['浦东新区', '闵行区'].sort());
  const trend = await option(page, 'trend-chart');
  expect(trend.series.map((s) => s.name)).toEqual(['投诉数', '满意率']);
  expect(await page.locator('#trend-summary tr[data-measure=total]').textContent()).toBe('投诉数04—');
  expect(await page.locator('#figures [data-figure=total] .figure-value').textContent()).toBe('4');
  await shot(page, 'city-zh-desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300);
  await shot(page, 'city-zh-phone');
  expect(errors).toEqual([]);
  await context.close();
});

it('When a district supervisor opens the dashboard and filters by a category, then the heat table shows its squads and narrows, a reload keeps the filter, and English works', async () => {
  const { context, page, errors } = await signIn(keys.minhang);
  expect(await page.locator('#panel-heat h2').textContent()).toBe('投诉热力表（中队 × 类别）');
  expect(await heat(page)).toEqual({
    [squads.first]: { night_construction_noise: 1, cooking_fumes: 1, street_vending: 0 },
    [squads.second]: { night_construction_noise: 0, cooking_fumes: 0, street_vending: 1 },
  });
  // Only the district's own units to narrow to.
  const units = await page.locator('#filter-unit option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(units).toContain(squads.first);
  expect(units.every((u) => u === '' || u.startsWith('310112'))).toBe(true);
  expect(shaded((await option(page, 'district-map')).series[0]!.data)).toEqual([{ name: '闵行区', value: 3 }]);
  expect(await page.locator('#figures [data-figure=total] .figure-value').textContent()).toBe('3');
  await shot(page, 'district-zh-desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300);
  await shot(page, 'district-zh-phone');
  await page.setViewportSize(DESK);

  await page.selectOption('#filter-category', 'cooking_fumes');
  await page.click('#filter-apply');
  await expect.poll(() => heat(page)).toEqual({ [squads.first]: { cooking_fumes: 1 } });
  expect(page.url()).toContain('category=cooking_fumes');
  await page.reload();
  await page.locator('#heat-table').waitFor();
  expect(await heat(page)).toEqual({ [squads.first]: { cooking_fumes: 1 } });
  expect(await page.locator('#filter-category').inputValue()).toBe('cooking_fumes');
  await shot(page, 'district-filtered-zh-desk');

  await page.click('button[data-lang=en]');
  await expect.poll(() => page.locator('#panel-heat h2').textContent()).toBe('Complaints by squad × category');
  expect((await option(page, 'weekly-chart')).yAxis[0]!.name).toBe('Cases');
  await shot(page, 'district-en-desk');
  expect(errors).toEqual([]);
  await context.close();
});
