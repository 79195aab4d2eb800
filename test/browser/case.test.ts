// The case page in a real browser: a district supervisor opens a dispatched case of one of its squads,
// sees only the actions it may take, reassigns the case to another squad of the district through the form,
// and watches the page follow the case live (GET /v1/stream) as an officer accepts it through the API; on
// the dashboard, a case that falls overdue appears without a reload. Screenshots of the case page at a
// desk's and a phone's width go to .data/test-artifacts/case-*.png for a person to look at.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Policy } from '../../domain/policy.js';
import { caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy } from '../support.js';
import { PHONE, consoleContext, screenshots, serveConsole } from './chromium.js';

/** How long the page may take to show what the stream told it. */
const LIVE_MS = 8_000;

interface Workstation { id: string; squadId: string }
interface Unit { id: string; name: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let browser: Browser;
let base: string;
let supervisorKey: string;
let officerKey: string;
let stationA: Workstation;
let squadB: Unit;
let dispatched: string;

beforeAll(async () => {
  const policy = defaultPolicy();
  // Urgent complaints are due for triage within two seconds: one filed while the dashboard is open falls overdue there.
  env = await createTestEnv('console_case', { policy: { ...policy, urgent: { triage: '2s' } } satisfies Policy });
  ({ browser, base } = await serveConsole(env));

  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as Workstation[];
  stationA = stations[0]!;
  const other = stations.find((w) => w.squadId !== stationA.squadId)!;
  const units = (await env.request('GET', '/v1/units')).json().units as Unit[];
  squadB = units.find((u) => u.id === other.squadId)!;
  const district = await c.districtOf(stationA.squadId);
  supervisorKey = (await env.principal('supervisor', district, '闵行区主管')).key;
  officerKey = (await env.principal('officer', squadB.id, '新中队联络员')).key;

  const filed = await c.file({ title: '小区绿地被占', category: 'green_space_damage', workstationId: stationA.id });
  await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'green_space_damage', workstationId: stationA.id });
  dispatched = filed.id;
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const shot = screenshots('case');

async function signedIn(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('401')) errors.push(m.text()); });
  await page.goto(`${base}/console/`);
  await page.fill('#key', supervisorKey);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#who').waitFor();
  await expect.poll(() => page.locator('#live').getAttribute('data-state'), { timeout: LIVE_MS }).toBe('connected');
  return { page, errors };
}

it('When a district supervisor reassigns a dispatched case through its form, then the page shows the new squad, and an officer\'s action appears without a reload', async () => {
  const context = await consoleContext(browser);
  const { page, errors } = await signedIn(context);
  expect(await page.locator('#live').textContent()).toBe('实时');

  await page.goto(`${base}/console/#/cases/${dispatched}`);
  await page.locator('#timeline').waitFor();
  expect(await page.locator('#case-title').textContent()).toBe('小区绿地被占');

  // Only what the case allows now and the supervisor's role may do: reassigning, not accepting (an officer's).
  const answer = (await env.request('GET', `/v1/cases/${dispatched}`, { key: supervisorKey })).json() as { allowedActions: string[] };
  const me = (await env.request('GET', '/v1/me', { key: supervisorKey })).json() as { may: Record<string, unknown> };
  const shown = await page.locator('#actions button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));
  expect(shown).toEqual(answer.allowedActions.filter((a) => a in me.may));
  expect(shown).toContain('reassign');
  expect(shown).not.toContain('accept');

  // A refusal shows the API's words: reassigning with nothing chosen is stopped before it is sent.
  await page.click('#actions button[data-action=reassign]');
  await page.locator('#form-reassign').waitFor();
  await page.click('#form-reassign button[type=submit]');
  expect(await page.locator('#action-error').textContent()).toBe('请选择中队或工作站，或填写执法人员编号。');

  await page.selectOption('#reassign-unit', squadB.id);
  await page.fill('#reassign-reason', '辖区调整');
  await shot(page, 'reassign-form-desk');
  await page.click('#form-reassign button[type=submit]');
  await expect.poll(() => page.locator('#case-unit').textContent()).toBe(squadB.name);
  expect(await page.locator('#form-reassign').count()).toBe(0);
  expect(await page.locator('#timeline li[data-type=reassign]').count()).toBe(1);
  expect((await c.get(dispatched)).assignedUnitId).toBe(squadB.id);

  // Another actor acts through the API: the stream tells the page, which refetches the case.
  const url = page.url();
  await c.ok(dispatched, officerKey, { type: 'accept' });
  await expect.poll(() => page.locator('#timeline li[data-type=accept]').count(), { timeout: LIVE_MS }).toBe(1);
  expect(await page.locator('#case-state').textContent()).toBe('处置中');
  expect(page.url()).toBe(url);

  await shot(page, 'desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await shot(page, 'phone');

  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor();
  expect(errors).toEqual([]);
  await context.close();
});

it('When a case falls overdue while the dashboard is open, then it appears in the overdue list without a reload', async () => {
  const context = await consoleContext(browser);
  const { page, errors } = await signedIn(context);
  await page.locator('#panel-overdue').waitFor();
  const late = await c.file({ title: '工地夜间施工', urgent: true, category: 'night_construction_noise', workstationId: stationA.id });
  await expect.poll(() => page.locator(`#overdue tr[data-case="${late.id}"]`).count(), { timeout: 15_000 }).toBe(1);
  await shot(page, 'dashboard-live-desk');
  expect(errors).toEqual([]);
  await context.close();
});
