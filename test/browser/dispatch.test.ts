// Smart dispatch (智能派单) at the desk in a real browser, on the real API, Temporal and PostgreSQL: a
// citizen writes of 油烟 at a liaison point's compound; in 待研判 the desk sees the suggested category and
// squad, opens the case, reads the suggestion and its reasons in Chinese, adopts it with the key a — the
// triage form is filled, in scope, category, district, street, workstation — and one Ctrl+Enter
// dispatches it to the suggested workstation, with no correction recorded. Then 自动派单: a patrol's
// complaint the system dispatched itself (auto-dispatch on for `patrol` in this test only) is taken back
// to triage (撤回研判) with a reason. Every outcome is checked through the API. Screenshots at a desk's and
// a phone's width go to .data/test-artifacts/dispatch-*.png for a person to look at.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CITY } from '../../db/seed.js';
import { loadDispatchPolicy } from '../../platform/dispatch-policy.js';
import { type Case, caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from '../support.js';
import { DESK, PHONE, screenshots, serveConsole, signInConsole } from './chromium.js';

interface Workstation { id: string; squadId: string; district: string; street: string; name: string }
interface Reason { about: 'category' | 'place'; kind: string; text: string; target: string; weight?: number }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let browser: Browser;
let base: string;
let deskKey: string;
let linfen: Workstation;
let squadName: string;
let fumes: Case;
let patrolled: Case;

// The address names the compound of 临汾路380弄居委's liaison point, with full-width digits, and no district field.
const FUMES = {
  title: '楼下烧烤店油烟扰民',
  description: '小区门口新开的烧烤店没有装油烟净化器，油烟直接排到居民楼里，晚上窗户都不敢开。',
  location: { address: '静安区临汾路３８０弄５号楼下' },
};
const PATROLLED = {
  channel: 'patrol',
  title: '饭店油烟直排',
  description: '巡查发现临汾路380弄门口饭店油烟未经净化直排，居民反映强烈。',
  location: { address: '上海市静安区临汾路380弄1号' },
  citizen: undefined,
};

beforeAll(async () => {
  // Auto-dispatch is off by default: on here for the patrol channel, so that 自动派单 has a case.
  env = await createTestEnv('console_dispatch', { dispatchPolicy: { ...loadDispatchPolicy(), autoDispatch: { threshold: 0.5, channels: ['patrol'] } } });
  ({ browser, base } = await serveConsole(env));
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('静安区')}`)).json().workstations as Workstation[];
  linfen = stations.find((w) => w.name.startsWith('临汾路380弄'))!;
  const units = (await env.request('GET', '/v1/units')).json().units as { id: string; name: string }[];
  squadName = units.find((u) => u.id === linfen.squadId)!.name;
  deskKey = (await env.principal('desk', CITY.id, '新民晚报受理员')).key;

  fumes = await c.file(FUMES);
  patrolled = await c.file(PATROLLED);
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const screenshot = screenshots('dispatch');
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESK);
}
const text = (page: Page, selector: string) => page.locator(selector).textContent();
const percent = (x: number) => `${Math.round(x * 100)}%`;

it('When the desk adopts the suggestion on a complaint of 油烟 at a liaison point, then one more Ctrl+Enter dispatches it to that workstation', async () => {
  // What the API suggested: cooking fumes, at 临汾路380弄's workstation, because of 油烟 and the compound.
  const s = fumes.suggestion!;
  expect(s).toMatchObject({ category: 'cooking_fumes', unitId: linfen.squadId, workstationId: linfen.id, place: 'liaison_point' });
  const fumesPhrase = s.reasons.find((r: Reason) => r.about === 'category' && r.text === '油烟')!;
  const compound = s.reasons.find((r: Reason) => r.kind === 'liaison_point')!;
  expect(fumesPhrase.weight).toBeGreaterThan(0);

  const { page, errors, close } = await signInConsole(browser, base, deskKey);
  await page.locator('#desk-queue button.desk-item').first().waitFor();
  expect(await text(page, '#queue-triage')).toBe('待研判1');
  expect(await text(page, '#queue-auto')).toBe('自动派单1');
  expect(await text(page, '#desk-keys')).toContain('a 采纳智能派单建议');
  // The queue says what and where, compactly.
  expect(await text(page, `#desk-queue button[data-case="${fumes.id}"] .desk-item-suggestion`)).toBe(`建议：餐饮油烟 → ${squadName} · ${percent(s.confidence)}`);

  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, '#desk-case-title')).toBe(FUMES.title);
  await page.locator('#desk-suggestion').waitFor();
  expect(await text(page, '#desk-suggestion-title')).toBe('智能派单建议');
  expect(await text(page, '#desk-suggestion-confidence')).toBe(`把握 ${percent(s.confidence)}`);
  expect(await text(page, '#desk-suggestion-category')).toBe(`餐饮油烟 把握 ${percent(s.categoryConfidence)}`);
  expect(await text(page, '#desk-suggestion-unit')).toBe(`${squadName} 把握 ${percent(s.placeConfidence)}`);
  expect(await text(page, '#desk-suggestion-workstation')).toBe(linfen.name);
  expect(await text(page, '#desk-suggestion-level')).toBe('联络点（工作站）');
  // The reasons in Chinese: the phrase with its weight, the compound with its workstation by name.
  const reasons = await page.locator('#desk-suggestion-reasons li').allTextContents();
  expect(reasons).toHaveLength(s.reasons.length);
  expect(reasons).toContain(`「油烟」→ 餐饮油烟（权重 ${Math.round(fumesPhrase.weight! * 100) / 100}）`);
  expect(reasons).toContain(`联络点「${compound.text}」→ ${linfen.name}`);
  // No id or category key shows through.
  for (const r of reasons) expect(r).not.toMatch(/[a-z]+_[a-z]+|ws-|\d{6}-/);
  // The form is empty until the desk adopts: the complaint named no district.
  expect(await page.locator('#desk-decision-in_scope').isChecked()).toBe(false);
  expect(await page.locator('#desk-category').inputValue()).toBe('');
  expect(await page.locator('#desk-district').inputValue()).toBe('');

  // a: adopted. In scope, category, district, street and workstation are filled; the cursor is on submit.
  await page.keyboard.press('a');
  await expect.poll(() => page.locator('#desk-workstation').inputValue()).toBe(linfen.id);
  expect(await page.locator('#desk-decision-in_scope').isChecked()).toBe(true);
  expect(await page.locator('#desk-category').inputValue()).toBe('cooking_fumes');
  expect(await page.locator('#desk-district').inputValue()).toBe('静安区');
  expect(await page.locator('#desk-street').inputValue()).toBe(linfen.street);
  expect(await page.locator('#desk-workstation option:checked').textContent()).toBe(linfen.name);
  expect(await text(page, '#desk-suggestion-note')).toBe('已按建议填入研判表单：请核对，再按 Ctrl+Enter 派单。');
  expect(await page.evaluate(() => document.activeElement?.matches('#form-triage button[type=submit]'))).toBe(true);
  await shot(page, 'adopted');

  await page.keyboard.press('Control+Enter');
  await page.locator('#desk-queue-empty').waitFor();
  expect(await text(page, '#desk-status')).toBe(`已提交「分拣」：${FUMES.title}，案件现为「已派单」。`);
  expect(await c.get(fumes.id)).toMatchObject({ state: 'dispatched', category: 'cooking_fumes', workstationId: linfen.id, assignedUnitId: linfen.squadId });
  // As suggested: the triage records no correction.
  const triage = (await c.events(fumes.id)).find((e) => e.type === 'triage')!;
  expect(triage).toMatchObject({ actor: { role: 'desk' }, payload: { decision: 'in_scope', corrected: [] } });

  expect(errors).toEqual([]);
  await close();
});

it('When the system dispatched a complaint itself, then 自动派单 shows it and the desk takes it back to triage with a reason', async () => {
  expect(patrolled).toMatchObject({ state: 'dispatched', workstationId: linfen.id });
  const auto = patrolled.autoDispatch!;
  expect(auto.confidence).toBeGreaterThanOrEqual(0.5);

  const { page, errors, close } = await signInConsole(browser, base, deskKey);
  await page.locator('#queue-auto').waitFor();
  await page.click('#queue-auto');
  expect(page.url()).toContain('#/desk?queue=auto');
  const entry = page.locator(`#desk-queue button[data-case="${patrolled.id}"]`);
  expect(await entry.locator('.desk-item-title').textContent()).toBe(PATROLLED.title);
  expect(await entry.locator('.desk-item-suggestion').textContent()).toBe(`系统自动派至 ${squadName} · 把握 ${percent(auto.confidence)}`);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, '#desk-case-title')).toBe(PATROLLED.title);
  await page.locator('#form-retriage').waitFor();
  // The suggestion it was dispatched on, and no 采纳建议: it is no longer in triage.
  expect(await text(page, '#desk-suggestion-auto')).toMatch(new RegExp(`^系统已于 .+ 按此建议自动派单（把握 ${percent(auto.confidence)}），尚无队员签收。`));
  expect(await page.locator('#desk-adopt').count()).toBe(0);
  expect(await page.locator('#form-triage').count()).toBe(0);
  expect(await text(page, '#form-retriage h3')).toBe('撤回研判');

  // Its workstation by name, though the complaint named no district.
  expect(await text(page, '#desk-facts')).toContain(linfen.name);
  await shot(page, 'auto');

  // A reason is required.
  await page.click('#form-retriage button[type=submit]');
  expect(await text(page, '#desk-error-retriage')).toBe('请填写撤回理由，原派往的中队会看到它。');
  await page.fill('#desk-retriage-reason', '饭店证照问题属市场监管，重新研判');
  await page.keyboard.press('Control+Enter');
  await page.locator('#desk-queue-empty').waitFor();
  expect(await text(page, '#desk-queue-empty')).toBe('没有待核查的自动派单案件。');
  expect(await text(page, '#queue-triage')).toBe('待研判1');

  const back = await c.get(patrolled.id);
  expect(back).toMatchObject({ state: 'triage' });
  expect(back.autoDispatch).toBeUndefined();
  const events = await c.events(patrolled.id);
  expect(events.map((e) => [e.type, e.actor.role])).toEqual([['intake', 'intake'], ['triage', 'system'], ['retriage', 'desk']]);

  // Back in 待研判, with its suggestion to adopt again.
  await page.click('#queue-triage');
  await page.keyboard.press('Enter');
  await page.locator('#desk-adopt').waitFor();
  expect(await text(page, `#desk-queue button[data-case="${patrolled.id}"] .desk-item-suggestion`)).toContain(squadName);

  // The case page's timeline says who triaged it first: the system.
  await page.goto(`${base}/console/#/cases/${patrolled.id}`);
  await page.locator('#timeline li[data-type=retriage]').waitFor();
  expect(await text(page, '#timeline li[data-type=triage] .actor')).toBe('系统');
  expect(await text(page, '#timeline li[data-type=retriage] .event')).toBe('撤回研判');
  await screenshot(page, 'timeline');

  expect(errors).toEqual([]);
  await close();
});
