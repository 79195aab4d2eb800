// Erasing a case's personal data on the citizen's request (issue 11): the case loses its citizen and
// the name, phone and any phone or identity number in its text; its stored timeline and outbox are
// redacted the same way; its files are deleted, rows and bytes; once only, by a supervisor of its unit or
// above — on a closed case whose workflow still runs, and on one whose workflow has finished.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSettings, loadConfig } from '../platform/config.js';
import { caseErasureWorkflowId, caseWorkflowId } from '../workflows/messages.js';
import { caseClient, recordHistory, recordWorkflowHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from './support.js';

const NAME = '王小明';
const PHONE = '13812345678';
const ID_NUMBER = '31011519800101123X';
const OTHER_PHONE = '139-8765-4321';
/** Every form in which the citizen could still show. */
const TRACES = [NAME, '王小', PHONE, '138****5678', '1381234', '12345678', ID_NUMBER, '19800101', OTHER_PHONE, '87654321', '王**'];

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
const keys: Record<string, string> = {};
let workstation: string;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const storedAt = (sha: string) => path.join(fileSettings(loadConfig()).dir, sha.slice(0, 2), sha.slice(2, 4), sha);

/** A small photo whose bytes are this test's own. */
const photo = () => sharp(randomBytes(64 * 48 * 3), { raw: { width: 64, height: 48, channels: 3 } }).jpeg().toBuffer();

function upload(id: string, key: string, bytes: Buffer, filename: string) {
  const boundary = `----bangnong${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`, 'utf8');
  const payload = Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return env.app.inject({ method: 'POST', url: `/v1/cases/${id}/files`, payload, headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
}
const getAs = (url: string, key: string) => env.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

function expectNoTrace(what: string, text: string) {
  for (const trace of TRACES) expect(text.includes(trace), `${what} still holds ${trace}: ${text.slice(0, 2000)}`).toBe(false);
}

/** What PostgreSQL keeps of the case: its row, its timeline, its outbox, its files. */
async function stored(caseId: string) {
  const sql = env.database.sql;
  const rows = await sql`select view::text as view, title from cases where id = ${caseId}`;
  const events = await sql`select payload::text as payload from case_events where case_id = ${caseId} order by seq`;
  const messages = await sql`select body::text as body, sent_at from notifications where case_id = ${caseId}`;
  const files = await sql`select id from files where case_id = ${caseId}`;
  return { rows, events, messages, files };
}

/** Files a complaint carrying the citizen, in its text and a supplement, with a photo uploaded to it. */
async function complaint(externalId: string) {
  const filed = await c.file({
    externalId,
    workstationId: workstation,
    title: `${NAME}反映夜间施工`,
    description: `工地每晚施工，请回电 ${PHONE}，身份证 ${ID_NUMBER}（${NAME}）`,
    location: { address: `七宝镇漕宝路1号 ${NAME}家`, district: '闵行区', street: '七宝镇' },
    attachments: [{ url: 'https://files.example/1.jpg', name: `${NAME}拍的照片.jpg` }],
  });
  const supplemented = await c.act(filed.id, env.keys.intake!, { type: 'supplement', text: `另一个号码 ${OTHER_PHONE}，找${NAME}` });
  expect(supplemented.statusCode, supplemented.body).toBe(200);
  const bytes = await photo();
  const up = await upload(filed.id, env.keys.intake!, bytes, `${NAME}家门口.jpg`);
  expect(up.statusCode, up.body).toBe(201);
  return { id: filed.id as string, file: up.json() as { id: string; url: string; previewUrl: string; sha256: string }, bytes };
}

beforeAll(async () => {
  env = await createTestEnv('erasure');
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as { id: string; squadId: string }[];
  const w1 = stations[0]!;
  workstation = w1.id;
  const district = await c.districtOf(w1.squadId);
  for (const [label, role, unit] of [
    ['officer', 'officer', w1.squadId],
    ['supervisor', 'supervisor', w1.squadId],
    ['districtSupervisor', 'supervisor', district],
    ['desk', 'desk', w1.squadId],
  ] as const) {
    keys[label] = (await env.principal(role, unit, `${label}@erasure`)).key;
  }
}, 120_000);
afterAll(async () => env?.close());

describe('a closed case whose workflow still runs (the rating window)', () => {
  let caseId: string;
  let file: { id: string; url: string; previewUrl: string; sha256: string };
  let shared: { id: string; mine: { url: string; sha256: string }; file: { url: string } };
  let erased: Record<string, any>;

  beforeAll(async () => {
    const filed = await complaint('erase-running');
    caseId = filed.id;
    file = filed.file;
    // Bytes uploaded to this case and to another: kept by content, they stay the other case's.
    const bytes = await photo();
    const mine = await upload(caseId, env.keys.intake!, bytes, 'shared.jpg');
    expect(mine.statusCode, mine.body).toBe(201);
    const other = await c.file({ externalId: 'erase-other', workstationId: workstation });
    const up = await upload(other.id, env.keys.intake!, bytes, 'same.jpg');
    expect(up.statusCode, up.body).toBe(201);
    shared = { id: other.id, mine: mine.json(), file: up.json() };

    await c.ok(caseId, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'night_construction_noise', workstationId: workstation });
    await c.ok(caseId, keys.officer!, { type: 'accept' });
    await c.ok(caseId, keys.officer!, { type: 'record_evidence', note: `已联系${NAME}`, attachments: [{ fileId: file.id }] });
    await c.ok(caseId, keys.officer!, { type: 'resolve', result: `已处理，已电话告知 ${PHONE}` });
    await c.ok(caseId, keys.desk!, { type: 'feedback', message: `${NAME}您好，工地已整改` });
    const closed = await c.ok(caseId, keys.desk!, { type: 'media_waive', reason: '不做报道' });
    expect(closed).toMatchObject({ state: 'closed', outcome: 'resolved' });
    expect(existsSync(storedAt(file.sha256))).toBe(true);
    expect(existsSync(`${storedAt(file.sha256)}.preview.jpg`)).toBe(true);
  }, 120_000);

  it('When a supervisor of its squad erases it, then the answer is the case after it: no citizen, no name, no number, when and why', async () => {
    const res = await c.act(caseId, keys.supervisor!, { type: 'erase_personal_data', reason: `市民${NAME}来电（${PHONE}）申请删除个人信息` });
    expect(res.statusCode, res.body).toBe(200);
    erased = res.json();
    expect(erased.citizen).toBeUndefined();
    expect(erased).toMatchObject({ state: 'closed', outcome: 'resolved' });
    expect(Date.parse(erased.personalDataErasedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(erased.personalDataErasureReason).toMatch(/申请删除个人信息/);
    expectNoTrace('the action answer', res.body);
    await recordHistory(caseId, 'personal-data-erased');
  });

  it('When anyone reads it afterwards, unmasked readers too, then the case and its timeline hold none of it', async () => {
    for (const key of [env.keys.intake!, env.keys.desk!, keys.desk!, keys.supervisor!, keys.districtSupervisor!]) {
      const got = await getAs(`/v1/cases/${caseId}`, key);
      expect(got.statusCode).toBe(200);
      expect(got.json().citizen).toBeUndefined();
      expectNoTrace('the case', got.body);
      const events = await getAs(`/v1/cases/${caseId}/events`, key);
      expect(events.statusCode).toBe(200);
      expectNoTrace('the timeline', events.body);
    }
    const events = (await getAs(`/v1/cases/${caseId}/events`, env.keys.desk!)).json().events as Record<string, any>[];
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'erase_personal_data', from: 'closed', to: 'closed', actor: { role: 'supervisor' } });
    expect(Object.keys(last.payload)).toEqual(['reason']);
    // The text stays readable: only the citizen is starred.
    expect(events.find((e) => e.type === 'resolve')!.payload.result).toBe('已处理，已电话告知 ***********');
  });

  it('When PostgreSQL is read directly, then no row of the case — its view, timeline or outbox — keeps the citizen', async () => {
    const { rows, events, messages, files } = await stored(caseId);
    expect(rows).toHaveLength(1);
    expectNoTrace('the cases row', `${rows[0]!.view} ${rows[0]!.title}`);
    expect(events.length).toBeGreaterThan(5);
    for (const e of events) expectNoTrace('a case_events payload', e.payload);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expectNoTrace('a notifications body', m.body);
    expect(files).toHaveLength(0);
  });

  it('When its file is asked for, then 404, and its bytes and preview are gone from the store; the same bytes of another case stay', async () => {
    expect((await getAs(file.url, env.keys.desk!)).statusCode).toBe(404);
    expect((await getAs(file.previewUrl, env.keys.desk!)).statusCode).toBe(404);
    expect(existsSync(storedAt(file.sha256))).toBe(false);
    expect(existsSync(`${storedAt(file.sha256)}.preview.jpg`)).toBe(false);
    expect((await getAs(`/v1/cases/${caseId}/files`, env.keys.desk!)).json().files).toEqual([]);
    // This case's copy of the shared bytes is gone; the other case's file keeps them.
    expect((await getAs(shared.mine.url, env.keys.desk!)).statusCode).toBe(404);
    const kept = await getAs(shared.file.url, env.keys.desk!);
    expect(kept.statusCode).toBe(200);
    expect(sha256(kept.rawPayload)).toBe(shared.mine.sha256);
    expect(existsSync(storedAt(shared.mine.sha256))).toBe(true);
  });

  it('When it is erased again, then 409 with its state', async () => {
    const again = await c.act(caseId, keys.supervisor!, { type: 'erase_personal_data', reason: '再次申请' });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json()).toMatchObject({ state: 'closed' });
    expect(again.json().allowed).not.toContain('erase_personal_data');
  });
});

describe('who may, and what is refused', () => {
  let caseId: string;

  beforeAll(async () => {
    caseId = (await c.file({ externalId: 'erase-refused', workstationId: workstation })).id;
  });

  it('When an officer, the desk, intake or a reporter asks, then 403, and the case keeps its citizen', async () => {
    for (const key of [keys.officer!, keys.desk!, env.keys.intake!, env.keys.reporter!]) {
      const res = await c.act(caseId, key, { type: 'erase_personal_data', reason: '申请删除' });
      expect(res.statusCode, res.body).toBe(403);
    }
    expect((await c.get(caseId)).citizen).toEqual({ name: NAME, phone: PHONE });
  });

  it('When the body has an unknown field or no reason, then 400 naming it', async () => {
    const unknown = await c.act(caseId, keys.supervisor!, { type: 'erase_personal_data', reason: '申请删除', citizen: { name: 'x' } });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().issues)).toContain('body.citizen');
    const none = await c.act(caseId, keys.supervisor!, { type: 'erase_personal_data' });
    expect(none.statusCode).toBe(400);
    expect(JSON.stringify(none.json().issues)).toContain('body.reason');
    expect((await c.get(caseId)).citizen).toEqual({ name: NAME, phone: PHONE });
  });

  it('When the district supervisor erases a case of its squad still in triage, then it is erased and the case goes on', async () => {
    const res = await c.act(caseId, keys.districtSupervisor!, { type: 'erase_personal_data', reason: '申请删除' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'triage' });
    expect(res.json().citizen).toBeUndefined();
    const triaged = await c.ok(caseId, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'night_construction_noise', workstationId: workstation });
    expect(triaged).toMatchObject({ state: 'dispatched', personalDataErasedAt: res.json().personalDataErasedAt });
  });
});

describe('a case whose workflow has finished (withdrawn)', () => {
  let caseId: string;
  let file: { id: string; url: string; previewUrl: string; sha256: string };

  beforeAll(async () => {
    const filed = await complaint('erase-finished');
    caseId = filed.id;
    file = filed.file;
    await c.ok(caseId, env.keys.intake!, { type: 'withdraw', reason: `${NAME}已自行解决` });
    await env.temporal.workflow.getHandle(caseWorkflowId(caseId)).result();
  }, 60_000);

  it('When a supervisor of its squad erases it, then it is erased as a running case would be', async () => {
    const res = await c.act(caseId, keys.supervisor!, { type: 'erase_personal_data', reason: '市民申请删除个人信息' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'closed', outcome: 'withdrawn' });
    expect(res.json().personalDataErasedAt).toBeDefined();
    expectNoTrace('the action answer', res.body);
    await recordWorkflowHistory(caseErasureWorkflowId(caseId), 'finished-case-erased');
    expectNoTrace('the case', (await getAs(`/v1/cases/${caseId}`, env.keys.desk!)).body);
    const timeline = await getAs(`/v1/cases/${caseId}/events`, env.keys.desk!);
    expectNoTrace('the timeline', timeline.body);
    expect(timeline.json().events.at(-1)).toMatchObject({ type: 'erase_personal_data', from: 'closed', to: 'closed', payload: { reason: '市民申请删除个人信息' } });
    const { rows, events, messages, files } = await stored(caseId);
    expectNoTrace('the cases row', `${rows[0]!.view} ${rows[0]!.title}`);
    for (const e of events) expectNoTrace('a case_events payload', e.payload);
    for (const m of messages) expectNoTrace('a notifications body', m.body);
    expect(files).toHaveLength(0);
    expect((await getAs(file.url, env.keys.desk!)).statusCode).toBe(404);
    expect(existsSync(storedAt(file.sha256))).toBe(false);
    expect(existsSync(`${storedAt(file.sha256)}.preview.jpg`)).toBe(false);
  });

  it('When it is erased again, or by a role the table refuses, then 409 with its state, or 403', async () => {
    const again = await c.act(caseId, keys.supervisor!, { type: 'erase_personal_data', reason: '再次申请' });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json()).toMatchObject({ state: 'closed', allowed: [] });
    const officer = await c.act(caseId, keys.officer!, { type: 'erase_personal_data', reason: '申请删除' });
    expect(officer.statusCode, officer.body).toBe(403);
  });
});
