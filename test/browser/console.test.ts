// The console in a real browser: a district supervisor signs in, sees the shell in Chinese, the overdue
// cases of the district (most late first) and the chart of cases by category, switches to English, opens a
// case and signs out. Screenshots at a desk's and a phone's width go to .data/test-artifacts/ for a person
// to look at.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Policy } from '../../domain/policy.js';
import { caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy, eventually } from '../support.js';
import { DESK, PHONE, consoleContext, screenshots, serveConsole, signInConsole } from './chromium.js';


let env: TestEnv;
let browser: Browser;
let base: string;
let supervisorKey: string;
const filed: { late: string; later: string; elsewhere: string } = { late: '', later: '', elsewhere: '' };

beforeAll(async () => {
  const policy = defaultPolicy();
  // Urgent complaints are due for triage within two seconds, so they are overdue by the time the page loads.
  env = await createTestEnv('console', { policy: { ...policy, urgent: { triage: '2s' } } satisfies Policy });
  ({ browser, base } = await serveConsole(env));

  const c = caseClient(env);
  const [minhang] = (await (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations) as { id: string; squadId: string }[];
  const [pudong] = (await (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('浦东新区')}`)).json().workstations) as { id: string; squadId: string }[];
  const district = await c.districtOf(minhang!.squadId);
  supervisorKey = (await env.principal('supervisor', district, '闵行区主管')).key;

  filed.late = (await c.file({ title: '夜间施工噪音（最早）', urgent: true, category: 'night_construction_noise', workstationId: minhang!.id })).id;
  await new Promise((r) => setTimeout(r, 1_500));
  filed.later = (await c.file({ title: '餐饮油烟扰民', urgent: true, category: 'cooking_fumes', workstationId: minhang!.id })).id;
  await c.file({ title: '无证设摊', category: 'street_vending', workstationId: minhang!.id });
  filed.elsewhere = (await c.file({ title: '浦东的超期案件', urgent: true, category: 'construction_waste', workstationId: pudong!.id, location: { address: '浦东新区张江路1号', district: '浦东新区' } })).id;
  await eventually(
    async () => (await env.request('GET', '/v1/cases?overdue=true', { key: supervisorKey })).json().cases.length,
    (n) => n === 2,
    10_000,
    'both urgent cases of the district to be overdue',
  );
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const shot = screenshots('console');

/** Whether the chart's canvas has drawn anything but its background. */
const chartDrawn = (page: Page) =>
  page.$eval('#category-chart canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted;
  });

it('When a district supervisor signs in, then the console shows its overdue cases most late first, the chart in Chinese, English on request, a case, and signs out', async () => {
  const context = await consoleContext(browser);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('401')) errors.push(m.text()); });

  await page.goto(`${base}/console/`);
  await page.locator('#sign-in').waitFor();
  expect(await page.locator('#sign-in button[type=submit]').textContent()).toBe('登录');

  // A wrong key: the API's own words.
  await page.fill('#key', 'bn_not-a-key');
  await page.click('#sign-in button[type=submit]');
  await expect.poll(() => page.locator('#sign-in-error').textContent()).toBe('unknown or revoked API key');

  await page.fill('#key', supervisorKey);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#overdue').waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'bn_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', expires: -1 });

  expect(await page.locator('#who').textContent()).toContain('闵行区主管');
  expect(await page.locator('#who').textContent()).toContain('主管');
  expect(await page.locator('#nav-dashboard').textContent()).toBe('总览');
  expect(await page.locator('#overdue tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case')))).toEqual([filed.late, filed.later]);
  expect(await page.locator('#overdue tbody tr').first().textContent()).toMatch(/超期 \d+ 秒/);

  await expect.poll(() => chartDrawn(page), { timeout: 5_000 }).toBeGreaterThan(1_000);
  // ECharts draws the labels on the canvas; its accessible description (aria) carries them as text too.
  const labels = await page.evaluate(() => {
    const chart = (window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): { yAxis: { data: string[] }[] } } } }).echarts;
    return chart.getInstanceByDom(document.getElementById('category-chart')!).getOption().yAxis[0]!.data;
  });
  expect(labels.sort()).toEqual(['夜间施工噪音', '无证设摊', '餐饮油烟'].sort());
  await shot(page, 'dashboard-zh-desk');

  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await shot(page, 'dashboard-zh-phone');
  await page.setViewportSize(DESK);

  await page.click('button[data-lang=en]');
  await expect.poll(() => page.locator('#nav-dashboard').textContent()).toBe('Dashboard');
  expect(await page.locator('#overdue tbody tr').first().textContent()).toMatch(/\d+ s late/);
  expect(await page.evaluate(() => localStorage.getItem('bangnong.language'))).toBe('en');

  await page.click(`#overdue a[href="#/cases/${filed.late}"]`);
  await page.locator('#timeline').waitFor();
  expect(await page.locator('#case-title').textContent()).toBe('夜间施工噪音（最早）');
  expect(await page.locator('#timeline li').count()).toBeGreaterThanOrEqual(1);
  // A supervisor may triage and mark duplicates; withdrawing is the desk's and the channel's.
  const actions = await page.locator('#actions button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));
  expect(actions).toContain('triage');
  expect(actions).not.toContain('withdraw');
  await shot(page, 'case-en-desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await shot(page, 'case-en-phone');

  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor();
  expect((await context.cookies()).find((c) => c.name === 'bn_session')).toBeUndefined();
  expect(errors).toEqual([]);
  await context.close();
});

it('When a request signed in by the cookie changes something without the console header, then it is refused', async () => {
  const signIn = await env.app.inject({ method: 'POST', url: '/v1/session', payload: { key: supervisorKey } });
  expect(signIn.statusCode).toBe(200);
  const cookie = signIn.cookies.find((c) => c.name === 'bn_session')!;
  const headers = { cookie: `bn_session=${cookie.value}` };
  const forged = await env.app.inject({ method: 'POST', url: `/v1/cases/${filed.later}/actions`, headers, payload: { type: 'mark_duplicate', duplicateOf: filed.late } });
  expect(forged.statusCode).toBe(403);
  expect(forged.json().error).toContain('x-bangnong-console');
  const me = await env.app.inject({ method: 'GET', url: '/v1/me', headers });
  expect(me.json()).toMatchObject({ name: '闵行区主管', role: 'supervisor', unit: { kind: 'district' }, may: { triage: ['own', 'below'] } });
  expect(me.json().may).not.toHaveProperty('withdraw');
});

it("When the key behind a signed-in console is revoked, then the live stream ends and the console returns to signing in, without a reload", async () => {
  const { createPrincipal, revokePrincipal } = await import('../../db/queries/principals.js');
  const units = (await env.request('GET', '/v1/units')).json().units as { id: string; kind: string }[];
  const { principal, key } = await createPrincipal(env.database.db, { name: '将被吊销的主管', role: 'supervisor', unitId: units.find((u) => u.kind === 'district')!.id });
  const { page, errors, close } = await signInConsole(browser, base, key);
  await expect.poll(() => page.locator('#live').getAttribute('data-state'), { timeout: 10_000 }).toBe('connected');

  await revokePrincipal(env.database.db, { principalId: principal.id });
  await page.locator('#sign-in').waitFor({ timeout: 10_000 });
  expect(await page.locator('#who').count()).toBe(0);
  expect(errors).toEqual([]);
  await close();
});
