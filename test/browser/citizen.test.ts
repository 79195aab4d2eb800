// The citizen's pages in a real browser, at a phone's width (390 × 844), in Chinese: a resident opens the
// page a workstation's QR code leads to, sees the workstation's name, files a complaint with the phone's
// position and a photo (consent asked for before a phone number goes), gets the tracking code, opens the
// tracking page — status and deadline in words, no name or phone anywhere — and adds information with
// another photo. After the staff answer the case through the API, the resident reads the answer and rates
// it. A suggestion (建议) from the same page is followed by its BS code, and a code typed by hand finds its
// page. A squad's QR sheet prints as A4 pages, six codes to a page. Screenshots go to .data/test-artifacts/citizen-*.png.

import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from '../support.js';
import { DESK, PHONE, screenshots, serveConsole } from './chromium.js';

interface Workstation { id: string; fullName: string; squadId: string; district: string; street: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let browser: Browser;
let base: string;
let station: Workstation;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];
let photo: Buffer;

const shot = screenshots('citizen');
// Seven Treasures (七宝) old town, where the workstation is.
const POSITION = { latitude: 31.1552, longitude: 121.3502, accuracy: 12 };

beforeAll(async () => {
  env = await createTestEnv('browser_citizen');
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as Workstation[];
  station = stations[0]!;
  // The pilot points give a squad two workstations at most: this one gets seven more, so its sheet runs to two pages.
  for (let i = 1; i <= 7; i++) {
    await env.database.sql`insert into workstations (id, name, full_name, kind, district, street, squad_id, pilot_seq)
      select ${`ws-extra-${i}`}, ${`第${i}居委`}, ${`${station.district}${station.street}第${i}居委城管执法社区工作室`}, kind, district, street, squad_id, null
      from workstations where id = ${station.id}`;
  }
  await env.restartApi();
  ({ browser, base } = await serveConsole(env));
  c = caseClient(env);
  const blotches = (w: number, h: number) => sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } });
  photo = await blotches(120, 90).resize(2400, 1800).jpeg({ quality: 85 }).toBuffer();

  context = await browser.newContext({
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    geolocation: POSITION,
    permissions: ['geolocation'],
  });
  page = await context.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await env?.close();
});

/** Nothing is wider than the screen: the page does not scroll sideways. */
const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const text = async (selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();
const bodyText = () => page.locator('body').innerText();

let code: string;
let caseId: string;

it('When a resident opens the QR page on a phone, then it names the workstation and files a complaint with its position and a photo, answering the tracking code', async () => {
  await page.goto(`${base}/citizen/#/w/${station.id}`);
  await page.locator('#station-name').waitFor();
  expect(await text('#station-name')).toBe(station.fullName);
  expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  expect(await text('label:has(#kind-complaint)')).toContain('投诉');
  expect(await text('label:has(#kind-suggestion)')).toContain('建议');
  // The honeypot is there for programs, not for people.
  const trap = await page.locator('#website').boundingBox();
  expect(trap!.x + trap!.width).toBeLessThan(0);
  expect(await page.locator('#website').getAttribute('tabindex')).toBe('-1');
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, 'file-phone');

  // Sent empty, the page says what is missing before anything goes.
  await page.click('#submit');
  expect(await text('#text-error')).toBe('请填写描述。');
  expect(await text('#address-error')).toBe('请填写地点。');

  await page.selectOption('#category', 'illegal_construction');
  expect(await page.locator('#category option:checked').textContent()).toBe('违法建筑');
  await page.fill('#text', '隔壁楼顶正在搭建彩钢板房\n已经搭了三天，晚上也在敲打');
  await page.fill('#address', '七宝镇漕宝路1号 5号楼楼顶');
  await page.click('#locate');
  await expect.poll(() => text('#located')).toBe('已附上手机位置（精度约 12 米）');
  await page.locator('#photos').setInputFiles({ name: 'IMG_2041.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect.poll(() => page.locator('#photos-list img').count()).toBe(1);
  await page.fill('#name', '李阿姨');
  await page.fill('#phone', '139 1234 5678');
  // A phone number goes only with the consent that says what it is for.
  await page.click('#submit');
  expect(await text('#consent-error')).toBe('留下姓名或电话需要勾选同意。');
  expect(await text('label[for=consent]')).toContain('仅用于处理和答复本次诉求');
  await page.check('#consent');
  await shot(page, 'file-filled-phone');
  await page.click('#submit');

  await page.locator('#tracking-code').waitFor({ timeout: 20_000 });
  code = await text('#tracking-code');
  expect(code).toMatch(/^BN[0-9A-Z]{10}$/);
  expect(await text('#filed h1')).toBe('投诉已提交');
  expect(await text('#filed-photos')).toBe('1 张照片已附上。');
  expect(await page.locator('#track-link').getAttribute('href')).toBe(`#/track/${code}`);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, 'filed-phone');

  // The case, as staff see it: channel qr at the workstation, the position, the contact, the photo as the citizen's supplement.
  const listed = (await env.request('GET', `/v1/cases?channel=qr&q=${encodeURIComponent('彩钢板房')}`)).json().cases;
  expect(listed).toHaveLength(1);
  caseId = listed[0].id;
  const view = await c.get(caseId);
  expect(view).toMatchObject({
    trackingCode: code,
    channel: 'qr',
    workstationId: station.id,
    category: 'illegal_construction',
    title: '隔壁楼顶正在搭建彩钢板房',
    description: '隔壁楼顶正在搭建彩钢板房\n已经搭了三天，晚上也在敲打',
    location: { address: '七宝镇漕宝路1号 5号楼楼顶', district: '闵行区', lat: POSITION.latitude, lng: POSITION.longitude },
    citizen: { name: '李阿姨', phone: '13912345678' },
  });
  const files = (await env.request('GET', `/v1/cases/${caseId}/files`)).json().files;
  expect(files).toEqual([expect.objectContaining({ owner: 'citizen', type: 'image/jpeg' })]);
  // Made smaller on the phone: at most 2048 px, no longer the camera's 2400.
  const stored = await env.request('GET', files[0].url);
  expect((await sharp(stored.rawPayload).metadata()).width).toBe(2048);
  const supplement = (await c.events(caseId)).find((e) => e.type === 'supplement')!;
  expect(supplement).toMatchObject({ actor: { role: 'citizen' }, payload: { attachments: [{ fileId: files[0].id }] } });
});

it('When the resident opens the tracking page, then it shows the status and the deadline in words and no name or phone, and takes more information with a photo', async () => {
  await page.click('#track-link');
  await page.locator('#status').waitFor();
  expect(await text('#code')).toBe(code);
  expect(await text('#title')).toBe('隔壁楼顶正在搭建彩钢板房');
  expect(await text('#status')).toBe('已受理，等待工作人员分拣');
  expect(await text('#station')).toBe(station.fullName);
  expect(await text('#category')).toBe('违法建筑');
  expect(await text('#stage')).toBe('分拣研判');
  expect(await text('#deadline')).toMatch(/^应于 \d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} 前完成$/);
  expect(await text('#answer')).toContain('尚未答复');
  expect(await page.locator('#rating-form').count()).toBe(0);
  expect(await page.locator('#timeline li .event').allTextContents()).toEqual(['您补充了信息', '诉求已受理']);
  for (const personal of ['李阿姨', '13912345678', '139', '5678', '5号楼']) expect(await bodyText(), personal).not.toContain(personal);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, 'track-phone');

  await page.fill('#more-text', '今天又加高了一层');
  await page.locator('#more-photos').setInputFiles({ name: 'IMG_2042.jpg', mimeType: 'image/jpeg', buffer: await sharp(photo).rotate(90).toBuffer() });
  await expect.poll(() => page.locator('#more-photos-list img').count()).toBe(1);
  await page.click('#more-form button[type=submit]');
  await expect.poll(() => text('#notice')).toBe('已补充，工作人员会看到。');
  expect(await page.locator('#timeline li .event').allTextContents()).toEqual(['您补充了信息', '您补充了信息', '诉求已受理']);
  const supplements = (await c.events(caseId)).filter((e) => e.type === 'supplement');
  expect(supplements.at(-1)).toMatchObject({ actor: { role: 'citizen' }, payload: { text: '今天又加高了一层', attachments: [{ contentType: 'image/jpeg' }] } });
  expect((await env.request('GET', `/v1/cases/${caseId}/files`)).json().files).toHaveLength(2);
});

it('When the staff answer the case, then the resident reads the answer and rates it, and the page takes no more', async () => {
  await c.ok(caseId, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'illegal_construction', workstationId: station.id });
  await page.click('#refresh');
  await expect.poll(() => text('#status')).toBe('已派给属地城管中队，等待队员接单');
  expect(await text('#stage')).toBe('队员接单');
  await c.ok(caseId, env.keys.officer!, { type: 'accept' });
  await c.ok(caseId, env.keys.officer!, { type: 'resolve', result: '已责令当事人拆除楼顶彩钢板房' });
  await c.ok(caseId, env.keys.officer!, { type: 'feedback', message: '您反映的楼顶违法搭建已责令拆除，感谢您的监督。' });

  await page.click('#refresh');
  await expect.poll(() => text('#status')).toBe('已办结：问题已处置');
  expect(await text('#answer-text')).toBe('您反映的楼顶违法搭建已责令拆除，感谢您的监督。');
  expect(await page.locator('#deadline').count()).toBe(0);
  expect(await page.locator('#more-form').count()).toBe(0);
  expect(await text('#rating-form')).toMatch(/可在 .+ 前评价。/);
  expect((await page.locator('#timeline li .event').allTextContents()).slice(0, 4)).toEqual(['已答复您', '处置完毕', '城管队员已接单', '工作人员完成分拣']);

  await page.click('#rating-form button[type=submit]');
  expect(await text('#rating-error')).toBe('请选择一项评价。');
  await page.check('#rating-satisfied');
  await page.fill('#rating-comment', '处理很及时');
  await shot(page, 'rate-phone');
  await page.click('#rating-form button[type=submit]');
  await expect.poll(() => text('#notice')).toBe('您的评价：满意。感谢您的反馈。');
  expect(await text('#rated')).toBe('您的评价：满意');
  expect(await page.locator('#rating-form').count()).toBe(0);
  expect((await c.get(caseId)).rating).toMatchObject({ rating: 'satisfied', comment: '处理很及时' });
  for (const personal of ['李阿姨', '13912345678']) expect(await bodyText(), personal).not.toContain(personal);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, 'rated-phone');
});

it('When the resident files a suggestion and later types a code by hand, then each finds its page', async () => {
  await page.goto(`${base}/citizen/#/w/${station.id}`);
  await page.locator('#station-name').waitFor();
  await page.check('#kind-suggestion');
  expect(await page.locator('#category-field').isVisible()).toBe(false);
  expect(await page.locator('#photo-field').isVisible()).toBe(false);
  expect(await text('#address-field label')).toBe('地点（选填）');
  await page.fill('#text', '建议在菜场门口增设非机动车停放点');
  await page.click('#submit');
  await page.locator('#tracking-code').waitFor({ timeout: 20_000 });
  expect(await text('#filed h1')).toBe('建议已提交');
  const suggestion = await text('#tracking-code');
  expect(suggestion).toMatch(/^BS/);
  await page.click('#track-link');
  await expect.poll(() => text('#status')).toBe('已收到您的建议');
  expect(await text('#title')).toBe('建议在菜场门口增设非机动车停放点');

  // A code typed by hand, in lower case with a space, finds its page; a wrong one is explained.
  await page.goto(`${base}/citizen/#/`);
  await page.fill('#code', 'bn12');
  await page.click('#track-form button[type=submit]');
  expect(await text('#code-error')).toMatch(/^查询码以 BN（投诉）或 BS（建议）开头/);
  await page.fill('#code', `${code.slice(0, 6).toLowerCase()} ${code.slice(6)}`);
  await page.click('#track-form button[type=submit]');
  await expect.poll(() => text('#code')).toBe(code);
  await page.goto(`${base}/citizen/#/`);
  expect(await page.locator('#saved-codes a').allTextContents()).toEqual([suggestion, code]);
  await shot(page, 'home-phone');
  await page.click('#language');
  await expect.poll(() => text('#track-form h1')).toBe('Track a complaint or suggestion');
  await page.click('#language');
  expect(errors).toEqual([]);
});

it('When a squad prints its QR sheet, then Chromium lays it out on A4 pages, six codes a page', async () => {
  const squadId = station.squadId;
  const count = (await env.request('GET', '/v1/workstations')).json().workstations.filter((w: Workstation) => w.squadId === squadId).length;
  const staff = await browser.newContext({ viewport: DESK, locale: 'zh-CN', extraHTTPHeaders: { authorization: `Bearer ${env.keys.desk}` } });
  try {
    const sheet = await staff.newPage();
    const sheetErrors: string[] = [];
    sheet.on('console', (m) => {
      if (m.type() === 'error') sheetErrors.push(m.text());
    });
    await sheet.goto(`${base}/v1/units/${squadId}/qr-sheet`);
    expect(await sheet.locator('article.card').count()).toBe(count);
    expect(await sheet.locator('article.card h2').first().textContent()).toBe(station.fullName);
    // The style applied (the CSP let its hash through): the code is drawn 50 mm wide.
    const width = await sheet.locator('article.card svg').first().evaluate((svg) => svg.getBoundingClientRect().width);
    expect(width).toBeCloseTo((50 / 25.4) * 96, 0);
    await shot(sheet, 'qr-sheet-desk');
    const pdf = await sheet.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
    expect(count).toBeGreaterThan(6);
    expect((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBe(Math.ceil(count / 6));
    expect(sheetErrors).toEqual([]);
  } finally {
    await staff.close();
  }
});
