// Suggestions (人民建议) in a real browser, in Chinese: a squad's desk finds the suggestions on a page of their
// own, apart from complaints — the overdue one first, with how late it is — opens it, acknowledges it with
// a note for the citizen and answers it; every step is checked through the API. Screenshots at a desk's and
// a phone's width go to .data/test-artifacts/suggestions-*.png for a person to look at.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleIntake, type TestEnv, createTestEnv } from '../support.js';
import { PHONE, DESK, screenshots, serveConsole, signInConsole } from './chromium.js';

type Json = Record<string, any>;

let env: TestEnv;
let browser: Browser;
let base: string;
let deskKey: string;
let late: Json;
let calm: Json;
let complaint: Json;

const LATE = {
  channel: 'qr',
  externalId: 'browser-idea-late',
  title: '建议在漕宝路菜场门口增设非机动车停放点',
  text: '菜场门口电动车乱停，行人只能走机动车道。建议划定停放区域并安排志愿者引导。',
  citizen: { name: '李建国', phone: '13987654321' },
};
const CALM = { channel: 'walkin', externalId: 'browser-idea-calm', title: '建议延长社区图书室周末开放时间', text: '周末下午五点就关门，上班族来不及借书。' };

beforeAll(async () => {
  env = await createTestEnv('console_suggestions');
  ({ browser, base } = await serveConsole(env));
  const [station] = (await env.request('GET', '/v1/workstations')).json().workstations as { id: string; squadId: string }[];
  deskKey = (await env.principal('desk', station!.squadId, '七宝镇受理员')).key;
  // The first is filed with a one-second acknowledgement, so it is overdue when the desk comes.
  env.policy.suggestion = { acknowledge: '1s', answer: '1h', lapse: '2h' };
  late = (await env.request('POST', '/v1/suggestions', { body: { ...LATE, workstationId: station!.id } })).json();
  env.policy.suggestion = { acknowledge: '1wd', answer: '15wd', lapse: '60wd' };
  calm = (await env.request('POST', '/v1/suggestions', { body: { ...CALM, workstationId: station!.id } })).json();
  complaint = (await env.request('POST', '/v1/cases', { body: sampleIntake({ workstationId: station!.id }) })).json();
  expect([late.trackingCode, calm.trackingCode, complaint.trackingCode].map((code: string) => code.slice(0, 2))).toEqual(['BS', 'BS', 'BN']);
  await new Promise((r) => setTimeout(r, Math.max(Date.parse(late.deadlineAt) - Date.now(), 0) + 200));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const screenshot = screenshots('suggestions');

it('When a squad\'s desk opens 人民建议, then the suggestions are listed apart from complaints, overdue first, and it acknowledges and answers one', async () => {
  const { page, errors, close } = await signInConsole(browser, base, deskKey);
  // The desk's home is its triage queue: complaints only.
  await page.locator('#desk-queue').waitFor();
  await expect.poll(() => page.locator('#desk-queue .desk-item-title').allTextContents()).toEqual([complaint.title]);

  await page.click('#nav-suggestions');
  await page.locator('#suggestions-list').waitFor();
  expect(await page.locator('#nav-suggestions').textContent()).toBe('人民建议');
  expect(await page.locator('h1').textContent()).toBe('人民建议');
  expect(await page.locator('#suggestions-filter-open').getAttribute('aria-current')).toBe('true');
  const rows = page.locator('#suggestions-list tbody tr');
  expect(await rows.locator('.suggestion-title').allTextContents()).toEqual([LATE.title, CALM.title]);
  expect(await rows.first().locator('td').nth(1).textContent()).toBe('待受理');
  expect(await rows.first().locator('td').nth(2).textContent()).toMatch(/^超期 \d+ (秒|分钟)/);
  expect(await rows.nth(1).locator('td').nth(2).textContent()).toMatch(/^剩余 \d+ (天|小时)/);
  expect(await rows.first().locator('td').nth(4).textContent()).toBe('扫码');
  await screenshot(page, 'list-desk');

  await rows.first().locator('a').click();
  await page.locator('#suggestion-title').waitFor();
  expect(await page.locator('#suggestion-title').textContent()).toBe(LATE.title);
  expect(await page.locator('#suggestion-text').textContent()).toBe(LATE.text);
  expect(await page.locator('#suggestion-citizen').textContent()).toBe('李建国 13987654321');
  expect(await page.locator('#suggestion-left').textContent()).toMatch(/^受理 · 超期 /);
  expect(await page.locator('#suggestion-form-answer').count()).toBe(0);

  await page.fill('#suggestion-note', '您的建议已转七宝镇中队研究，15个工作日内答复。');
  await page.click('#suggestion-form-acknowledge button[type=submit]');
  await expect.poll(() => page.locator('#suggestion-status').textContent()).toBe('已受理，建议现为「已受理」。');
  expect(await page.locator('#suggestion-acknowledgement').textContent()).toBe('您的建议已转七宝镇中队研究，15个工作日内答复。');
  expect(await page.locator('#suggestion-left').textContent()).toMatch(/^答复 · 剩余 (59|60) 分钟/);
  const acknowledged = (await env.request('GET', `/v1/suggestions/${late.id}`, { key: deskKey })).json();
  expect(acknowledged).toMatchObject({ state: 'acknowledged', overdue: false, acknowledgedBy: { role: 'desk' } });

  // The answer, from the keyboard as a desk writes it.
  const answer = '感谢您的建议。七宝镇中队已会同居委会在菜场东侧划定非机动车停放区，本周内启用。';
  await page.locator('#suggestion-answer-text').fill(answer);
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await screenshot(page, 'answer-phone');
  await page.setViewportSize(DESK);
  await page.click('#suggestion-form-answer button[type=submit]');
  await expect.poll(() => page.locator('#suggestion-status').textContent()).toBe('已答复，建议现为「已答复」。');
  expect(await page.locator('#suggestion-answer').textContent()).toBe(answer);
  expect(await page.locator('#suggestion-no-actions').textContent()).toBe('此建议现在没有需要您办理的操作。');
  expect(await page.locator('#suggestion-timeline .event').allTextContents()).toEqual(['收到建议', '超过时限', '受理', '答复']);
  await screenshot(page, 'answered-desk');
  expect((await env.request('GET', `/v1/suggestions/${late.id}`, { key: deskKey })).json()).toMatchObject({ state: 'answered', answer });
  // What the citizen's page reads: the answer, without their name or phone.
  const tracked = (await env.request('GET', `/v1/public/suggestions/${late.trackingCode}`, { key: null })).json();
  expect(tracked).toMatchObject({ state: 'answered', answer });
  expect(JSON.stringify(tracked)).not.toMatch(/李建国|13987654321/);

  // Back in the list: the answered one has left the open ones, and shows under 已答复.
  await page.click('#suggestion-back');
  await page.locator('#suggestions-list').waitFor();
  expect(await page.locator('#suggestions-list .suggestion-title').allTextContents()).toEqual([CALM.title]);
  await page.click('#suggestions-filter-answered');
  await expect.poll(() => page.locator('#suggestions-list .suggestion-title').allTextContents()).toEqual([LATE.title]);

  expect(errors).toEqual([]);
  await close();
});

it('When a suggestion is answered elsewhere first, then the desk\'s form says where it stands now', async () => {
  const { page, errors, close } = await signInConsole(browser, base, deskKey);
  await page.goto(`${base}/console/#/suggestions/${calm.id}`);
  await page.locator('#suggestion-form-acknowledge').waitFor();
  // A colleague acknowledges it while the page is open.
  expect((await env.request('POST', `/v1/suggestions/${calm.id}/actions`, { key: deskKey, body: { type: 'acknowledge' } })).statusCode).toBe(200);
  await page.click('#suggestion-form-acknowledge button[type=submit]');
  await expect.poll(() => page.locator('#suggestion-error-acknowledge').textContent()).toMatch(/此建议现为「已受理」，可办理：答复。$/);
  expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
  await close();
});
