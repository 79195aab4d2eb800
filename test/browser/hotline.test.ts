// 退回12345 in a real browser: the city's desk opens a 12345 work order in its triage queue, sees how long
// it has left to return it, and returns it with a reason; a supervisor does the same from the case page,
// which shows the return deadline, and then the outcome and the reason. Each return is checked through the
// API. Screenshots go to .data/test-artifacts/hotline-*.png for a person to look at.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CITY } from '../../db/seed.js';
import { type Case, caseClient } from '../lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from '../support.js';
import { screenshots, serveConsole, signInConsole } from './chromium.js';

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let browser: Browser;
let base: string;
let leak: Case;
let gas: Case;

const workOrder = (id: string, title: string, text: string, category: string) => ({
  工单编号: id,
  标题: title,
  诉求内容: text,
  诉求类别: category,
  发生地址: '杨浦区控江路2号',
  区: '杨浦区',
  街镇: '控江路街道',
  来电人: '孙八',
  联系电话: '13700002222',
  紧急程度: '一般',
});

async function push(record: Record<string, unknown>): Promise<Case> {
  const res = await env.request('POST', '/v1/hotline/work-orders', { body: record });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

beforeAll(async () => {
  env = await createTestEnv('console_hotline');
  ({ browser, base } = await serveConsole(env));
  c = caseClient(env);
  leak = await push(workOrder('GD-WEB-1', '楼上卫生间漏水', '楼上卫生间漏水到我家天花板，物业不管', '房屋漏水'));
  gas = await push(workOrder('GD-WEB-2', '燃气表漏气', '厨房燃气表有异味，怀疑漏气', '燃气'));
});

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const shot = screenshots('hotline');

it('When the desk returns a 12345 work order from its queue, then it sees the time left, must give a reason, and the case closes returned', async () => {
  const { page, errors, close } = await signInConsole(browser, base, (await env.principal('desk', CITY.id, '市局派单员')).key);
  await page.locator(`#desk-queue button[data-case="${leak.id}"]`).click();
  await expect.poll(() => page.locator('#desk-case-title').textContent()).toBe('楼上卫生间漏水');
  // Two working days from receipt: the time left, in words.
  expect(await page.locator('#desk-return-deadline').textContent()).toMatch(/ · 还剩 (1 天|2 天|\d+ 小时).* 可退回12345$/);
  const form = page.locator('#form-return_to_hotline');
  expect(await form.locator('h3').textContent()).toBe('退回12345');
  expect(await form.locator('.hint').textContent()).toMatch(/^非城管执法事项退回12345热线，须在 .+ 前退回；/);

  await form.locator('button[type=submit]').click();
  expect(await page.locator('#desk-error-return_to_hotline').textContent()).toBe('请填写退回理由，它将告知12345。');
  await page.fill('#desk-return-reason', '房屋漏水属物业维修，不属于城管执法事项，请改派房管部门');
  await shot(page, 'desk');
  await form.locator('button[type=submit]').click();
  await expect.poll(() => page.locator('#desk-status').textContent()).toBe('已提交「退回12345」：楼上卫生间漏水，案件现为「已结案」。');
  await expect.poll(() => page.locator(`#desk-queue button[data-case="${leak.id}"]`).count()).toBe(0);
  expect(await c.get(leak.id)).toMatchObject({ state: 'closed', outcome: 'returned', returnReason: '房屋漏水属物业维修，不属于城管执法事项，请改派房管部门' });
  expect(errors).toEqual([]);
  await close();
});

it('When a supervisor returns a work order from its case page, then the page shows the return deadline, and after it the outcome and the reason', async () => {
  const { page, errors, close } = await signInConsole(browser, base, env.keys.supervisor!);
  await page.goto(`${base}/console/#/cases/${gas.id}`);
  await expect.poll(() => page.locator('#case-title').textContent()).toBe('燃气表漏气');
  expect(await page.locator('#deadlines').textContent()).toContain('退单时限');
  await page.locator('#actions button[data-action="return_to_hotline"]').click();
  const form = page.locator('#form-return_to_hotline');
  expect(await form.locator('.hint').textContent()).toMatch(/前退回/);
  await page.fill('#return_to_hotline-reason', '燃气安全属燃气公司和应急部门，请改派');
  await form.locator('button[type=submit]').click();
  await expect.poll(() => page.locator('#case-state').textContent()).toBe('已结案');
  expect(await page.locator('.facts').first().textContent()).toContain('已退回12345');
  expect(await page.locator('#case-return-reason').textContent()).toBe('燃气安全属燃气公司和应急部门，请改派');
  await shot(page, 'case');
  expect(await c.get(gas.id)).toMatchObject({ state: 'closed', outcome: 'returned' });
  expect(errors).toEqual([]);
  await close();
});
