// The officer's workbench in a real browser, at a phone's width (390 × 844): an officer of the squad signs
// in and lands on its cases, sees the dispatched one with the time left, consents to a reporter coming
// along, accepts, arrives, takes photos as evidence (a file that is no photo is refused in words; the
// photo is made smaller on the phone before it goes), and resolves with another photo. The photo then
// shows on the case page of the district's supervisor, and an officer of another squad gets neither the
// case nor the image. Screenshots go to .data/test-artifacts/officer-*.png for a person to look at.

import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from '../support.js';
import { DESK, PHONE, screenshots, serveConsole } from './chromium.js';

interface Workstation { id: string; squadId: string }
interface Unit { id: string; name: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let browser: Browser;
let base: string;
const keys: Record<'officer' | 'supervisor' | 'otherOfficer', string> = {} as never;
let squad: Unit;
let caseId: string;
let later: string;
/** A phone camera's photo: 2600 × 1950, blotchy enough to be a real JPEG of some size. */
let photo: Buffer;
let secondPhoto: Buffer;

const shot = screenshots('officer');

beforeAll(async () => {
  env = await createTestEnv('console_officer');
  ({ browser, base } = await serveConsole(env));
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as Workstation[];
  const station = stations[0]!;
  const elsewhere = stations.find((w) => w.squadId !== station.squadId)!;
  const units = (await env.request('GET', '/v1/units')).json().units as Unit[];
  squad = units.find((u) => u.id === station.squadId)!;
  keys.officer = (await env.principal('officer', squad.id, '李队员')).key;
  keys.supervisor = (await env.principal('supervisor', await c.districtOf(squad.id), '闵行区主管')).key;
  keys.otherOfficer = (await env.principal('officer', elsewhere.squadId, '别的中队队员')).key;

  const dispatch = async (title: string, urgent: boolean) => {
    const filed = await c.file({ title, urgent, workstationId: station.id, location: { address: '闵行区七宝镇漕宝路1号 小区北门', district: '闵行区', street: '七宝镇' } });
    await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'illegal_construction', urgent, workstationId: station.id });
    return filed.id as string;
  };
  caseId = await dispatch('小区楼顶违法搭建彩钢板房', false);
  later = await dispatch('沿街商铺夜间施工噪音', true);
  // A reporter of the newspaper asks to come along: the officer decides.
  await c.ok(caseId, env.keys.reporter!, { type: 'media_join_request', note: '希望随访拍摄处置过程' });

  const blotches = (w: number, h: number) => sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } });
  photo = await blotches(130, 98).resize(2600, 1950).jpeg({ quality: 85 }).toBuffer();
  secondPhoto = await blotches(64, 48).resize(1600, 1200).png().toBuffer();
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** A fresh browser session at `viewport`, signed in with `key`, collecting page and console errors. */
async function signIn(key: string, viewport = PHONE): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...(viewport === PHONE ? { isMobile: true, hasTouch: true } : {}) });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    // 401 before signing in, and the 403s the other squad's officer is meant to get.
    if (m.type() === 'error' && !/401|403/.test(m.text())) errors.push(m.text());
  });
  await page.goto(`${base}/console/`);
  await page.fill('#key', key);
  await page.click('#sign-in button[type=submit]');
  await page.locator('#who').waitFor();
  return { context, page, errors };
}

/** Nothing is wider than the screen: the page does not scroll sideways. */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

let fileIds: string[] = [];

it('When an officer works a case on a phone, then it accepts, arrives, sends photos with their progress and resolves, each in words', async () => {
  const { context, page, errors } = await signIn(keys.officer);
  // The officer's home is its workbench: the squad's cases by stage, the urgent one first by its deadline.
  const dispatched = page.locator('#group-dispatched');
  await dispatched.locator(`[data-case="${caseId}"]`).waitFor();
  expect(await page.locator('h1').textContent()).toBe('我的案件');
  expect(await dispatched.locator('[data-case]').evaluateAll((cards) => cards.map((a) => a.getAttribute('data-case')))).toEqual([later, caseId]);
  const card = dispatched.locator(`[data-case="${caseId}"]`);
  expect(await card.textContent()).toMatch(/小区楼顶违法搭建彩钢板房.*剩余 \d+ 小时/);
  expect(await card.textContent()).toContain('记者申请随访');
  expect(await dispatched.locator(`[data-case="${later}"] .badge.urgent`).textContent()).toBe('紧急');
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'list-phone');

  await card.click();
  await page.locator('#officer-case-title').waitFor();
  expect(await page.locator('#officer-case-title').textContent()).toBe('小区楼顶违法搭建彩钢板房');
  // Only what the case allows now and an officer may take, of what this screen takes.
  const answer = (await env.request('GET', `/v1/cases/${caseId}`, { key: keys.officer })).json() as { allowedActions: string[] };
  const shown = await page.locator('#officer-actions button').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));
  expect(shown).toEqual(answer.allowedActions.filter((a) => ['accept', 'arrive', 'record_evidence', 'resolve', 'escalate', 'media_join_decision'].includes(a)));
  expect(shown).toEqual(['accept', 'media_join_decision']);
  expect(await page.locator('#officer-list').isVisible()).toBe(false);

  // The reporter may come along.
  await page.click('#officer-actions button[data-action=media_join_decision]');
  await page.click('#officer-form-media_join_decision button[type=submit]');
  expect(await page.locator('#officer-form-error').textContent()).toBe('请选择同意或不同意。');
  await page.check('#join-yes');
  await page.click('#officer-form-media_join_decision button[type=submit]');
  await expect.poll(() => page.locator('#officer-said').textContent()).toBe('已提交「随访决定」，案件现为「已派单」。');
  expect((await c.get(caseId)).media.accompany).toBe('approved');

  await page.click('#officer-actions button[data-action=accept]');
  await expect.poll(() => page.locator('#officer-state').textContent()).toBe('处置中');
  expect(await page.locator('#officer-said').textContent()).toBe('已提交「签收」，案件现为「处置中」。');
  await page.click('#officer-actions button[data-action=arrive]');
  await expect.poll(() => page.locator('#officer-actions button[data-action=arrive]').count()).toBe(0);

  // Evidence: a file that is no photo is refused on the phone, in words, and holds the form back.
  await page.click('#officer-actions button[data-action=record_evidence]');
  const form = page.locator('#officer-form-record_evidence');
  await form.waitFor();
  const picker = form.locator('input[type=file]');
  expect(await picker.getAttribute('accept')).toBe('image/*');
  expect(await picker.getAttribute('capture')).toBe('environment');
  await picker.setInputFiles({ name: '说明.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('这不是照片') });
  await expect.poll(() => form.locator('.photo[data-state=failed] .photo-status').textContent()).toBe('这不是可以读取的照片，请重新拍摄。');
  await form.locator('textarea').fill('楼顶搭建约 20 平方米彩钢板房，已拍照');
  await form.locator('button[type=submit]').click();
  expect(await page.locator('#officer-form-error').textContent()).toBe('还有 1 张照片未上传成功：请点「重试」或将其移除。');
  await form.locator('.photo[data-state=failed] .photo-remove').click();
  expect(await page.locator('#officer-form-error').textContent()).toBe('');

  await picker.setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect.poll(() => form.locator('.photo .photo-status').textContent(), { timeout: 15_000 }).toMatch(/^已上传（\d+ KB）$/);
  expect(await form.locator('.photo img').evaluate((img: HTMLImageElement) => img.src.startsWith('blob:') && img.naturalWidth > 0)).toBe(true);
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'evidence-phone');
  await form.locator('button[type=submit]').click();
  await expect.poll(() => page.locator('#officer-said').textContent()).toBe('已提交「取证」，案件现为「处置中」。');
  expect(await form.count()).toBe(0);
  await page.locator('.officer-photos img').first().waitFor();

  // Resolve, with one more photo.
  await page.click('#officer-actions button[data-action=resolve]');
  const resolve = page.locator('#officer-form-resolve');
  await resolve.locator('textarea').fill('已责令当事人自行拆除，现场已恢复原状');
  await resolve.locator('input[type=file]').setInputFiles({ name: '整改后.png', mimeType: 'image/png', buffer: secondPhoto });
  await expect.poll(() => resolve.locator('.photo').getAttribute('data-state'), { timeout: 15_000 }).toBe('uploaded');
  await resolve.locator('button[type=submit]').click();
  await expect.poll(() => page.locator('#officer-state').textContent()).toBe('已办结');
  expect(await page.locator('#officer-actions button').count()).toBe(0);
  await expect.poll(() => page.locator('.officer-photos img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0))).toEqual([true, true]);
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await shot(page, 'resolved-phone');

  // What went over the wire: JPEGs made smaller on the phone, at most 2048 px, kept with the case.
  const files = (await env.request('GET', `/v1/cases/${caseId}/files`, { key: keys.officer })).json().files as { id: string; type: string; size: number }[];
  expect(files.map((f) => f.type)).toEqual(['image/jpeg', 'image/jpeg']);
  for (const f of files) {
    const bytes = (await env.app.inject({ method: 'GET', url: `/v1/files/${f.id}`, headers: { authorization: `Bearer ${keys.officer}` } })).rawPayload;
    const meta = await sharp(bytes).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(2048);
  }
  expect((await sharp((await env.app.inject({ method: 'GET', url: `/v1/files/${files[0]!.id}`, headers: { authorization: `Bearer ${keys.officer}` } })).rawPayload).metadata()).width).toBe(2048);
  fileIds = files.map((f) => f.id);

  // Back on the list, the case has left the officer's stages; the other is still there.
  await page.click('.officer-back a');
  await page.locator('#group-dispatched').waitFor();
  expect(await page.locator(`[data-case="${caseId}"]`).count()).toBe(0);
  expect(await page.locator(`[data-case="${later}"]`).count()).toBe(1);

  // At a desk, the list and the open case side by side.
  await page.setViewportSize(DESK);
  await page.goto(`${base}/console/#/officer?case=${later}`);
  await page.locator('#officer-case-title').waitFor();
  expect(await page.locator('#officer-list').isVisible()).toBe(true);
  await shot(page, 'desk');
  expect(errors).toEqual([]);
  await context.close();
});

it('When the district supervisor opens the case page, then the photos show; an officer of another squad gets neither the case nor the image', async () => {
  expect(fileIds).toHaveLength(2);
  const supervisor = await signIn(keys.supervisor, DESK);
  await supervisor.page.goto(`${base}/console/#/cases/${caseId}`);
  const images = supervisor.page.locator('#evidence img');
  await images.first().waitFor();
  expect(await images.count()).toBe(2);
  await expect.poll(() => images.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0))).toEqual([true, true]);
  expect(await supervisor.page.locator(`#evidence a[data-file="${fileIds[0]}"]`).getAttribute('href')).toBe(`/v1/files/${fileIds[0]}`);
  expect(await supervisor.page.locator('#evidence li[data-type=resolve]').textContent()).toContain('已责令当事人自行拆除');
  await shot(supervisor.page, 'case-supervisor-desk');
  await supervisor.page.setViewportSize(PHONE);
  expect(await overflow(supervisor.page)).toBeLessThanOrEqual(0);
  await shot(supervisor.page, 'case-supervisor-phone');
  expect(supervisor.errors).toEqual([]);
  await supervisor.context.close();

  const other = await signIn(keys.otherOfficer);
  await other.page.goto(`${base}/console/#/cases/${caseId}`);
  await other.page.locator('.view [role=alert]').waitFor();
  expect(await other.page.locator('img').count()).toBe(0);
  for (const id of fileIds) {
    for (const url of [`/v1/files/${id}`, `/v1/files/${id}/preview`]) {
      const res = await other.page.request.get(`${base}${url}`);
      expect(res.status(), url).toBe(403);
      expect(res.headers()['content-type']).toMatch(/^application\/json/);
    }
  }
  // Nor is the case on its workbench.
  await other.page.goto(`${base}/console/#/officer`);
  await other.page.locator('#group-dispatched').waitFor();
  expect(await other.page.locator(`[data-case="${caseId}"], [data-case="${later}"]`).count()).toBe(0);
  expect(other.errors).toEqual([]);
  await other.context.close();
});
