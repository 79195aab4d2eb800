// The case page in a real browser: a district supervisor opens a dispatched case of one of its squads,
// sees only the actions it may take, reassigns the case to another squad of the district through the form,
// and watches the page follow the case live (GET /v1/stream) as an officer accepts it through the API; on
// the dashboard, a case that falls overdue appears without a reload. Screenshots of the case page at a
// desk's and a phone's width go to .data/test-artifacts/case-*.png for a person to look at.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Policy } from '../../domain/policy.js';
import { caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy } from '../support.js';
import { type ConsoleSession, PHONE, screenshots, serveConsole, signInConsole } from './chromium.js';

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

async function signedIn(): Promise<ConsoleSession> {
  const session = await signInConsole(browser, base, supervisorKey);
  await expect.poll(() => session.page.locator('#live').getAttribute('data-state'), { timeout: LIVE_MS }).toBe('connected');
  return session;
}

it('When a district supervisor reassigns a dispatched case through its form, then the page shows the new squad, and an officer\'s action appears without a reload', async () => {
  const { page, errors, close } = await signedIn();
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
  expect(await page.locator('#action-error').textContent()).toBe('请选择中队或工作站，或指定执法人员。');

  await page.selectOption('#reassign-unit', squadB.id);
  await page.fill('#reassign-reason', '辖区调整');
  await shot(page, 'reassign-form-desk');
  await page.click('#form-reassign button[type=submit]');
  await expect.poll(() => page.locator('#case-unit').textContent()).toBe(squadB.name);
  // The live event may show the new squad before the action's own answer closes the form.
  await expect.poll(() => page.locator('#form-reassign').count()).toBe(0);
  await expect.poll(() => page.locator('#timeline li[data-type=reassign]').count()).toBe(1);
  expect((await c.get(dispatched)).assignedUnitId).toBe(squadB.id);

  // Another actor acts through the API: the stream tells the page, which refetches the case.
  const url = page.url();
  await c.ok(dispatched, officerKey, { type: 'accept' });
  await expect.poll(() => page.locator('#timeline li[data-type=accept]').count(), { timeout: LIVE_MS }).toBe(1);
  await expect.poll(() => page.locator('#case-state').textContent()).toBe('处置中');
  // The officer who accepted it, by name, not by id.
  await expect.poll(() => page.locator('#case-officer').textContent()).toBe('新中队联络员');
  expect(page.url()).toBe(url);

  // Assigning it to a person: the squad's officers by name.
  await page.click('#actions button[data-action=reassign]');
  await page.locator('#form-reassign').waitFor();
  await expect.poll(() => page.locator('#reassign-officer option').allTextContents()).toEqual(['— 不指定 —', '新中队联络员']);
  await page.click('#form-reassign button.link');
  await expect.poll(() => page.locator('#form-reassign').count()).toBe(0);

  await shot(page, 'desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await shot(page, 'phone');

  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor();
  expect(errors).toEqual([]);
  await close();
});

it('When a case falls overdue while the dashboard is open, then it appears in the overdue list without a reload', async () => {
  const { page, errors, close } = await signedIn();
  await page.locator('#panel-overdue').waitFor();
  const late = await c.file({ title: '工地夜间施工', urgent: true, category: 'night_construction_noise', workstationId: stationA.id });
  await expect.poll(() => page.locator(`#overdue tr[data-case="${late.id}"]`).count(), { timeout: 15_000 }).toBe(1);
  await shot(page, 'dashboard-live-desk');
  expect(errors).toEqual([]);
  await close();
});
