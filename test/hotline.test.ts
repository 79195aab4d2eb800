// The 12345 hotline channel end to end: its exports imported through the real command line against a
// listening API (CSV with quotes, line breaks, a BOM and bad rows; JSON; GBK), its push endpoint, and the
// return of a work order that is not a 城管 matter (退单) — told to the hotline's signed webhook, and refused
// once its window has closed — and the answer and the rating flowing back the same way.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { WebhookSender, receiverSecret } from '../activities/senders.js';
import { createPrincipal } from '../db/queries/principals.js';
import { hotlineReturnDeadline } from '../domain/policy.js';
import { REPO_ROOT } from '../platform/config.js';
import { type Case, caseClient, recordHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy, eventually } from './support.js';

const SECRET = 'hotline-secret-0123456789';
/** The return window in the tests: long enough to return a work order at once, short enough to see it close. */
const RETURN_WINDOW_SECONDS = 12;
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'hotline');

interface Delivery {
  path: string;
  headers: Record<string, string>;
  raw: string;
  message: { id: string; caseId: string; recipient: string; to: string; kind: string; body: Record<string, unknown> };
}

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let receiver: http.Server;
const deliveries: Delivery[] = [];
let apiUrl: string;
/** An intake key bound to channel hotline: the 12345 platform's. */
let hotlineKey: string;
let workDir: string;
/** A work order pushed first, left in triage until its return window closes. */
let late: Case;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      deliveries.push({ path: req.url!, headers: req.headers as Record<string, string>, raw, message: JSON.parse(raw) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  env = await createTestEnv('hotline', {
    policy: { ...defaultPolicy(), hotlineReturn: `${RETURN_WINDOW_SECONDS}s` },
    senders: { main: new WebhookSender('notify', `${hooks}/notify`, SECRET), hotline: new WebhookSender('hotline', `${hooks}/hotline`, SECRET) },
  });
  c = caseClient(env);
  apiUrl = await env.app.listen({ port: 0, host: '127.0.0.1' });
  hotlineKey = (await createPrincipal(env.database.db, { name: '12345 platform', role: 'intake', unitId: '310000', channel: 'hotline' })).key;
  workDir = mkdtempSync(path.join(tmpdir(), 'bangnong-hotline-'));
  late = await pushed(workOrder({ 工单编号: 'GD-LATE-1', 诉求类别: '房屋漏水' }), 201);
});

afterAll(async () => {
  await env?.close();
  receiver?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Runs `./bangnong import-12345 …` as an operator would, against the listening API. */
function importFile(args: string[], o: { key?: string; url?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      './bangnong',
      ['import-12345', ...args, '--url', o.url ?? apiUrl],
      { cwd: REPO_ROOT, env: { ...process.env, BANGNONG_KEY: o.key ?? hotlineKey }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Every hotline case by its work-order number, as the city's desk reads them. */
async function hotlineCases(): Promise<Map<string, Case>> {
  const res = await env.request('GET', '/v1/cases?channel=hotline&limit=200', { key: env.keys.desk });
  expect(res.statusCode, res.body).toBe(200);
  return new Map(res.json().cases.map((x: Case) => [x.externalId, x]));
}

const workOrder = (overrides: Record<string, unknown> = {}) => ({
  工单编号: `GD-${Math.random().toString(36).slice(2, 10)}`,
  受理时间: '2026-11-23 09:00',
  标题: '楼上卫生间漏水',
  诉求内容: '楼上卫生间漏水到我家天花板，物业不管',
  诉求类别: '房屋漏水',
  发生地址: '杨浦区控江路2号',
  区: '杨浦区',
  街镇: '控江路街道',
  来电人: '孙八',
  联系电话: '13700002222',
  紧急程度: '一般',
  ...overrides,
});

async function pushed(record: Record<string, unknown>, status: number, key = hotlineKey): Promise<Case> {
  const res = await env.request('POST', '/v1/hotline/work-orders', { key, body: record });
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

/** What the hotline's webhook received for a case, once `kind` has come; each signed as Standard Webhooks sign. */
async function toHotline(caseId: string, kind: string): Promise<Delivery> {
  const found = await eventually(
    async () => deliveries.find((d) => d.path === '/hotline' && d.message.caseId === caseId && d.message.kind === kind),
    (d) => d !== undefined,
    20_000,
    `${kind} at the hotline's webhook`,
  );
  // Verified as the hotline would, with a Standard Webhooks library; its id is the message's, for deduplication.
  expect(new Webhook(receiverSecret(SECRET)).verify(found!.raw, found!.headers)).toEqual(found!.message);
  expect(found!.headers['webhook-id']).toBe(found!.message.id);
  expect(found!.message.recipient).toBe('hotline');
  return found!;
}

describe('the import of a 12345 export', () => {
  const csv = path.join(FIXTURES, 'work-orders.csv');
  let report: string;

  it('When a CSV export is imported through the command line, then each good row is a hotline case with its mapped fields, and the report names each bad row and why', async () => {
    report = path.join(workDir, 'rejected.csv');
    const run = await importFile([csv, '--report', report]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('7 work orders — created 3, already there 0 (filed before: nothing new), rejected 4');
    expect(run.stdout).toMatch(/row 4 \(工单编号 GD20261120003\): 诉求类别: "噪音扰民啊" is not a category the mapping knows/);
    // Not a terminal: progress in plain lines.
    expect(run.stderr).toContain('[import-12345] 7/7 work orders: created 3, already there 0, rejected 4');

    const cases = await hotlineCases();
    expect(cases.get('GD20261120001')).toMatchObject({
      channel: 'hotline',
      state: 'triage',
      title: '七宝镇漕宝路违章搭建',
      // The quoted cell, its doubled quotes and its line break kept; the hotline's own time as a note.
      description: '漕宝路1号小区一楼住户在绿地上搭建阳光房，\r\n已施工三天，"请尽快处理"。\n\n12345受理时间：2026-11-20 09:12',
      category: 'illegal_construction',
      urgent: false,
      location: { address: '闵行区七宝镇漕宝路1号', district: '闵行区', street: '七宝镇' },
      citizen: { name: '王小明', phone: '13812345678' },
    });
    expect(cases.get('GD20261120002')).toMatchObject({
      category: 'street_vending',
      urgent: true,
      location: { address: '静安区沪太路100号, 菜场门口', district: '静安区', street: '大宁路街道' },
      citizen: { name: '李四', phone: '021-66778899' },
    });
    // Not a 城管 category: filed without one, for the desk to decide (and return).
    const leak = cases.get('GD20261120005')!;
    expect(leak.category).toBeUndefined();
    expect(leak.returnDeadlineAt).toBeDefined();
    for (const bad of ['GD20261120003', 'GD20261120004', 'GD20261120006']) expect(cases.has(bad), bad).toBe(false);

    const rows = parseCsv(readFileSync(report), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.row, r['工单编号']])).toEqual([
      ['4', 'GD20261120003'],
      ['5', 'GD20261120004'],
      ['6', 'GD20261120001'],
      ['8', 'GD20261120006'],
    ]);
    expect(rows[0]!.reason).toMatch(/^诉求类别: "噪音扰民啊" is not a category the mapping knows/);
    expect(rows[1]!.reason).toBe('发生地址: is required and empty');
    expect(rows[2]!.reason).toBe('工单编号 GD20261120001 is also at row 2: only the first row of a work order is filed');
    // Refused by the API's own rules, and named by the export's column.
    expect(rows[3]!.reason).toMatch(/^标题: /);
  });

  it('When the same export is imported again, then nothing new is created and the summary says so', async () => {
    const before = await env.database.sql<{ n: number }[]>`select count(*)::int as n from cases`;
    const run = await importFile([csv, '--report', report]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('7 work orders — created 0, already there 3 (filed before: nothing new), rejected 4');
    const after = await env.database.sql<{ n: number }[]>`select count(*)::int as n from cases`;
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(parseCsv(readFileSync(report), { bom: true, columns: true })).toHaveLength(4);
  });

  it('When a JSON export is imported, in either of its shapes, then its records are cases, and a file with no bad row exits 0', async () => {
    const run = await importFile([path.join(FIXTURES, 'work-orders.json')]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('2 work orders — created 2, already there 0 (filed before: nothing new), rejected 0');
    const cases = await hotlineCases();
    // A number as the work-order number; an unmapped column the mapping ignores.
    expect(cases.get('20261121007')).toMatchObject({ title: '小区内建筑垃圾乱堆', category: 'construction_waste', location: { district: '浦东新区', street: '潍坊新村街道' } });
    // No title: the first line of the description. No caller: no citizen.
    const night = cases.get('GD20261121008')!;
    expect(night).toMatchObject({ title: '夜里两点还在施工浇混凝土', category: 'night_construction_noise', urgent: true, location: { address: '长宁区虹桥路1000号工地', district: '长宁区' } });
    expect(night.citizen).toBeUndefined();

    const wrapped = path.join(workDir, 'wrapped.json');
    writeFileSync(wrapped, JSON.stringify({ records: JSON.parse(readFileSync(path.join(FIXTURES, 'work-orders.json'), 'utf8')) }));
    const again = await importFile([wrapped]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('2 work orders — created 0, already there 2');
  });

  it('When an export was saved as GBK, then it is read as GB18030 and its Chinese comes through', async () => {
    const run = await importFile([path.join(FIXTURES, 'work-orders-gbk.csv')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('the file is not UTF-8: read as GB18030 (GBK)');
    expect((await hotlineCases()).get('GD20261120101')).toMatchObject({ title: '长寿路店招破损', description: '长寿路88号店招破损, 有坠落危险', category: 'outdoor_advertising', urgent: true });
  });

  it('When the service is not there or the key is wrong, then the import stops at once, exit 2, saying what to fix', async () => {
    // A port nothing listens on: one that was just free.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((r) => probe.close(r));
    const nobody = await importFile([csv], { url: closed });
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain(`cannot reach Bangnong at ${closed} (ECONNREFUSED): is it running (./bangnong up), and is --url or BANGNONG_URL right?`);
    const wrongKey = await importFile([csv], { key: 'bn_not-a-key' });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/the key was refused \(401/);
    const officer = await importFile([csv], { key: env.keys.officer });
    expect(officer.code).toBe(2);
    expect(officer.stderr).toMatch(/the key is an officer key \(officer\): filing work orders takes an intake key/);
  });
});

describe('the push of one work order', () => {
  it('When the hotline pushes a work order, then it is filed with the mapped fields, and pushed again it is the same case', async () => {
    const record = workOrder({ 诉求类别: '餐饮油烟', 紧急程度: '紧急' });
    const first = await pushed(record, 201);
    expect(first).toMatchObject({ channel: 'hotline', externalId: record.工单编号, category: 'cooking_fumes', urgent: true, state: 'triage', citizen: { name: '孙八' } });
    expect(first.description).toBe('楼上卫生间漏水到我家天花板，物业不管\n\n12345受理时间：2026-11-23 09:00');
    const again = await pushed(record, 200);
    expect(again.id).toBe(first.id);
  });

  it('When a pushed record is wrong, then 400 names the column at fault, and a key bound to another channel is refused', async () => {
    const badCategory = await env.request('POST', '/v1/hotline/work-orders', { key: hotlineKey, body: workOrder({ 诉求类别: '噪音扰民啊' }) });
    expect(badCategory.statusCode).toBe(400);
    expect(badCategory.json().issues).toEqual([{ path: 'body.诉求类别', message: expect.stringContaining('"噪音扰民啊" is not a category the mapping knows') }]);
    const noAddress = await env.request('POST', '/v1/hotline/work-orders', { key: hotlineKey, body: workOrder({ 发生地址: '' }) });
    expect(noAddress.statusCode).toBe(400);
    expect(noAddress.json().issues).toEqual([{ path: 'body.发生地址', message: 'is required and empty' }]);
    const longTitle = await env.request('POST', '/v1/hotline/work-orders', { key: hotlineKey, body: workOrder({ 标题: '长'.repeat(201) }) });
    expect(longTitle.statusCode).toBe(400);
    expect(longTitle.json().issues[0].path).toBe('body.标题');
    const unknown = await env.request('POST', '/v1/hotline/work-orders', { key: hotlineKey, body: { ...workOrder(), 督办意见: '加急' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues).toEqual([{ path: 'body.督办意见', message: expect.stringContaining('unknown field') }]);
    const qr = (await createPrincipal(env.database.db, { name: 'QR page', role: 'intake', unitId: '310000', channel: 'qr' })).key;
    const bound = await env.request('POST', '/v1/hotline/work-orders', { key: qr, body: workOrder() });
    expect(bound.statusCode).toBe(403);
    expect(bound.json().error).toBe('your key is bound to channel qr; this case came through hotline');
  });
});

describe('the return of a work order to 12345 (退单)', () => {
  it('When a policy gives 2 working days, then the return deadline skips weekends, holidays and counts make-up days', () => {
    const policy = defaultPolicy();
    expect(policy.hotlineReturn).toBe('2wd');
    // Friday → Tuesday; before the National Day holidays → the Friday after them; then a make-up Saturday.
    expect(hotlineReturnDeadline(policy, 'hotline', '2026-11-20T02:00:00.000Z')).toBe('2026-11-24T02:00:00.000Z');
    expect(hotlineReturnDeadline(policy, 'hotline', '2026-09-30T02:00:00.000Z')).toBe('2026-10-09T02:00:00.000Z');
    expect(hotlineReturnDeadline(policy, 'hotline', '2026-10-08T02:00:00.000Z')).toBe('2026-10-10T02:00:00.000Z');
    expect(hotlineReturnDeadline(policy, 'xinmin', '2026-11-20T02:00:00.000Z')).toBeUndefined();
  });

  it('When the desk returns a work order that is not a 城管 matter, then the case closes returned and the hotline\'s webhook gets the number and the reason, signed', async () => {
    const record = workOrder();
    const filed = await pushed(record, 201);
    expect(Date.parse(filed.returnDeadlineAt) - Date.parse(filed.createdAt)).toBe(RETURN_WINDOW_SECONDS * 1000);
    expect(filed.allowedActions).toContain('return_to_hotline');
    const reason = '房屋漏水属物业维修，不属于城管执法事项，请改派房管部门';
    const returned = await c.ok(filed.id, env.keys.desk!, { type: 'return_to_hotline', reason });
    // Closed: nothing more but, on the citizen's request, the erasure of their data.
    expect(returned).toMatchObject({ state: 'closed', outcome: 'returned', returnReason: reason, allowedActions: ['erase_personal_data'] });
    expect(returned.deadlineAt).toBeUndefined();

    const told = await toHotline(filed.id, 'work_order_returned');
    expect(told.message.to).toBe('hotline');
    expect(told.message.body).toMatchObject({ workOrderId: record.工单编号, reason, caseId: filed.id });
    expect((await c.events(filed.id)).at(-1)).toMatchObject({ type: 'return_to_hotline', from: 'triage', to: 'closed', payload: { reason } });
    // Closed: a second return is refused by the state.
    const twice = await c.act(filed.id, env.keys.desk!, { type: 'return_to_hotline', reason });
    expect(twice.statusCode).toBe(409);
    await recordHistory(filed.id, 'hotline-returned');
  });

  it('When a case did not come from the hotline, then returning it is refused with 409: the case, not the request, rules it out', async () => {
    const xinmin = await c.file();
    expect(xinmin.allowedActions).not.toContain('return_to_hotline');
    const res = await c.act(xinmin.id, env.keys.desk!, { type: 'return_to_hotline', reason: '非城管事项' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ state: 'triage', error: expect.stringContaining('only a 12345 work order (channel hotline) is returned to the hotline; this case came through xinmin') });
    expect(res.json().allowed).toContain('triage');
    expect(res.json().allowed).not.toContain('return_to_hotline');
  });

  it('When a hotline case is answered and rated, then the answer and the rating reach the hotline\'s webhook; the hotline\'s own rating is not echoed back', async () => {
    const [station] = await c.workstations();
    const record = workOrder({ 诉求类别: '占道经营', 标题: '菜场门口占道经营' });
    const filed = await pushed(record, 201);
    await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'street_vending', workstationId: station!.id });
    await c.ok(filed.id, env.keys.officer!, { type: 'accept' });
    await c.ok(filed.id, env.keys.officer!, { type: 'resolve', result: '已劝离摊贩' });
    const answer = '您反映的占道经营已劝离，后续将加强巡查';
    const closed = await c.ok(filed.id, env.keys.desk!, { type: 'feedback', message: answer });
    expect(closed).toMatchObject({ state: 'closed', outcome: 'resolved' });
    const answered = await toHotline(filed.id, 'work_order_answered');
    expect(answered.message.body).toMatchObject({ workOrderId: record.工单编号, outcome: 'resolved', message: answer });

    const rated = await env.request('POST', `/v1/track/${closed.trackingCode}/rating`, { key: null, body: { rating: 'basically_satisfied', comment: '还可以' } });
    expect(rated.statusCode, rated.body).toBe(200);
    const rating = await toHotline(filed.id, 'work_order_rated');
    expect(rating.message.body).toMatchObject({ workOrderId: record.工单编号, rating: 'basically_satisfied', comment: '还可以' });
    await recordHistory(filed.id, 'hotline-answered-rated');

    // Explained, answered, and rated by the hotline itself (its 回访): nothing goes back to it but the answer.
    const other = await pushed(workOrder(), 201);
    await c.ok(other.id, env.keys.desk!, { type: 'triage', decision: 'explain', explanation: '已向市民说明' });
    await c.ok(other.id, env.keys.desk!, { type: 'feedback', message: '已向市民说明' });
    await c.ok(other.id, hotlineKey, { type: 'rate', rating: 'satisfied' });
    const outbox = await env.database.sql<{ kind: string }[]>`select kind from notifications where case_id = ${other.id} and recipient = 'hotline' order by id`;
    expect(outbox.map((r) => r.kind)).toEqual(['work_order_answered']);
  });

  it('When the return window closes without a decision, then the clock marks it, tells the desk and its supervisor, and a return after it is refused with 409 saying what to do instead', async () => {
    const marked = await eventually(() => c.get(late.id), (v) => v.returnWindowClosed === true, 30_000, 'the return window marked closed');
    expect(marked).toMatchObject({ state: 'triage', returnDeadlineAt: late.returnDeadlineAt });
    expect(marked.allowedActions).not.toContain('return_to_hotline');
    const events = await c.events(late.id);
    expect(events.at(-1)).toMatchObject({ type: 'deadline_passed', actor: { role: 'system' }, from: 'triage', to: 'triage', payload: { clock: 'return' } });
    const told = await env.database.sql<{ recipient: string; to: string }[]>`select recipient, "to" from notifications where case_id = ${late.id} and kind = 'hotline_return_window_closed' order by id`;
    expect(told.map((r) => `${r.recipient}@${r.to}`)).toEqual(['desk@310000', 'supervisor@310000']);

    const res = await c.act(late.id, env.keys.desk!, { type: 'return_to_hotline', reason: '非城管事项' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toBe(
      `the window to return this 12345 work order closed at ${late.returnDeadlineAt}: decide it here instead — transfer it to the competent department or explain to the citizen (triage decision transfer or explain)`,
    );
    expect(res.json()).toMatchObject({ state: 'triage', allowed: expect.arrayContaining(['triage']) });
    // What it says to do instead works.
    const transferred = await c.ok(late.id, env.keys.desk!, { type: 'triage', decision: 'transfer', department: 'housing' });
    expect(transferred).toMatchObject({ state: 'resolved', outcome: 'transferred' });
    await recordHistory(late.id, 'hotline-return-window-closed');
  });
});
