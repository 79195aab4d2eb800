// The reporter's media desk in a real browser: a newspaper reporter asks to accompany the officers and
// sees their answer, drafts, sees a squad supervisor's return (given through the supervisor's case page)
// with its comment, redrafts, follows the draft up the three review levels, and publishes it with a link —
// every step on its own screen, live, in Chinese. No screen of the reporter's carries the citizen's name or
// phone, in its text or its HTML. A second test: an action the case no longer allows says where the case
// is now. Screenshots at a desk's and a phone's width go to .data/test-artifacts/reporter-*.png.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CITY } from '../../db/seed.js';
import type { Policy } from '../../domain/policy.js';
import { caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy } from '../support.js';
import { DESK, PHONE, type ConsoleSession, consoleContext, screenshots, serveConsole, signInConsole } from './chromium.js';

/** How long the page may take to show what the stream told it. */
const LIVE_MS = 10_000;
const CITIZEN = { name: '王小明', phone: '13812345678' };

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let browser: Browser;
let base: string;
const keys = { reporter: '', otherReporter: '', officer: '', squad: '', district: '', city: '' };
let workstationId: string;
/** Dispatched and accepted: the reporter's to follow. */
let followed: string;
/** Still in triage. */
let waiting: string;
/** A hotline case: no media item, not on the reporter's desk. */
let hotline: string;

beforeAll(async () => {
  // The full review chain of seed 003: squad, then district, then city.
  const policy: Policy = { ...defaultPolicy(), media: { channels: ['xinmin'], reviewChain: ['squad', 'district', 'city'] } };
  env = await createTestEnv('console_reporter', { policy });
  ({ browser, base } = await serveConsole(env));
  c = caseClient(env);

  const [station] = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as { id: string; squadId: string }[];
  workstationId = station!.id;
  keys.reporter = (await env.principal('reporter', CITY.id, '新民晚报记者')).key;
  keys.otherReporter = (await env.principal('reporter', CITY.id, '新民晚报另一位记者')).key;
  keys.officer = (await env.principal('officer', station!.squadId, '七宝中队联络员')).key;
  keys.squad = (await env.principal('supervisor', station!.squadId, '七宝中队长')).key;
  keys.district = (await env.principal('supervisor', await c.districtOf(station!.squadId), '闵行区主管')).key;
  keys.city = (await env.principal('supervisor', CITY.id, '市局主管')).key;

  // The citizen wrote their own name and number into the complaint: the reporter must never see either.
  const description = `${CITIZEN.name}反映：工地每晚十一点后仍在施工，影响居民休息，联系电话 ${CITIZEN.phone}。`;
  followed = (await c.file({ title: '七宝镇工地夜间施工', description, category: 'night_construction_noise', workstationId })).id;
  await c.ok(followed, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'night_construction_noise', workstationId });
  await c.ok(followed, keys.officer, { type: 'accept' });
  waiting = (await c.file({ title: '小区门口占道设摊', description, category: 'street_vending', workstationId })).id;
  hotline = (await c.file({ channel: 'hotline', title: '热线来的油烟投诉', description, category: 'cooking_fumes', workstationId })).id;
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const shot = screenshots('reporter');

/** Neither the citizen's name nor any mobile number, anywhere in the page's text or HTML. */
async function expectNoCitizen(page: Page): Promise<void> {
  const html = await page.content();
  const text = await page.locator('body').innerText();
  for (const seen of [html, text]) {
    expect(seen).not.toContain(CITIZEN.name);
    expect(seen).not.toContain(CITIZEN.phone);
    expect(seen).not.toMatch(/(?<!\d)1[3-9](?:[\s-]?\d){9}(?!\d)/);
    // Not even in part: no masked number (138****5678), no first character of the name (王**).
    expect(seen).not.toMatch(/\d{3}\*{4}\d{4}/);
    expect(seen).not.toContain(`${[...CITIZEN.name][0]}**`);
  }
}

const cardOf = (page: Page, id: string) => page.locator(`article.rp-card[data-case="${id}"]`);
const groupOf = (page: Page, id: string) => cardOf(page, id).getAttribute('data-group');

/** The reporter's desk is its home page: signed in, live, the newspaper's cases on screen. */
async function reporterDesk(key = keys.reporter): Promise<ConsoleSession> {
  const session = await signInConsole(browser, base, key);
  await session.page.locator('#reporter').waitFor();
  await expect.poll(() => session.page.locator('#live').getAttribute('data-state'), { timeout: LIVE_MS }).toBe('connected');
  return session;
}

it('When a reporter follows a case from the request to accompany to the published item, then each step shows on its desk, and never the citizen', async () => {
  const { page, errors, close } = await reporterDesk();
  expect(await page.locator('#reporter h1').textContent()).toBe('媒体报道');
  expect(await page.locator('#nav-reporter').textContent()).toBe('媒体报道');

  // The newspaper's cases only, each where the reporter's next step is.
  expect(await groupOf(page, followed)).toBe('start');
  expect(await groupOf(page, waiting)).toBe('pending');
  expect(await cardOf(page, hotline).count()).toBe(0);
  expect(await page.locator('#group-pending h2').textContent()).toBe('尚未派单 1');
  expect(await cardOf(page, waiting).locator('button').count()).toBe(0);
  // Only what the case allows and a reporter may: accompany and draft, never review or waive.
  const offered = await cardOf(page, followed).locator('.rp-actions button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));
  expect(offered).toEqual(['media_draft', 'media_join_request']);
  expect(await cardOf(page, followed).locator('.rp-actions button').allTextContents()).toEqual(['提交稿件', '申请随访']);
  // The complaint as the API shows it to a reporter: not a character of the citizen's name nor a digit of the number.
  await cardOf(page, followed).locator('.rp-facts summary').click();
  expect(await cardOf(page, followed).locator('.rp-facts dd').first().textContent()).toBe('***反映：工地每晚十一点后仍在施工，影响居民休息，联系电话 ***********。');
  await expectNoCitizen(page);
  await shot(page, 'start-desk');

  // Asking to accompany: the card waits for the officers' answer.
  await cardOf(page, followed).locator('button[data-action=media_join_request]').click();
  await cardOf(page, followed).locator('form[data-action=media_join_request] textarea').fill('希望随队拍摄夜间执法过程');
  await cardOf(page, followed).locator('form[data-action=media_join_request] button[type=submit]').click();
  await expect.poll(() => groupOf(page, followed)).toBe('answer');
  expect(await page.locator('#reporter-notice').textContent()).toBe('已申请随访：「七宝镇工地夜间施工」。');
  expect(await cardOf(page, followed).locator('.rp-accompany p').allTextContents()).toEqual(['已申请随访，等待执法方答复。']);
  expect(await cardOf(page, followed).locator('.rp-facts').getAttribute('open')).toBe('');

  // The squad's officer answers through the API: the desk hears it live.
  await c.ok(followed, keys.officer, { type: 'media_join_decision', approve: true, note: '明晚十点在工地门口会合' });
  await expect.poll(() => groupOf(page, followed), { timeout: LIVE_MS }).toBe('start');
  expect(await cardOf(page, followed).locator('.rp-accompany').getAttribute('data-accompany')).toBe('approved');
  expect(await cardOf(page, followed).locator('.rp-accompany p').allTextContents()).toEqual(['执法方同意随访。', '执法方答复：明晚十点在工地门口会合']);
  expect(await cardOf(page, followed).locator('button[data-action=media_join_request]').count()).toBe(0);
  await expectNoCitizen(page);

  // The draft: an empty one is stopped before it is sent, a full one goes to the squad's review.
  await cardOf(page, followed).locator('button[data-action=media_draft]').click();
  const draftForm = cardOf(page, followed).locator('form[data-action=media_draft]');
  await draftForm.locator('button[type=submit]').click();
  expect(await draftForm.locator('.error').textContent()).toBe('请填写标题和正文。');
  await draftForm.locator('input[name=title]').fill('七宝镇工地夜间施工整改记');
  await draftForm.locator('textarea[name=body]').fill('记者随七宝中队夜查工地，现场责令停工。');
  await draftForm.locator('button[type=submit]').click();
  await expect.poll(() => groupOf(page, followed)).toBe('review');
  expect(await cardOf(page, followed).locator('.rp-level').textContent()).toBe('等待中队审核');
  expect(await cardOf(page, followed).locator('.rp-deadline').textContent()).toMatch(/^审核时限 .+（还剩 \d+ (天|小时).*）$/);
  expect(await cardOf(page, followed).locator('.rp-status').textContent()).toBe('审核中');
  await expectNoCitizen(page);
  await shot(page, 'review-desk');

  // The squad's supervisor returns it with a comment, through the media review form of its case page.
  const squad = await signInConsole(browser, base, keys.squad);
  await squad.page.goto(`${base}/console/#/cases/${followed}`);
  await squad.page.locator('#actions button[data-action=media_review]').click();
  await squad.page.check('#review-return');
  await squad.page.fill('#media_review-comments', '请补充执法队员的处置过程和整改期限。');
  await squad.page.click('#form-media_review button[type=submit]');
  await squad.page.locator('#form-media_review').waitFor({ state: 'detached' });
  expect(squad.errors).toEqual([]);
  await squad.close();

  await expect.poll(() => groupOf(page, followed), { timeout: LIVE_MS }).toBe('returned');
  expect(await cardOf(page, followed).locator('.rp-comments-text').textContent()).toBe('请补充执法队员的处置过程和整改期限。');
  expect(await cardOf(page, followed).locator('.rp-status').textContent()).toBe('已退回记者');
  expect(await page.locator('#group-returned h2').textContent()).toBe('退回修改 1');
  await expectNoCitizen(page);
  await shot(page, 'returned-desk');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await shot(page, 'returned-phone');
  await page.setViewportSize(DESK);

  // The redraft starts from the returned draft; what is typed survives a live refresh of the desk.
  const redraft = cardOf(page, followed).locator('button[data-action=media_draft]');
  expect(await redraft.textContent()).toBe('修改后重新提交');
  await redraft.click();
  expect(await draftForm.locator('input[name=title]').inputValue()).toBe('七宝镇工地夜间施工整改记');
  expect(await draftForm.locator('textarea[name=body]').inputValue()).toBe('记者随七宝中队夜查工地，现场责令停工。');
  await draftForm.locator('textarea[name=body]').fill('记者随七宝中队夜查工地，现场责令停工，限期三日整改。');
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await shot(page, 'redraft-phone');
  await page.setViewportSize(DESK);
  await c.ok(waiting, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'street_vending', workstationId });
  await expect.poll(() => groupOf(page, waiting), { timeout: LIVE_MS }).toBe('start');
  expect(await draftForm.locator('textarea[name=body]').inputValue()).toBe('记者随七宝中队夜查工地，现场责令停工，限期三日整改。');
  await draftForm.locator('button[type=submit]').click();
  await expect.poll(() => groupOf(page, followed)).toBe('review');
  expect(await cardOf(page, followed).locator('.rp-comments').count()).toBe(0);

  // Up the chain: each level's approval shows live, the last one makes it the reporter's to publish.
  for (const [key, next] of [[keys.squad, '等待区局审核'], [keys.district, '等待市局审核']] as const) {
    await c.ok(followed, key, { type: 'media_review', decision: 'approve' });
    await expect.poll(() => cardOf(page, followed).locator('.rp-level').textContent(), { timeout: LIVE_MS }).toBe(next);
  }
  await c.ok(followed, keys.city, { type: 'media_review', decision: 'approve' });
  await expect.poll(() => groupOf(page, followed), { timeout: LIVE_MS }).toBe('publish');
  expect(await cardOf(page, followed).locator('.rp-level').textContent()).toBe('已通过全部审核。');
  expect(await cardOf(page, followed).locator('.rp-actions button').allTextContents()).toEqual(['发布报道']);
  await expectNoCitizen(page);

  // Publishing: a link that is not http(s) is stopped; the published item links to where it is.
  await cardOf(page, followed).locator('button[data-action=media_publish]').click();
  const publishForm = cardOf(page, followed).locator('form[data-action=media_publish]');
  await publishForm.locator('input[name=url]').fill('javascript:alert(1)');
  await publishForm.locator('button[type=submit]').click();
  expect(await publishForm.locator('.error').textContent()).toBe('报道链接须以 http:// 或 https:// 开头。');
  const url = 'https://xmwb.xinmin.cn/bangnong/2026/qibao-night-works.html';
  await publishForm.locator('input[name=url]').fill(url);
  await publishForm.locator('button[type=submit]').click();
  await expect.poll(() => groupOf(page, followed)).toBe('published');
  expect(await cardOf(page, followed).locator(`#link-${followed}`).getAttribute('href')).toBe(url);
  expect(await cardOf(page, followed).locator('.rp-published').textContent()).toMatch(/^发布于 /);
  expect(await page.locator('#reporter-notice').textContent()).toBe('已发布报道：「七宝镇工地夜间施工」。');
  const published = await c.get(followed);
  expect(published.media).toMatchObject({ status: 'published', url });
  await expectNoCitizen(page);
  await shot(page, 'published-desk');

  // One group at a time, from the chips.
  await page.click('.rp-chip[data-group=published]');
  await page.locator('#group-published').waitFor();
  expect(await page.locator('.rp-group').count()).toBe(1);
  expect(await page.locator('.rp-chip[aria-current=page]').getAttribute('data-group')).toBe('published');
  await expectNoCitizen(page);

  // The case page as the reporter sees it.
  await page.goto(`${base}/console/#/cases/${followed}`);
  await page.locator('#timeline').waitFor();
  expect(await page.locator('#case-title').textContent()).toBe('七宝镇工地夜间施工');
  await expectNoCitizen(page);

  await page.goto(`${base}/console/#/reporter`);
  await page.locator('#reporter').waitFor();
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await expectNoCitizen(page);
  await shot(page, 'phone');

  // In English on request, from the same catalogue.
  await page.setViewportSize(DESK);
  await page.click('button[data-lang=en]');
  await expect.poll(() => page.locator('#reporter h1').textContent()).toBe('Media desk');
  expect(await cardOf(page, followed).locator('.rp-status').textContent()).toBe('Published');
  await shot(page, 'en-desk');

  expect(errors).toEqual([]);
  await close();
});

it('When the case has moved on before the reporter submits, then the desk says where it is now and what the reporter may do', async () => {
  const id = (await c.file({ title: '沿街商铺油烟扰民', category: 'cooking_fumes', workstationId })).id;
  await c.ok(id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes', workstationId });
  await c.ok(id, keys.officer, { type: 'accept' });

  // No live stream in this browser: the page cannot learn of the other reporter's draft before it submits.
  const context = await consoleContext(browser);
  await context.route('**/v1/stream', (route) => route.abort());
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  await page.fill('#key', keys.reporter);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#reporter').waitFor();

  await cardOf(page, id).locator('button[data-action=media_draft]').click();
  const form = cardOf(page, id).locator('form[data-action=media_draft]');
  await form.locator('input[name=title]').fill('油烟扰民追踪');
  await form.locator('textarea[name=body]').fill('正文');
  await c.ok(id, keys.otherReporter, { type: 'media_draft', title: '另一位记者的稿件', body: '正文' });
  await form.locator('button[type=submit]').click();

  const notice = page.locator('#reporter-notice');
  await expect.poll(() => notice.textContent()).toBe('提交稿件未成功：案件已有变化，现为「处置中」；您现在可以：申请随访。');
  expect(await notice.getAttribute('role')).toBe('alert');
  expect(await notice.getAttribute('title')).toBe('a draft is already in review, approved or done');
  // Refetched: the case shows as it is, in review, followed by the other reporter.
  await expect.poll(() => groupOf(page, id)).toBe('review');
  expect(await cardOf(page, id).locator('.rp-other').textContent()).toBe('此案由另一位记者跟进。');
  await expectNoCitizen(page);
  await shot(page, 'conflict-desk');
  await context.close();
});
