// 创范评优 in a real browser: the supervisor of 长宁区 (in Chinese) opens the scorecard from the header, picks
// October 2026, and sees the table of every measure, the chart of the top scores and the "50 best" with
// Chinese labels, the formula in words; sorts a column; and exports the CSV, which holds the rows on the
// screen. Screenshots: .data/test-artifacts/scorecard-*.png.

import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { D1, WS, insertOctober } from '../scorecard-data.js';
import { type TestEnv, createTestEnv } from '../support.js';
import { PHONE, screenshots, serveConsole, signInConsole } from './chromium.js';

let env: TestEnv;
let browser: Browser;
let base: string;
let key = '';

beforeAll(async () => {
  env = await createTestEnv('scorecard-browser');
  ({ browser, base } = await serveConsole(env));
  key = (await env.principal('supervisor', D1, '长宁区主管')).key;
  await insertOctober(env);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const shot = screenshots('scorecard');

/** The table as the screen shows it: each row's cells by column. */
const table = (page: Page) =>
  page.$$eval('#scorecard-table tbody tr', (rows) =>
    rows.map((r) => ({ id: r.getAttribute('data-id'), ...Object.fromEntries([...r.querySelectorAll('[data-col]')].map((c) => [c.getAttribute('data-col'), c.textContent ?? ''])) })));

interface Option { series: { name: string; data: number[] }[]; yAxis: { data: string[] }[]; xAxis: { name: string }[] }
const chartOption = (page: Page): Promise<Option> =>
  page.evaluate(() => {
    const echarts = (window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): unknown } } }).echarts;
    return JSON.parse(JSON.stringify(echarts.getInstanceByDom(document.getElementById('scorecard-chart')!).getOption())) as Option;
  });

/** How many pixels of the chart's canvas are drawn. */
const painted = (page: Page) =>
  page.$eval('#scorecard-chart canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });

it('When the district supervisor opens 评优 for October, then the table, the chart, the "50 best" and the formula speak Chinese, a column sorts, and the CSV holds the rows on screen', async () => {
  const { page, errors, close } = await signInConsole(browser, base, key);
  await page.click('#nav-scorecard');
  await page.locator('#scorecard-table').waitFor();
  expect(await page.locator('h1').textContent()).toBe('创范评优');

  // The period picker: a month.
  await page.selectOption('#scorecard-period', 'month');
  await page.fill('#scorecard-month', '2026-10');
  await page.click('#scorecard-apply');
  await expect.poll(() => page.url()).toContain('month=2026-10');
  await expect.poll(() => page.locator('#scorecard-summary').textContent()).toBe('期间：2026-10（2026-10-01 至 2026-10-31）· 已结束的周 4 个 · 已结束的月 1 个 · 参与排名 3 / 4');

  const headers = await page.$$eval('#scorecard-table thead th', (ths) => ths.map((th) => th.textContent));
  expect(headers).toEqual(['排名', '名称', '中队', '区', '勤务达标率（%）', '受理案件', '按时办结率（%）', '就地解决率（%）', '满意率（%）', '宣传发布', '宣传达标率（%）', '得分', '备注']);
  const rows = await table(page);
  expect(rows.map((r) => r.id)).toEqual([WS.W1, WS.W3, WS.W2, WS.W5]);
  expect(rows[0]).toMatchObject({ rank: '1', name: '天山二村居委城管执法社区工作室', squad: '长宁区天山路街道中队', district: '长宁区', dutyCompliance: '75.0%（3/4）', cases: '10', onTimeRate: '77.8%', solvedOnSiteRate: '50.0%', satisfaction: '83.3%', publicityReleased: '2', publicityCompliance: '100.0%', score: '76.81', note: '' });
  expect(rows[3]).toMatchObject({ rank: '—', satisfaction: '—', score: '0.00', note: '受理案件少于 3 件，不参与排名' });

  // The chart: the ranked ones' scores, best at the top, named in Chinese.
  const chart = await chartOption(page);
  expect(chart.series.map((s) => s.name)).toEqual(['得分']);
  expect(chart.xAxis[0]!.name).toBe('得分');
  expect(chart.yAxis[0]!.data).toEqual(['天山二村居委城管执法社区工作室', '元丰花园居委城管执法社区工作室', '友谊居委城管执法社区工作室']);
  expect(chart.series[0]!.data).toEqual([76.81, 75, 75]);
  await expect.poll(() => painted(page), { timeout: 5_000 }).toBeGreaterThan(1_000);

  expect(await page.locator('#panel-best h2').textContent()).toBe('“50 佳”推荐名单');
  expect(await page.$$eval('#best-list li', (lis) => lis.map((li) => li.textContent))).toEqual([
    '天山二村居委城管执法社区工作室（长宁区天山路街道中队）· 76.81 分',
    '元丰花园居委城管执法社区工作室（长宁区北新泾街道中队）· 75.00 分',
    '友谊居委城管执法社区工作室（长宁区天山路街道中队）· 75.00 分',
  ]);
  expect(await page.locator('#scorecard-formula .formula').textContent()).toBe(
    '得分 = 100 × (勤务达标率 × 25% + 按时办结率 × 20% + 就地解决率 × 15% + 满意率 × 30% + 宣传达标率 × 10%) ÷ 参与计算的权重之和，保留两位小数。',
  );
  expect(await page.locator('#scorecard-formula').textContent()).toContain('得分相同时，受理案件多者在前；仍相同时按编号排序。');
  await shot(page, 'district-zh-desk');

  // 导出 CSV: the rows on the screen, in the same order, with the same figures.
  expect(await page.locator('#export-scorecard').textContent()).toBe('导出 CSV');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-scorecard')]);
  expect(download.suggestedFilename()).toMatch(/^bangnong-scorecard-workstation-2026-10-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = await readFile((await download.path())!, 'utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  const [header, ...csv] = parse(text, { bom: true }) as string[][];
  const cell = (row: string[], name: string) => row[header!.indexOf(name)]!;
  const plain = (shown: string) => (shown === '—' ? '' : shown.replace(/%.*$/, ''));
  /** "77.8%" on the screen is 77.8 in the file; "—" (nothing to judge) an empty cell. */
  const pct = (shown: string) => plain(shown) && String(Number(plain(shown)));
  expect(csv.map((r) => [cell(r, '编号'), cell(r, '排名'), cell(r, '名称'), cell(r, '中队'), cell(r, '区'), cell(r, '受理案件'), cell(r, '勤务达标率（%）'), cell(r, '按时办结率（%）'), cell(r, '就地解决率（%）'), cell(r, '满意率（%）'), cell(r, '宣传发布'), cell(r, '宣传达标率（%）'), Number(cell(r, '得分')), cell(r, '备注')])).toEqual(
    rows.map((r) => [r.id, plain(r.rank!), r.name, r.squad, r.district, r.cases, pct(r.dutyCompliance!), pct(r.onTimeRate!), pct(r.solvedOnSiteRate!), pct(r.satisfaction!), r.publicityReleased, pct(r.publicityCompliance!), Number(r.score), r.note]),
  );

  // Sorting by satisfaction: the highest first, the ones with nothing rated last.
  await page.click('#scorecard-table thead th[data-col=satisfaction] button');
  expect(await page.locator('#scorecard-table thead th[data-col=satisfaction]').getAttribute('aria-sort')).toBe('descending');
  expect((await table(page)).map((r) => r.id)).toEqual([WS.W2, WS.W1, WS.W3, WS.W5]);

  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300);
  await shot(page, 'district-zh-phone');
  expect(errors).toEqual([]);
  await close();
});
