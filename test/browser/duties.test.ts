// 勤务日志 in a real browser, in Chinese: a liaison officer on a phone (390 × 844) logs a visit to a
// workstation of the squad — the last two hours by default, what was done, a note and a photo from the
// camera — and sees the workstation's week complete; the district's supervisor, at a desk, sees the week's
// compliance table for the unit, the month's publicity, the shortfall the weekly check found, and the same
// shortfall on the dashboard. Screenshots go to .data/test-artifacts/duties-*.png for a person to look at.

import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { previousShanghaiWeek, shanghaiWeekOf } from '../../domain/periods.js';
import { loadDutiesPolicy } from '../../platform/duties-policy.js';
import { backfillDuties } from '../../platform/schedules.js';
import { type TestEnv, createTestEnv } from '../support.js';
import { DESK, PHONE, screenshots, serveConsole } from './chromium.js';

interface Workstation { id: string; name: string; squadId: string }
interface Unit { id: string; name: string; parentId: string | null; kind: string }

let env: TestEnv;
let browser: Browser;
let base: string;
const keys = { officer: '', supervisor: '' };
let visited: Workstation;
let unvisited: Workstation;
let squad: Unit;
let photo: Buffer;
const shot = screenshots('duties');

beforeAll(async () => {
  env = await createTestEnv('console_duties');
  ({ browser, base } = await serveConsole(env));
  const stations = (await env.request('GET', '/v1/workstations')).json().workstations as Workstation[];
  const units = (await env.request('GET', '/v1/units')).json().units as Unit[];
  const bySquad = new Map<string, Workstation[]>();
  for (const w of stations) bySquad.set(w.squadId, [...(bySquad.get(w.squadId) ?? []), w]);
  const [squadId, mine] = [...bySquad.entries()].find(([, list]) => list.length >= 2)!;
  squad = units.find((u) => u.id === squadId)!;
  [visited, unvisited] = [mine[0]!, mine[1]!];
  keys.officer = (await env.principal('officer', squad.id, '李联络员')).key;
  keys.supervisor = (await env.principal('supervisor', squad.parentId!, '区局主管')).key;
  // Last week went by without a visit: the weekly check (as the schedule would run it) records the shortfalls.
  await backfillDuties(env.temporal, { taskQueue: env.taskQueue, policy: loadDutiesPolicy(), range: previousShanghaiWeek(new Date()), kinds: ['weekly_visits'] });
  const blotches = sharp(randomBytes(130 * 98 * 3), { raw: { width: 130, height: 98, channels: 3 } });
  photo = await blotches.resize(2600, 1950).jpeg({ quality: 85 }).toBuffer();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function signIn(key: string, viewport: typeof PHONE | typeof DESK): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...(viewport === PHONE ? { isMobile: true, hasTouch: true } : {}) });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('401')) errors.push(m.text());
  });
  await page.goto(`${base}/console/`);
  await page.fill('#key', key);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#who').waitFor();
  return { context, page, errors };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const station = (page: Page, id: string) => page.locator(`#duty-week-list [data-workstation="${id}"]`);

it('When an officer logs a visit on a phone, with a photo, then the workstation\'s week shows complete', async () => {
  const { context, page, errors } = await signIn(keys.officer, PHONE);
  await page.click('#nav-duties');
  await page.locator('#duty-week-list').waitFor();
  expect(await page.locator('h1').textContent()).toBe('勤务日志');
  expect(await station(page, visited.id).textContent()).toContain('还差 120 分钟');
  // Only the squad's workstations to pick from; the last two hours by default.
  const options = await page.locator('#duty-workstation option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  expect(options).toContain(visited.id);
  expect(options).toContain(unvisited.id);
  const [start, end] = [await page.inputValue('#duty-start'), await page.inputValue('#duty-end')];
  expect(Date.parse(end) - Date.parse(start)).toBe(2 * 3_600_000);
  expect(await page.locator('#duty-activities label').allTextContents()).toEqual(['社区巡查', '投诉处置', '普法宣传', '意见征集', '物业监督', '社区参与']);

  await page.selectOption('#duty-workstation', visited.id);
  // Nothing ticked: said in words, nothing sent.
  await page.click('#duty-submit');
  expect(await page.locator('#duty-said').textContent()).toBe('请至少选择一项开展的工作。');
  await page.check('#duty-activity-patrol');
  expect(await page.locator('#duty-said').textContent()).toBe('');
  await page.check('#duty-activity-property_supervision');
  await page.fill('#duty-note', '巡查小区环境，督促物业清理楼道堆物');
  const picker = page.locator('#duty-photos');
  expect(await picker.getAttribute('capture')).toBe('environment');
  await picker.setInputFiles({ name: 'IMG_0420.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect.poll(() => page.locator('#duty-photo-list .photo img').evaluate((img: HTMLImageElement) => img.naturalWidth > 0)).toBe(true);
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'form-phone');

  await page.click('#duty-submit');
  await expect.poll(() => page.locator('#duty-said').textContent(), { timeout: 20_000 }).toBe(`已记录：${visited.name}，120 分钟。`);
  // A fresh form for the next visit: no photos left over.
  expect(await page.locator('#duty-photo-list .photo').count()).toBe(0);
  await expect.poll(() => station(page, visited.id).getAttribute('data-complies')).toBe('true');
  expect(await station(page, visited.id).textContent()).toContain('已达标');
  expect(await station(page, unvisited.id).textContent()).toContain('还差 120 分钟');
  const visit = page.locator('#duty-visit-list .duty-visit').first();
  expect(await visit.textContent()).toContain('社区巡查、物业监督');
  await expect.poll(() => visit.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'logged-phone');

  // What went over the wire: one visit of 120 minutes this week, its photo made smaller on the phone.
  const visits = (await env.request('GET', `/v1/duty-visits?workstation=${visited.id}`, { key: keys.officer })).json().visits as { minutes: number; startedAt: string; photos: { url: string }[]; activities: string[] }[];
  expect(visits).toHaveLength(1);
  expect(visits[0]).toMatchObject({ minutes: 120, activities: ['patrol', 'property_supervision'] });
  expect(shanghaiWeekOf(new Date(visits[0]!.startedAt)).start.getTime()).toBe(shanghaiWeekOf(new Date()).start.getTime());
  const bytes = (await env.app.inject({ method: 'GET', url: visits[0]!.photos[0]!.url, headers: { authorization: `Bearer ${keys.officer}` } })).rawPayload;
  expect((await sharp(bytes).metadata()).width).toBe(2048);
  expect(errors).toEqual([]);
  await context.close();
});

it('When the district supervisor looks, then the compliance table shows the week, and the shortfall shows on the page and the dashboard', async () => {
  const { context, page, errors } = await signIn(keys.supervisor, DESK);
  await page.click('#nav-duties');
  await page.locator('#duty-compliance').waitFor();
  expect(await page.locator('h1').textContent()).toBe('勤务检查');
  expect(await page.locator(`#duty-compliance tr[data-workstation="${visited.id}"]`).textContent()).toMatch(new RegExp(`^${escape(visited.name)}${escape(squad.name)}1120达标$`));
  expect(await page.locator(`#duty-compliance tr[data-workstation="${unvisited.id}"]`).textContent()).toMatch(/00未达标$/);
  expect(await page.locator('#duty-publicity tbody tr').count()).toBeGreaterThan(0);
  const shortfall = page.locator(`#duty-shortfall-list [data-shortfall^="weekly_visits:${unvisited.id}:"]`);
  expect(await shortfall.textContent()).toMatch(new RegExp(`走访不足 ${escape(unvisited.name)}（${escape(squad.name)}）.*走访 0 次、0 分钟，应至少 1 次、120 分钟`));
  await shot(page, 'compliance-desk');

  await page.click('#nav-dashboard');
  const panel = page.locator('#dashboard-duty-shortfalls');
  await panel.waitFor({ timeout: 20_000 });
  expect(await panel.locator(`[data-shortfall^="weekly_visits:${unvisited.id}:"]`).count()).toBe(1);
  expect(await page.locator('#panel-duty-shortfalls h2').textContent()).toBe('勤务缺项（上月以来）');
  await page.locator('#panel-duty-shortfalls').scrollIntoViewIfNeeded();
  await shot(page, 'dashboard-desk');
  expect(errors).toEqual([]);
  await context.close();
});
