// Duplicate hints and the property dual report in a real browser, in Chinese. The desk opens a complaint on
// triage, sees the open case of the same category 60 m away proposed with its distance, title, state and
// filing time, and marks the complaint its duplicate with one click (checked through the API, both ways).
// A district supervisor opens a property company's dual report: the squad's acknowledgement is shown, the
// demolition office's is still to come with a button the supervisor may press; pressed, both are shown.
// Screenshots go to .data/test-artifacts/duplicates-*.png for a person to look at.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPrincipal } from '../../db/queries/principals.js';
import { CITY } from '../../db/seed.js';
import { type Case, caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from '../support.js';
import { screenshots, serveConsole, signInConsole } from './chromium.js';

interface Workstation { id: string; squadId: string; district: string; street: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let browser: Browser;
let base: string;
let qibao: Workstation;
let original: Case;
let repeat: Case;
let report: Case;
let deskKey: string;
let squadOfficer: { id: string; key: string };
let districtSupervisor: string;

const HERE = { lat: 31.162, lng: 121.353 };
const ORIGINAL = {
  channel: 'qr',
  category: 'construction_waste',
  title: '漕宝路88号门口堆放建筑垃圾',
  description: '小区门口堆了很多装修垃圾，已经好几天没人清运。',
  location: { address: '上海市闵行区七宝镇漕宝路88号', district: '闵行区', street: '七宝镇', ...HERE },
};
const REPEAT = {
  channel: 'qr',
  category: 'construction_waste',
  title: '漕宝路90号旁边的建筑垃圾没人管',
  description: '装修垃圾堆在人行道上，行人只能绕行。',
  location: { address: '七宝镇漕宝路90号', district: '闵行区', street: '七宝镇', lat: HERE.lat + 60 / 111_195, lng: HERE.lng },
};

beforeAll(async () => {
  env = await createTestEnv('console_duplicates');
  ({ browser, base } = await serveConsole(env));
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as Workstation[];
  qibao = stations.find((w) => w.street === '七宝镇')!;
  deskKey = (await env.principal('desk', CITY.id, '新民晚报受理员')).key;
  squadOfficer = await env.principal('officer', qibao.squadId, '七宝镇中队 张警官');
  districtSupervisor = (await env.principal('supervisor', await c.districtOf(qibao.squadId), '闵行区局 李督办')).key;

  original = await c.file({ ...ORIGINAL, workstationId: qibao.id });
  repeat = await c.file({ ...REPEAT, workstationId: qibao.id });

  const property = (await createPrincipal(env.database.db, { name: '物业双报告小程序', role: 'intake', unitId: CITY.id, channel: 'property' })).key;
  const filed = await env.request('POST', '/v1/cases', {
    key: property,
    body: {
      channel: 'property',
      externalId: 'wy-browser-1',
      title: '小区12号楼顶新增彩钢板房',
      description: '12号楼顶层住户正在楼顶搭建彩钢板房。',
      location: { address: '上海市闵行区七宝镇漕宝路1号七宝阳光苑12号楼', district: '闵行区', street: '七宝镇' },
      citizen: { name: '七宝阳光物业服务中心', phone: '13700001234' },
    },
  });
  expect(filed.statusCode, filed.body).toBe(201);
  report = filed.json();
  await c.ok(report.id, squadOfficer.key, { type: 'acknowledge_report', party: 'squad', note: '已收到' });
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const screenshot = screenshots('duplicates');
const text = (page: Page, selector: string) => page.locator(selector).textContent();

it('When the desk opens a complaint on triage, then the open case of the same category 60 m away is proposed, and one click marks the complaint its duplicate', async () => {
  const { page, errors, close } = await signInConsole(browser, base, deskKey);
  await page.goto(`${base}/console/#/desk?queue=triage&case=${repeat.id}`);
  await expect.poll(() => text(page, '#desk-case-title')).toBe(REPEAT.title);

  const hint = page.locator(`#desk-hints li[data-case="${original.id}"]`);
  await hint.waitFor();
  expect(await text(page, '#desk-hints h3')).toBe('附近的同类未结案件');
  expect(await hint.locator('a').first().textContent()).toBe(ORIGINAL.title);
  expect(await hint.locator('.desk-hint-place').textContent()).toBe('相距 60 米');
  const meta = await hint.locator('.desk-item-meta').textContent();
  expect(meta).toContain('待分拣');
  expect(meta).toContain(ORIGINAL.location.address);
  expect(meta).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
  // The case proposed by place is not listed again among those alike in words.
  expect(await page.locator(`#desk-similar li[data-case="${original.id}"]`).count()).toBe(0);
  const button = hint.locator(`button[data-original="${original.id}"]`);
  expect(await button.textContent()).toBe('标记重复');
  await screenshot(page, 'hint-desk');

  await button.click();
  await expect.poll(() => text(page, '#desk-status')).toBe(`已提交「标记重复」：${REPEAT.title}，案件现为「已结案」。`);
  expect(await c.get(repeat.id)).toMatchObject({ state: 'closed', outcome: 'duplicate', duplicateOf: original.id });
  const linked = await eventually(() => c.get(original.id), (o) => (o.duplicates ?? []).includes(repeat.id), 15_000, 'the original to list its duplicate');
  expect(linked.duplicates).toEqual([repeat.id]);
  expect(errors).toEqual([]);
  await close();
});

it("When a district supervisor opens a property company's dual report, then both acknowledgements are shown and the supervisor acknowledges for the demolition office", async () => {
  const { page, errors, close } = await signInConsole(browser, base, districtSupervisor);
  await page.goto(`${base}/console/#/cases/${report.id}`);
  await page.locator('#dual-report').waitFor();
  expect(await text(page, '#dual-report h3')).toBe('物业双报告');
  expect(await text(page, '#dual-report-squad')).toMatch(/已确认/);
  expect(await text(page, '#dual-report-squad')).toContain('张警官');
  expect(await page.locator('#dual-report-squad button').count()).toBe(0);
  expect(await text(page, '#dual-report-demolition_office')).toMatch(/已通知 · 待确认 确认收到$/);
  await screenshot(page, 'dual-report-pending');

  await page.click('#dual-report-demolition_office button[data-party="demolition_office"]');
  await page.locator('#form-acknowledge_report').waitFor();
  expect(await page.locator('#acknowledge_report-party').inputValue()).toBe('demolition_office');
  expect(await page.locator('#acknowledge_report-party option').allTextContents()).toEqual(['区拆违办']);
  await page.fill('#acknowledge_report-note', '区拆违办已收到，将联合核查');
  await page.click('#form-acknowledge_report button[type=submit]');
  await expect.poll(() => text(page, '#dual-report-demolition_office')).toMatch(/已通知 · .*已确认$/);
  expect(await page.locator('#dual-report button').count()).toBe(0);
  expect(await page.locator('#actions button[data-action="acknowledge_report"]').count()).toBe(0);
  const after = await c.get(report.id);
  expect(after.dualReport.demolitionOffice).toMatchObject({ acknowledgedAt: expect.any(String) });
  expect(after.dualReport.squad).toMatchObject({ acknowledgedAt: expect.any(String), by: squadOfficer.id });
  await screenshot(page, 'dual-report-acknowledged');
  expect(errors).toEqual([]);
  await close();
});
