// The desk's workbench (研判甄别) in a real browser, driven from the keyboard as a desk clears its queue:
// the newspaper's desk sees the complaints waiting for triage oldest first with the time left, opens the
// oldest, reads its text, place, attachments, citizen and its possible duplicate, dispatches it in scope
// to the workstation it picks by district and street, transfers the next to a department, marks the third
// a duplicate of the first; then, in 待答复, answers the transferred complaint's citizen from a template
// filled with the case's facts. Every outcome is checked through the API. Screenshots at a desk's and a
// phone's width go to .data/test-artifacts/desk-*.png for a person to look at.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CITY } from '../../db/seed.js';
import { REPO_ROOT } from '../../platform/config.js';
import { type Case, caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from '../support.js';
import { DESK, PHONE, screenshots, serveConsole, signInConsole } from './chromium.js';

interface Workstation { id: string; squadId: string; district: string; street: string; name: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let browser: Browser;
let base: string;
let deskKey: string;
let meilong: Workstation;
let stalls: Case;
let hallway: Case;
let stallsAgain: Case;

const STALLS = {
  title: '菜场门口夜市摊贩占道经营',
  description: '每天晚上七点以后梅陇镇菜场门口有十几个摊贩占用人行道经营，油烟很大，行人只能走机动车道。',
  location: { address: '闵行区梅陇镇曹行路100号菜场门口', district: '闵行区' },
  attachments: [{ url: 'https://files.example/stalls.jpg', name: '现场照片.jpg' }],
};
const HALLWAY = {
  title: '楼道堆放杂物影响通行',
  description: '3号楼楼道被邻居长期堆放纸箱和旧家具，物业不管，存在消防隐患。',
  category: 'other',
  location: { address: '闵行区七宝镇漕宝路1号3号楼', district: '闵行区', street: '七宝镇' },
  citizen: { name: '张阿姨', phone: '13900002222' },
};
const STALLS_AGAIN = {
  title: '菜场门口夜间摊贩占道',
  description: '梅陇镇菜场门口每天晚上七点以后有很多摊贩占用人行道经营，行人只能走机动车道，油烟很大。',
  location: { address: '闵行区梅陇镇曹行路102号', district: '闵行区' },
};

beforeAll(async () => {
  env = await createTestEnv('console_desk');
  ({ browser, base } = await serveConsole(env));
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as Workstation[];
  meilong = stations.find((w) => w.street === '梅陇镇')!;
  const qibao = stations.find((w) => w.street === '七宝镇')!;
  // The newspaper's desk (新民晚报人员) takes complaints from the whole city.
  deskKey = (await env.principal('desk', CITY.id, '新民晚报受理员')).key;

  stalls = await c.file(STALLS);
  hallway = await c.file({ ...HALLWAY, workstationId: qibao.id });
  stallsAgain = await c.file(STALLS_AGAIN);
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const screenshot = screenshots('desk');
/** From the top of the page: the queue beside the case stays in view as the page scrolls (sticky). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}
const text = (page: Page, selector: string) => page.locator(selector).textContent();
const focusedCase = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-case'));
const queueTitles = (page: Page) => page.locator('#desk-queue .desk-item-title').allTextContents();

/** Presses ↓ in the focused list box until it shows `value`, as a person picks an option without the mouse. */
async function arrowTo(page: Page, selector: string, value: string): Promise<void> {
  const select = page.locator(selector);
  await expect.poll(() => page.evaluate((s) => document.activeElement === document.querySelector(s), selector)).toBe(true);
  for (let i = 0; i < 40 && (await select.inputValue()) !== value; i++) await page.keyboard.press('ArrowDown');
  expect(await select.inputValue()).toBe(value);
}

/** The text the answer template `id` gives this case, filled in as the desk's console fills it. */
function answerFrom(id: string, k: Case): string {
  const file = JSON.parse(readFileSync(path.join(REPO_ROOT, 'policy', 'answer-templates.json'), 'utf8')) as {
    templates: { id: string; text: string }[];
    departments: { id: string; name: string }[];
  };
  const date = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(k.createdAt));
  const facts: Record<string, string> = {
    title: k.title,
    address: k.location.address,
    trackingCode: k.trackingCode,
    department: file.departments.find((d) => d.id === k.department)!.name,
    date,
  };
  return file.templates.find((t) => t.id === id)!.text.replace(/\{(\w+)\}/g, (whole, name: string) => facts[name] ?? whole);
}

it('When the desk clears its triage queue from the keyboard, then each case goes where it decided and the queue moves on to the next', async () => {
  const { page, errors, close } = await signInConsole(browser, base, deskKey);
  // The desk's home is its workbench.
  await page.locator('#desk-queue button.desk-item').first().waitFor();
  expect(await text(page, 'h1')).toBe('研判甄别');
  expect(await text(page, '#queue-triage')).toBe('待研判3');
  expect(await queueTitles(page)).toEqual([STALLS.title, HALLWAY.title, STALLS_AGAIN.title]);
  expect(await page.locator('#desk-queue .desk-item-left').first().textContent()).toMatch(/^剩余 23 小时 5\d 分钟$/);

  // j / k move, Enter opens, Esc closes.
  expect(await focusedCase(page)).toBe(stalls.id);
  await page.keyboard.press('j');
  expect(await focusedCase(page)).toBe(hallway.id);
  await page.keyboard.press('k');
  expect(await focusedCase(page)).toBe(stalls.id);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, '#desk-case-title')).toBe(STALLS.title);
  await page.keyboard.press('Escape');
  await page.locator('#desk-none').waitFor();
  expect(await focusedCase(page)).toBe(stalls.id);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, '#desk-case-title')).toBe(STALLS.title);

  // What the complaint says, where, who filed it (the desk sees the citizen), and its possible duplicate.
  expect(await text(page, '#desk-description')).toBe(STALLS.description);
  expect(await text(page, '#desk-address')).toBe(STALLS.location.address);
  expect(await text(page, '#desk-citizen')).toBe('王小明 13812345678');
  expect(await page.locator('#desk-attachments a').textContent()).toBe('现场照片.jpg');
  expect(await page.locator('#desk-attachments a').getAttribute('href')).toBe(STALLS.attachments[0]!.url);
  await page.locator(`#desk-similar li[data-case="${stallsAgain.id}"]`).waitFor();
  expect(await page.locator(`#desk-similar li[data-case="${stallsAgain.id}"] a`).first().textContent()).toBe(STALLS_AGAIN.title);
  expect(await page.locator(`#desk-similar li[data-case="${stallsAgain.id}"] .desk-similarity`).textContent()).toMatch(/^相似度 \d+%$/);
  expect(await page.locator(`#desk-similar li[data-case="${hallway.id}"]`).count()).toBe(0);

  // 1: in scope. The category, then the workstation by district (from the complaint) and street.
  await page.keyboard.press('1');
  expect(await page.locator('#desk-decision-in_scope').isChecked()).toBe(true);
  expect(await page.locator('#desk-department').isVisible()).toBe(false);
  await arrowTo(page, '#desk-category', 'street_vending');
  expect(await page.locator('#desk-category option:checked').textContent()).toBe('无证设摊');
  await page.keyboard.press('Tab');
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('desk-district');
  expect(await page.locator('#desk-district').inputValue()).toBe('闵行区');
  await page.keyboard.press('Tab');
  await arrowTo(page, '#desk-street', '梅陇镇');
  // The street has one workstation: it is picked.
  await expect.poll(() => page.locator('#desk-workstation').inputValue()).toBe(meilong.id);
  expect(await page.locator('#desk-workstation option:checked').textContent()).toBe(meilong.name);
  await shot(page, 'triage-desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await shot(page, 'triage-phone');
  await page.setViewportSize(DESK);

  await page.keyboard.press('Control+Enter');
  // It leaves the queue, and the next case opens.
  await expect.poll(() => text(page, '#desk-case-title')).toBe(HALLWAY.title);
  expect(await queueTitles(page)).toEqual([HALLWAY.title, STALLS_AGAIN.title]);
  expect(await text(page, '#desk-status')).toBe(`已提交「分拣」：${STALLS.title}，案件现为「已派单」。`);
  const dispatched = await c.get(stalls.id);
  expect(dispatched).toMatchObject({ state: 'dispatched', category: 'street_vending', workstationId: meilong.id, assignedUnitId: meilong.squadId });

  // 3: transfer, to the housing department.
  await page.keyboard.press('3');
  await arrowTo(page, '#desk-department', 'housing');
  expect(await page.locator('#desk-department option:checked').textContent()).toBe('房屋管理');
  await page.keyboard.press('Control+Enter');
  await expect.poll(() => text(page, '#desk-case-title')).toBe(STALLS_AGAIN.title);
  expect(await c.get(hallway.id)).toMatchObject({ state: 'resolved', outcome: 'transferred', department: 'housing', answered: false });

  // The third is the first again: marked its duplicate from the list of possible duplicates.
  const original = page.locator(`#desk-similar li[data-case="${stalls.id}"]`);
  await original.waitFor();
  expect(await original.locator('a').first().textContent()).toBe(STALLS.title);
  await original.locator('button[data-original]').focus();
  await page.keyboard.press('Enter');
  await page.locator('#desk-queue-empty').waitFor();
  expect(await text(page, '#desk-queue-empty')).toBe('没有待研判的案件。');
  expect(await text(page, '#queue-triage')).toBe('待研判0');
  expect(await c.get(stallsAgain.id)).toMatchObject({ state: 'closed', outcome: 'duplicate', duplicateOf: stalls.id });

  expect(errors).toEqual([]);
  await close();
});

it('When the desk answers a transferred complaint from a template, then the answer carries the case\'s facts and the citizen is recorded answered', async () => {
  const { page, errors, close } = await signInConsole(browser, base, deskKey);
  await page.locator('#queue-answer').waitFor();
  expect(await text(page, '#queue-answer')).toBe('待答复1');
  await page.click('#queue-answer');
  expect(await queueTitles(page)).toEqual([HALLWAY.title]);
  expect(await page.locator('#desk-queue .desk-item-meta').first().textContent()).toContain('已移送');
  expect(await page.locator('#desk-queue .desk-item-left').first().textContent()).toMatch(/^剩余 23 小时 5\d 分钟$/);
  await page.keyboard.press('Enter');
  await expect.poll(() => text(page, '#desk-case-title')).toBe(HALLWAY.title);
  expect(page.url()).toContain(`#/desk?queue=answer&case=${hallway.id}`);

  const transferred = await c.get(hallway.id);
  const expected = answerFrom('transferred', transferred);
  expect(expected).toContain('房屋管理部门');
  await page.locator('#form-feedback').waitFor();
  expect(await page.locator('#desk-facts').textContent()).toContain('漕宝路三居委城管执法社区工作室');
  expect(await page.locator('#desk-template').inputValue()).toBe('transferred');
  expect(await page.locator('#desk-template option:checked').textContent()).toBe('非城管职责：已移送');
  const answer = await page.locator('#desk-answer').inputValue();
  expect(answer).toBe(expected);
  expect(answer).toContain(`“${HALLWAY.title}”`);
  expect(answer).toContain(transferred.trackingCode);
  expect(answer).not.toMatch(/\{\w+\}/);

  // The newspaper will not report it: waived first; the case still waits for its answer.
  await page.fill('#desk-waive-reason', '非新闻线索');
  await page.click('#form-media_waive button[type=submit]');
  await expect.poll(async () => (await c.get(hallway.id)).media.status).toBe('waived');
  await expect.poll(() => page.locator('#form-media_waive').count()).toBe(0);
  expect(await text(page, '#desk-case-title')).toBe(HALLWAY.title);

  // The desk edits the filled template, and sends it.
  await page.focus('#desk-answer');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('如有疑问请拨打 12345。');
  await shot(page, 'answer-desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await shot(page, 'answer-phone');
  await page.setViewportSize(DESK);
  await page.keyboard.press('Control+Enter');
  await page.locator('#desk-queue-empty').waitFor();
  expect(await text(page, '#desk-queue-empty')).toBe('没有待答复的案件。');

  const sent = `${expected}如有疑问请拨打 12345。`;
  expect(await c.get(hallway.id)).toMatchObject({ answered: true, feedback: sent, state: 'closed', outcome: 'transferred' });
  const feedback = (await c.events(hallway.id)).find((e) => e.type === 'feedback');
  expect(feedback).toMatchObject({ actor: { role: 'desk' }, payload: { message: sent } });

  // The case page's timeline shows it too.
  await page.click('#queue-triage');
  await page.goto(`${base}/console/#/cases/${hallway.id}`);
  await page.locator('#timeline li[data-type=feedback]').waitFor();
  expect(await page.locator('#timeline li[data-type=feedback] .event').textContent()).toBe('答复市民');

  expect(errors).toEqual([]);
  await close();
});
