// 宣传报道 in a real browser, in Chinese: a squad's officer submits a publicity item with a photo; the squad's
// supervisor approves it, the district's returns it with a comment; the officer reads the comment and
// resubmits; the squad, the district and the city approve it in turn, each finding it waiting for their own
// level; the item shows released, with its whole history. Each step is checked through the API too.
// Screenshots at a desk's and a phone's width go to .data/test-artifacts/publicity-*.png for a person to look at.

import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from '../support.js';
import { DESK, PHONE, screenshots, serveConsole, signInConsole } from './chromium.js';

type Json = Record<string, any>;

let env: TestEnv;
let browser: Browser;
let base: string;
const keys: Record<string, string> = {};
let squadName: string;

const TITLE = '七宝镇中队联络点走访：菜场门口乱停车整治见效';
const BODY = '11月，七宝镇中队联络员每周走访漕宝路三居委，会同居委会在菜场东侧划定非机动车停放区。';
const COMMENT = '请补充整治后的效果，正文写明居民反映。';
const BODY2 = `${BODY}整治后门口通道恢复畅通，居民纷纷点赞。`;

beforeAll(async () => {
  env = await createTestEnv('console_publicity');
  ({ browser, base } = await serveConsole(env));
  const [station] = (await env.request('GET', '/v1/workstations')).json().workstations as { squadId: string }[];
  const all = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null; name: string }[];
  const squad = all.find((u) => u.id === station!.squadId)!;
  squadName = squad.name;
  keys.officer = (await env.principal('officer', squad.id, '七宝镇中队联络员')).key;
  keys.squad = (await env.principal('supervisor', squad.id, '七宝镇中队中队长')).key;
  keys.district = (await env.principal('supervisor', squad.parentId!, '区局宣传科')).key;
  keys.city = (await env.principal('supervisor', '310000', '市局办公室')).key;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const screenshot = screenshots('publicity');
const item = async (id: string): Promise<Json> => (await env.request('GET', `/v1/publicity/${id}`, { key: keys.district })).json();

/** Signs in, opens 宣传报道, and finds the item waiting for this level's review, with its time left. */
async function openFromMine(key: string, level: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const session = await signInConsole(browser, base, key);
  const { page } = session;
  await page.click('#nav-publicity');
  await page.locator('#publicity-mine').waitFor();
  expect(await page.locator('#publicity-mine h2').textContent()).toBe(`待我审核（${level}）`);
  const row = page.locator('#publicity-mine-list tbody tr');
  expect(await row.locator('.publicity-title').allTextContents()).toEqual([TITLE]);
  expect(await row.locator('td').nth(2).textContent()).toMatch(new RegExp(`^${level}审核 · 剩余 \\d+ 天`));
  await row.locator('a').click();
  await page.locator('#publicity-form-review').waitFor();
  return session;
}

async function approveHere(page: Page, next: string) {
  await page.click('#publicity-approve');
  await expect.poll(() => page.locator('#publicity-status').textContent()).toBe(`审核意见已提交，现为「${next}」。`);
}

it('When a squad submits an item with a photo, the district returns it once and the three levels approve the revision, then it shows released with its history', async () => {
  // The officer: 宣传报道 → 上报, a title, the text and a photo, uploaded as it is chosen.
  const officer = await signInConsole(browser, base, keys.officer!);
  const page = officer.page;
  await page.click('#nav-publicity');
  await page.locator('#publicity-new').waitFor();
  expect(await page.locator('#nav-publicity').textContent()).toBe('宣传报道');
  expect(await page.locator('h1').textContent()).toBe('宣传报道');
  expect(await page.locator('#publicity-mine').count()).toBe(0);
  await page.click('#publicity-new');
  await page.locator('#publicity-form-submit').waitFor();
  expect(await page.locator('#publicity-squad').count()).toBe(0);
  await page.fill('#publicity-title-input', TITLE);
  await page.fill('#publicity-body-input', BODY);
  const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 70, g: 140, b: 90 } } }).jpeg().toBuffer();
  await page.setInputFiles('#publicity-files', { name: '菜场门口.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect.poll(() => page.locator('#publicity-uploads li').getAttribute('data-state')).toBe('uploaded');
  expect(await page.locator('.publicity-upload-status').textContent()).toMatch(/^已上传（\d+ KB）$/);
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  await screenshot(page, 'submit-phone');
  await page.setViewportSize(DESK);
  await page.click('#publicity-form-submit button[type=submit]');
  await page.locator('#publicity-heading').waitFor();
  expect(await page.locator('#publicity-heading').textContent()).toBe(TITLE);
  expect(await page.locator('#publicity-facts [data-state]').textContent()).toBe('审核中');
  expect(await page.locator('#publicity-left').textContent()).toMatch(/^中队审核 · 剩余 \d+ 天/);
  expect(await page.locator('#publicity-media img').count()).toBe(1);
  expect(await page.locator('#publicity-form-review').count()).toBe(0);
  const id = decodeURIComponent(page.url().split('#/publicity/')[1]!);
  expect(await item(id)).toMatchObject({ state: 'in_review', reviewLevel: 'squad', title: TITLE, body: BODY, media: [{ type: 'image/jpeg', name: '菜场门口.jpg' }] });
  expect(officer.errors).toEqual([]);

  // The squad's supervisor finds it waiting for the squad, sees the photo, and approves it.
  const squad = await openFromMine(keys.squad!, '中队');
  await expect.poll(() => squad.page.locator('#publicity-media img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
  await screenshot(squad.page, 'review-squad');
  await approveHere(squad.page, '审核中');
  expect(await squad.page.locator('#publicity-left').textContent()).toMatch(/^区局审核/);
  expect(await squad.page.locator('#publicity-form-review').count()).toBe(0);
  expect(squad.errors).toEqual([]);

  // The district returns it: a return needs a comment.
  const district = await openFromMine(keys.district!, '区局');
  await district.page.click('#publicity-return');
  await expect.poll(() => district.page.locator('#publicity-form-review-error').textContent()).toBe('退回修改须写明审核意见。');
  await district.page.fill('#publicity-comments', COMMENT);
  await district.page.click('#publicity-return');
  await expect.poll(() => district.page.locator('#publicity-status').textContent()).toBe('审核意见已提交，现为「退回修改」。');
  expect(await district.page.locator('#publicity-returned-comments').textContent()).toBe(`退回意见：${COMMENT}`);
  expect(await item(id)).toMatchObject({ state: 'returned', comments: COMMENT });
  expect(district.errors).toEqual([]);

  // The officer reads the comment and resubmits the revised text, keeping the photo.
  // (Its page still shows the item as it was when it last drew it: a reload reads it again.)
  await page.reload();
  await page.locator('#publicity-form-resubmit').waitFor();
  expect(await page.locator('#publicity-returned-comments').textContent()).toBe(`退回意见：${COMMENT}`);
  expect(await page.locator('#publicity-left').textContent()).toMatch(/^中队修改 · 剩余/);
  expect(await page.locator('#publicity-uploads .publicity-upload-status').allTextContents()).toEqual(['沿用']);
  await page.fill('#publicity-body-input', BODY2);
  await screenshot(page, 'resubmit-desk');
  await page.click('#publicity-form-resubmit button[type=submit]');
  await expect.poll(() => page.locator('#publicity-status').textContent()).toBe('已重新上报，现为「审核中」。');
  expect(await page.locator('#publicity-text').textContent()).toBe(BODY2);
  expect(await item(id)).toMatchObject({ state: 'in_review', reviewLevel: 'squad', round: 2, body: BODY2 });

  // Squad, district and city approve the revision, each at its own level.
  for (const [key, level, after] of [[keys.squad!, '中队', '审核中'], [keys.district!, '区局', '审核中'], [keys.city!, '市局', '已发布']] as const) {
    const reviewer = await openFromMine(key, level);
    await approveHere(reviewer.page, after);
    expect(reviewer.errors).toEqual([]);
    if (level !== '市局') {
      await reviewer.close();
      continue;
    }
    // Released: no more deadline, the release time, and the whole history.
    const city = reviewer.page;
    expect(await city.locator('#publicity-facts [data-state]').textContent()).toBe('已发布');
    expect(await city.locator('#publicity-left').count()).toBe(0);
    expect(await city.locator('#publicity-released').textContent()).toMatch(/2\d{3}/);
    expect(await city.locator('#publicity-history .event').allTextContents()).toEqual([
      '上报',
      '中队审核通过',
      '区局退回修改',
      '修改后重新上报',
      '中队审核通过',
      '区局审核通过',
      '市局审核通过，已发新民晚报',
    ]);
    expect(await city.locator('#publicity-history .publicity-note').allTextContents()).toEqual([COMMENT]);
    // The city may take it down from here, with a reason.
    expect(await city.locator('#publicity-form-take-down').count()).toBe(1);
    await screenshot(city, 'released-desk');
    await city.setViewportSize(PHONE);
    await city.waitForTimeout(200);
    await screenshot(city, 'released-phone');
    await reviewer.close();
  }
  expect(await item(id)).toMatchObject({ state: 'released', round: 2 });

  // The officer's page, again: released, nothing left to do there; listed under 已发布.
  await page.goto(`${base}/console/#/publicity?state=released`);
  await expect.poll(() => page.locator('#publicity-list .publicity-title').allTextContents()).toEqual([TITLE]);
  expect(await page.locator('#publicity-list tbody td').nth(3).textContent()).toBe(squadName);
  await screenshot(page, 'list-released');
  await page.click('#publicity-list .publicity-title');
  await page.locator('#publicity-no-actions').waitFor();
  expect(await page.locator('#publicity-facts [data-state]').textContent()).toBe('已发布');
  expect(officer.errors).toEqual([]);
  await officer.close();
  await squad.close();
  await district.close();
});
