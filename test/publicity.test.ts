// Publicity items (宣传报道) through the API, against the real Temporal and PostgreSQL: a squad uploads a photo
// and a video and submits the item; the squad approves, the district returns it with comments, the squad
// resubmits, squad, district and city approve, and the city's approval releases it to the newspaper — a signed
// webhook, verified with a Standard Webhooks library as a receiver would; after its workflow has ended a supervisor
// takes it down with a reason, and the newspaper is told again. Each answer is what the next read finds. The
// wrong level or role is refused 403, an action in the wrong state 409 with the state; reviews and revisions
// running late (deadlines in seconds) tell whoever must act; an item never released lapses and its workflow
// ends. The whole history is kept. Each path's history is what RECORD_HISTORIES=1 saves for the replay test.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { LogSender, WebhookSender, receiverSecret } from '../activities/senders.js';
import type { PublicityDeadlines } from '../domain/policy.js';
import { unitIdOf } from '../domain/units.js';
import { publicityTakeDownWorkflowId, publicityWorkflowId } from '../workflows/publicity-messages.js';
import { recordWorkflowHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

type Json = Record<string, any>;

const SECRET = 'publicity-test-secret-0123456789';
const ITEM = {
  title: '七宝镇中队联络点走访纪实：菜场门口乱停车整治见效',
  body: '11月，七宝镇中队联络员每周走访漕宝路三居委，会同居委会在菜场东侧划定非机动车停放区，门口通道恢复畅通。',
};

interface Delivery {
  headers: Record<string, string>;
  raw: string;
  message: Json;
}

let env: TestEnv;
let receiver: http.Server;
const delivered: Delivery[] = [];
/** S1: a squad; D1: its district; S2: a squad of another district. */
let units: { S1: string; D1: string; S2: string };
const keys: Record<string, string> = {};

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      delivered.push({ headers: req.headers as Record<string, string>, raw, message: JSON.parse(raw) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  env = await createTestEnv('publicity', {
    senders: { main: new LogSender(pino({ level: 'silent' })), partner: new WebhookSender('partner', `${hooks}/partner`, SECRET) },
  });
  // Deadlines in hours by default: the paths that are not about deadlines never meet one.
  setDeadlines({ review: '1h', revise: '1h', lapse: '2h' });
  const stations = (await env.request('GET', '/v1/workstations')).json().workstations as { squadId: string }[];
  const all = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null }[];
  const districtOf = (squad: string) => all.find((u) => u.id === squad)!.parentId!;
  const s1 = stations[0]!.squadId;
  const s2 = stations.find((w) => districtOf(w.squadId) !== districtOf(s1))!.squadId;
  units = { S1: s1, D1: districtOf(s1), S2: s2 };
  for (const [label, role, unit] of [
    ['officer@S1', 'officer', units.S1],
    ['supervisor@S1', 'supervisor', units.S1],
    ['supervisor@D1', 'supervisor', units.D1],
    ['officer@D1', 'officer', units.D1],
    ['supervisor@S2', 'supervisor', units.S2],
    ['officer@S2', 'officer', units.S2],
    ['desk@S1', 'desk', units.S1],
  ] as const) {
    keys[label] = (await env.principal(role, unit, label)).key;
  }
  keys['supervisor@city'] = env.keys.supervisor!;
  keys.reporter = env.keys.reporter!;
}, 60_000);

afterAll(async () => {
  await env?.close();
  receiver?.close();
});

/** The deadlines the next items are submitted under: the API reads the policy at each submission, an item keeps its own. */
function setDeadlines(d: PublicityDeadlines) {
  env.policy.publicity = d;
}

const jpeg = (seed = 0) => sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 40 + seed, g: 120, b: 200 } } }).jpeg().toBuffer();
/** An MP4 as file-type tells one: an `ftyp` box with the isom brand, then bytes. */
const mp4 = () => Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'), randomBytes(64 * 1024)]);
const pdf = () => Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

function upload(key: string, bytes: Buffer, filename: string, squad?: string) {
  const boundary = `----bangnong${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  return env.app.inject({
    method: 'POST',
    url: `/v1/publicity/files${squad ? `?squad=${squad}` : ''}`,
    payload: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { authorization: `Bearer ${key}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}
const uploaded = async (key: string, bytes: Buffer, filename: string, squad?: string): Promise<string> => {
  const res = await upload(key, bytes, filename, squad);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
};
const submit = (key: string, body: Json, idempotencyKey?: string) =>
  env.request('POST', '/v1/publicity', { key, body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
const submitted = async (media: string[], key = keys['officer@S1']!, extra: Json = {}): Promise<Json> => {
  const res = await submit(key, { ...ITEM, media: media.map((fileId) => ({ fileId })), ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
};
const act = (id: string, key: string, body: Json) => env.request('POST', `/v1/publicity/${id}/actions`, { key, body });
const ok = async (id: string, key: string, body: Json): Promise<Json> => {
  const res = await act(id, key, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const get = async (id: string, key = keys['supervisor@D1']!): Promise<Json> => {
  const res = await env.request('GET', `/v1/publicity/${id}`, { key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const list = async (query: string, key: string): Promise<Json[]> => {
  const res = await env.request('GET', `/v1/publicity?${query}`, { key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
};
const messages = (id: string) =>
  env.database.sql<{ recipient: string; to: string; kind: string; body: Json }[]>`select recipient, "to", kind, body from notifications where case_id = ${id} order by created_at, id`;
const workflowStatus = async (workflowId: string) => (await env.temporal.workflow.getHandle(workflowId).describe()).status.name;
const deliveredFor = (id: string, kind: string) => delivered.filter((d) => d.message.caseId === id && d.message.kind === kind);
const approve = (id: string, key: string) => ok(id, key, { type: 'review', decision: 'approve' });

describe('an item through the three levels, to the newspaper and off it', () => {
  it('When a squad submits, the district returns it once, the squad resubmits and squad, district and city approve, then it is released to the newspaper signed; taken down after its workflow ended, the newspaper is told again; the history holds every step', async () => {
    // The files first: a photo and a short video, for the squad (a squad's key needs not name it).
    const photo = await jpeg();
    const photoId = await uploaded(keys['officer@S1']!, photo, '走访照片.jpg');
    const again = await upload(keys['officer@S1']!, photo, '走访照片.jpg');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ id: photoId, squadId: units.S1, type: 'image/jpeg', name: '走访照片.jpg' });
    const videoId = await uploaded(keys['officer@S1']!, mp4(), '菜场整治.mp4');
    const notMedia = await upload(keys['officer@S1']!, pdf(), 'report.pdf');
    expect(notMedia.statusCode, notMedia.body).toBe(415);
    expect(notMedia.json().error).toMatch(/photos \(JPEG, PNG, WebP\) and an MP4 video.*application\/pdf/);

    const res = await submit(keys['officer@S1']!, { ...ITEM, media: [{ fileId: videoId }, { fileId: photoId }] }, 'pub-0001');
    expect(res.statusCode, res.body).toBe(201);
    const item = res.json();
    expect(item).toMatchObject({
      state: 'in_review',
      reviewLevel: 'squad',
      reviewUnitId: units.S1,
      squadId: units.S1,
      districtId: units.D1,
      overdue: false,
      round: 1,
      allowedActions: ['review', 'withdraw'],
      submittedBy: { role: 'officer', unitId: units.S1 },
      media: [
        { fileId: videoId, type: 'video/mp4', name: '菜场整治.mp4', url: `/v1/publicity/${item.id}/files/${videoId}` },
        { fileId: photoId, type: 'image/jpeg', previewUrl: `/v1/publicity/${item.id}/files/${photoId}/preview` },
      ],
      history: [{ seq: 1, type: 'submitted', to: 'in_review' }],
    });
    expect(Date.parse(item.deadlineAt) - Date.parse(item.createdAt)).toBe(3_600_000);
    const id = item.id as string;
    // The same Idempotency-Key again: the same item, nothing new started.
    const retried = await submit(keys['officer@S1']!, { ...ITEM, media: [{ fileId: videoId }] }, 'pub-0001');
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ id, version: 1 });
    // Read-your-writes: the district sees it at once, and the squad's supervisors were told to review it.
    expect(await get(id)).toMatchObject({ id, state: 'in_review', version: 1 });
    const asked = await eventually(() => messages(id), (m) => m.length > 0, 10_000, 'the squad to be asked to review');
    expect(asked.map((m) => [m.recipient, unitIdOf(m.to), m.kind])).toEqual([['supervisor', units.S1, 'publicity_review_requested']]);

    // Not the squad's level for the district, the city or another squad; never an officer's; not in review yet for a take-down.
    for (const who of ['supervisor@D1', 'supervisor@city', 'supervisor@S2', 'officer@S1']) {
      const refused = await act(id, keys[who]!, { type: 'review', decision: 'approve' });
      expect(refused.statusCode, `${who}: ${refused.body}`).toBe(403);
    }
    const early = await act(id, keys['supervisor@D1']!, { type: 'take_down', reason: '内容不当' });
    expect(early.statusCode, early.body).toBe(409);
    expect(early.json()).toMatchObject({ state: 'in_review', allowed: ['review', 'withdraw'] });
    const notReturned = await act(id, keys['officer@S1']!, { type: 'resubmit', body: '改' });
    expect(notReturned.statusCode).toBe(409);
    expect(notReturned.json()).toMatchObject({ state: 'in_review' });

    // The squad approves: on to the district, whose supervisors are told; the squad cannot approve twice.
    const atDistrict = await approve(id, keys['supervisor@S1']!);
    expect(atDistrict).toMatchObject({ state: 'in_review', reviewLevel: 'district', reviewUnitId: units.D1, version: 2 });
    expect(await get(id, keys['officer@S1'])).toMatchObject({ reviewLevel: 'district', version: 2 });
    const twice = await act(id, keys['supervisor@S1']!, { type: 'review', decision: 'approve' });
    expect(twice.statusCode, twice.body).toBe(403);
    expect(twice.json().error).toMatch(/may publicity\.review in its own unit; this lies in .*, above your unit/);

    // The district returns it: comments are needed, and the squad is told them with the revision's deadline.
    const bare = await act(id, keys['supervisor@D1']!, { type: 'review', decision: 'return' });
    expect(bare.statusCode, bare.body).toBe(400);
    expect(bare.json().error).toMatch(/needs comments/);
    const comments = '请补充整治前后对比照片，正文删去居民姓名。';
    const returned = await ok(id, keys['supervisor@D1']!, { type: 'review', decision: 'return', comments });
    expect(returned).toMatchObject({ state: 'returned', comments, allowedActions: ['resubmit', 'withdraw'], overdue: false, version: 3 });
    expect(returned.reviewLevel).toBeUndefined();
    expect(Date.parse(returned.deadlineAt) - Date.parse(returned.updatedAt)).toBe(3_600_000);
    const told = (await messages(id)).filter((m) => m.kind === 'publicity_returned');
    expect(told.map((m) => [m.recipient, m.recipient === 'officer' ? m.to : unitIdOf(m.to)])).toEqual([
      ['supervisor', units.S1],
      ['officer', env.principalIds['officer@S1']],
    ]);
    expect(told[0]!.body).toMatchObject({ itemId: id, level: 'district', comments });
    const wrongState = await act(id, keys['supervisor@D1']!, { type: 'review', decision: 'approve' });
    expect(wrongState.statusCode).toBe(409);
    expect(wrongState.json()).toMatchObject({ state: 'returned', allowed: ['resubmit', 'withdraw'] });

    // Another squad may not revise it; its own squad does, with a new photo and text: the chain starts again at the squad.
    expect((await act(id, keys['officer@S2']!, { type: 'resubmit', body: '改' })).statusCode).toBe(403);
    const photo2 = await uploaded(keys['officer@S1']!, await jpeg(60), '整治后.jpg');
    const body2 = `${ITEM.body}整治前后对比见图。`;
    const resubmitted = await ok(id, keys['officer@S1']!, { type: 'resubmit', body: body2, media: [{ fileId: videoId }, { fileId: photoId }, { fileId: photo2 }] });
    expect(resubmitted).toMatchObject({ state: 'in_review', reviewLevel: 'squad', round: 2, body: body2, title: ITEM.title, version: 4 });
    expect(resubmitted.comments).toBeUndefined();
    expect(resubmitted.media.map((m: Json) => m.fileId)).toEqual([videoId, photoId, photo2]);

    await approve(id, keys['supervisor@S1']!);
    await approve(id, keys['supervisor@D1']!);
    // Released by the city's approval: the newspaper receives it, signed, with where to fetch its files.
    const released = await approve(id, keys['supervisor@city']!);
    expect(released).toMatchObject({ state: 'released', allowedActions: ['take_down'], version: 7 });
    expect(released.releasedAt).toBe(released.updatedAt);
    expect(released.deadlineAt).toBeUndefined();
    const [sent] = await eventually(async () => deliveredFor(id, 'publicity_released'), (d) => d.length === 1, 15_000, 'the newspaper to receive the item');
    expect(new Webhook(receiverSecret(SECRET)).verify(sent!.raw, sent!.headers)).toEqual(sent!.message);
    expect(sent!.message).toMatchObject({ recipient: 'partner', to: 'xinmin', kind: 'publicity_released' });
    expect(sent!.message.body).toMatchObject({ itemId: id, title: ITEM.title, body: body2, squadId: units.S1, districtId: units.D1, releasedAt: released.releasedAt });
    expect(sent!.message.body.media.map((m: Json) => m.url)).toEqual([videoId, photoId, photo2].map((f) => `/v1/publicity/${id}/files/${f}`));

    // The newspaper's reporters read it, and its video, with their key: of its history, the release.
    const seen = await get(id, keys.reporter);
    expect(seen).toMatchObject({ state: 'released' });
    expect(seen.history.map((e: Json) => e.type)).toEqual(['approved']);
    const clip = await env.app.inject({ method: 'GET', url: `/v1/publicity/${id}/files/${videoId}`, headers: { authorization: `Bearer ${keys.reporter}`, range: 'bytes=0-99' } });
    expect(clip.statusCode).toBe(206);
    expect(clip.headers['content-type']).toBe('video/mp4');
    expect(clip.rawPayload.length).toBe(100);
    const preview = await env.app.inject({ method: 'GET', url: `/v1/publicity/${id}/files/${photo2}/preview`, headers: { authorization: `Bearer ${keys.reporter}` } });
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['content-type']).toBe('image/jpeg');
    const shanghaiMonth = new Date(Date.parse(released.releasedAt) + 8 * 3_600_000).toISOString().slice(0, 7);
    expect((await list(`month=${shanghaiMonth}`, keys.reporter!)).map((p) => p.id)).toContain(id);

    // Released, its workflow ends: nothing waits for it.
    await eventually(() => workflowStatus(publicityWorkflowId(id)), (s) => s === 'COMPLETED', 15_000, 'the publicity workflow to end');
    await recordWorkflowHistory(publicityWorkflowId(id), 'publicity-returned-resubmitted-released');

    // Found unsuitable afterwards, it is taken down — by a supervisor of its squad or above, with a reason.
    expect((await act(id, keys['supervisor@S2']!, { type: 'take_down', reason: '内容不当' })).statusCode).toBe(403);
    expect((await act(id, keys['officer@S1']!, { type: 'take_down', reason: '内容不当' })).statusCode).toBe(403);
    const noReason = await act(id, keys['supervisor@D1']!, { type: 'take_down' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error).toMatch(/body\.reason/);
    const reviewNow = await act(id, keys['supervisor@city']!, { type: 'review', decision: 'approve' });
    expect(reviewNow.statusCode, reviewNow.body).toBe(409);
    expect(reviewNow.json()).toMatchObject({ state: 'released', allowed: ['take_down'] });
    const reason = '照片中出现未打码的车牌号，不宜公开传播。';
    const down = await ok(id, keys['supervisor@D1']!, { type: 'take_down', reason });
    expect(down).toMatchObject({ state: 'taken_down', takeDownReason: reason, allowedActions: [], version: 8 });
    expect(await get(id, keys['officer@S1'])).toMatchObject({ state: 'taken_down', version: 8 });
    const [gone] = await eventually(async () => deliveredFor(id, 'publicity_taken_down'), (d) => d.length === 1, 15_000, 'the newspaper to be told of the take-down');
    expect(new Webhook(receiverSecret(SECRET)).verify(gone!.raw, gone!.headers)).toEqual(gone!.message);
    expect(gone!.headers['webhook-id']).not.toBe(sent!.headers['webhook-id']);
    expect(gone!.message.body).toMatchObject({ itemId: id, reason, takenDownAt: down.takenDownAt, releasedAt: released.releasedAt });
    const secondly = await act(id, keys['supervisor@city']!, { type: 'take_down', reason: '再次下架' });
    expect(secondly.statusCode, secondly.body).toBe(409);
    expect(secondly.json()).toMatchObject({ state: 'taken_down', allowed: [] });
    await eventually(() => workflowStatus(publicityTakeDownWorkflowId(id)), (s) => s === 'COMPLETED', 15_000, 'the take-down workflow to end');
    await recordWorkflowHistory(publicityTakeDownWorkflowId(id), 'publicity-taken-down-after-release');

    // The whole history, as the squad reads it and as the read model keeps it.
    const history = (await get(id, keys['officer@S1'])).history as Json[];
    expect(history.map((e) => `${e.type}${e.payload.level ? `@${e.payload.level}` : ''}:${e.to}`)).toEqual([
      'submitted:in_review',
      'approved@squad:in_review',
      'returned@district:returned',
      'resubmitted:in_review',
      'approved@squad:in_review',
      'approved@district:in_review',
      'approved@city:released',
      'taken_down:taken_down',
    ]);
    expect(history[2]!.payload.comments).toBe(comments);
    expect(history[7]).toMatchObject({ actor: { role: 'supervisor', unitId: units.D1 }, payload: { reason } });
    const [row] = await env.database.sql`select state, version, released_at is not null as released, taken_down_at is not null as taken_down from publicity_items where id = ${id}`;
    expect(row).toEqual({ state: 'taken_down', version: 8, released: true, taken_down: true });
    const [events] = await env.database.sql`select count(*)::int as n from publicity_events where item_id = ${id}`;
    expect(events).toEqual({ n: 8 });
  });
});

describe('deadlines in seconds', () => {
  it('When a review runs late, the level it waits at is told; when a returned item is not revised in time, the squad is told; withdrawn, its workflow ends', async () => {
    setDeadlines({ review: '2s', revise: '2s', lapse: '1h' });
    const late = await submitted([await uploaded(keys['officer@S1']!, await jpeg(90), '迟.jpg')]);
    setDeadlines({ review: '1h', revise: '1h', lapse: '2h' });
    const overdueMarks = async (kind: string) => (await messages(late.id)).filter((m) => m.kind === kind);

    await eventually(() => overdueMarks('publicity_review_overdue'), (m) => m.length === 1, 15_000, 'the squad review overdue');
    expect(await get(late.id)).toMatchObject({ state: 'in_review', reviewLevel: 'squad', overdue: true });
    expect((await overdueMarks('publicity_review_overdue')).map((m) => [m.recipient, unitIdOf(m.to), m.body.level])).toEqual([['supervisor', units.S1, 'squad']]);
    // The squad's supervisors see it waiting for them, overdue, first.
    expect((await list(`state=in_review&level=squad&unit=${units.S1}`, keys['supervisor@S1']!)).map((p) => p.id)[0]).toBe(late.id);

    // Approved late: the district's clock runs, and runs out too — the district is told.
    expect(await approve(late.id, keys['supervisor@S1']!)).toMatchObject({ reviewLevel: 'district', overdue: false });
    await eventually(() => overdueMarks('publicity_review_overdue'), (m) => m.length === 2, 15_000, 'the district review overdue');
    expect((await overdueMarks('publicity_review_overdue'))[1]).toMatchObject({ recipient: 'supervisor', body: { level: 'district' } });
    expect(unitIdOf((await overdueMarks('publicity_review_overdue'))[1]!.to)).toBe(units.D1);

    // Returned, and not revised in time: the squad is told.
    await ok(late.id, keys['supervisor@D1']!, { type: 'review', decision: 'return', comments: '请重拍' });
    await eventually(() => overdueMarks('publicity_revision_overdue'), (m) => m.length === 1, 15_000, 'the revision overdue');
    expect(unitIdOf((await overdueMarks('publicity_revision_overdue'))[0]!.to)).toBe(units.S1);
    expect(await get(late.id)).toMatchObject({ state: 'returned', overdue: true });

    // The squad withdraws it instead: it ends.
    const withdrawn = await ok(late.id, keys['supervisor@S1']!, { type: 'withdraw', reason: '本月改报其他素材' });
    expect(withdrawn).toMatchObject({ state: 'withdrawn', allowedActions: [], overdue: false });
    expect(withdrawn.history.map((e: Json) => e.type)).toEqual(['submitted', 'review_overdue', 'approved', 'review_overdue', 'returned', 'revision_overdue', 'withdrawn']);
    await eventually(() => workflowStatus(publicityWorkflowId(late.id)), (s) => s === 'COMPLETED', 15_000, 'the workflow to end');
    const after = await act(late.id, keys['supervisor@S1']!, { type: 'resubmit' });
    expect(after.statusCode, after.body).toBe(409);
    expect(after.json()).toMatchObject({ state: 'withdrawn', allowed: [] });
    await recordWorkflowHistory(publicityWorkflowId(late.id), 'publicity-overdue-withdrawn');
  });

  it('When an item is never released, then it lapses after its cap, the squad is told and its workflow ends', async () => {
    setDeadlines({ review: '1h', revise: '1h', lapse: '3s' });
    const forgotten = await submitted([await uploaded(keys['officer@S1']!, await jpeg(120), '忘.jpg')]);
    setDeadlines({ review: '1h', revise: '1h', lapse: '2h' });
    await eventually(() => workflowStatus(publicityWorkflowId(forgotten.id)), (s) => s === 'COMPLETED', 20_000, 'the lapse to end the workflow');
    const lapsed = await get(forgotten.id);
    expect(lapsed).toMatchObject({ state: 'lapsed', allowedActions: [], overdue: false });
    expect(lapsed.lapsedAt).toBeDefined();
    expect(lapsed.history.map((e: Json) => e.type)).toEqual(['submitted', 'lapsed']);
    expect((await messages(forgotten.id)).map((m) => m.kind)).toEqual(['publicity_review_requested', 'publicity_lapsed']);
    await recordWorkflowHistory(publicityWorkflowId(forgotten.id), 'publicity-lapsed');
  });
});

describe('what is refused, and who sees what', () => {
  it('When a submission is wrong, then 400 names what was wrong; a district names the squad, and reaches only its own', async () => {
    const photo = await uploaded(keys['officer@S1']!, await jpeg(150), 'a.jpg');
    const bad = async (body: Json, path: RegExp, key = keys['officer@S1']!) => {
      const res = await submit(key, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(JSON.stringify(res.json().issues ?? res.json().error)).toMatch(path);
    };
    await bad({ ...ITEM, media: [{ fileId: photo }], colour: 'red' }, /colour/);
    await bad({ ...ITEM, media: [] }, /body\.media/);
    await bad({ ...ITEM, media: [{ fileId: photo }, { fileId: photo }] }, /names a file twice/);
    await bad({ title: ITEM.title, media: [{ fileId: photo }] }, /body\.body/);
    // A file of another squad, or no file at all, is not this squad's to name.
    const elsewhere = await uploaded(keys['officer@S2']!, await jpeg(151), 'b.jpg');
    await bad({ ...ITEM, media: [{ fileId: elsewhere }] }, /body\.media\.0\.fileId/);
    await bad({ ...ITEM, media: [{ fileId: photo }, { fileId: 'nope' }] }, /body\.media\.1\.fileId/);
    const v1 = await uploaded(keys['officer@S1']!, mp4(), 'v1.mp4');
    const v2 = await uploaded(keys['officer@S1']!, mp4(), 'v2.mp4');
    await bad({ ...ITEM, media: [{ fileId: v1 }, { fileId: v2 }] }, /one video at most/);

    // A district's key names the squad: one of its own, not another district's.
    await bad({ ...ITEM, media: [{ fileId: photo }] }, /name the squad/, keys['supervisor@D1']);
    const forS2 = await submit(keys['supervisor@D1']!, { ...ITEM, squadId: units.S2, media: [{ fileId: photo }] });
    expect(forS2.statusCode, forS2.body).toBe(403);
    const forS1 = await submit(keys['supervisor@D1']!, { ...ITEM, squadId: units.S1, media: [{ fileId: photo }] });
    expect(forS1.statusCode, forS1.body).toBe(201);
    expect(forS1.json()).toMatchObject({ squadId: units.S1, submittedBy: { role: 'supervisor', unitId: units.D1 } });
    // Desk staff read but do not submit; uploads are for the squad's own.
    expect((await submit(keys['desk@S1']!, { ...ITEM, media: [{ fileId: photo }] })).statusCode).toBe(403);
    expect((await upload(keys['officer@S2']!, await jpeg(152), 'c.jpg', units.S1)).statusCode).toBe(403);
  });

  it('When others read items, then a squad sees its own, a district its squads\', a reporter only what reached the newspaper', async () => {
    const mine = await submitted([await uploaded(keys['officer@S1']!, await jpeg(160), 'd.jpg')]);
    expect((await env.request('GET', `/v1/publicity/${mine.id}`, { key: keys['officer@S2'] })).statusCode).toBe(403);
    expect((await env.request('GET', `/v1/publicity/${mine.id}`, { key: keys['desk@S1'] })).statusCode).toBe(200);
    // Still in review: not there for the press.
    const press = await env.request('GET', `/v1/publicity/${mine.id}`, { key: keys.reporter });
    expect(press.statusCode).toBe(404);
    expect((await env.request('GET', `/v1/publicity/${mine.id}/files/${mine.media[0].fileId}`, { key: keys.reporter })).statusCode).toBe(404);
    expect((await list('limit=200', keys.reporter!)).every((p) => p.releasedAt)).toBe(true);
    expect((await list(`unit=${units.D1}&state=in_review`, keys['supervisor@D1']!)).map((p) => p.id)).toContain(mine.id);
    expect((await env.request('GET', `/v1/publicity?unit=${units.D1}`, { key: keys['supervisor@S1'] })).statusCode).toBe(403);
    // A file the item does not carry is not served through it.
    const other = await uploaded(keys['officer@S1']!, await jpeg(161), 'e.jpg');
    expect((await env.request('GET', `/v1/publicity/${mine.id}/files/${other}`, { key: keys['officer@S1'] })).statusCode).toBe(404);

    // Paged, a page at a time, and the cursor is checked.
    const first = await env.request('GET', `/v1/publicity?unit=${units.S1}&limit=1`, { key: keys['supervisor@S1'] });
    expect(first.statusCode).toBe(200);
    const next = first.json().next as string;
    expect(next).toBeDefined();
    const second = (await env.request('GET', `/v1/publicity?unit=${units.S1}&limit=1&cursor=${next}`, { key: keys['supervisor@S1'] })).json();
    expect(second.items[0].id).not.toBe(first.json().items[0].id);
    expect((await env.request('GET', `/v1/publicity?cursor=${next}x`, { key: keys['supervisor@S1'] })).statusCode).toBe(400);
    expect((await env.request('GET', '/v1/publicity?month=2026-13', { key: keys['supervisor@S1'] })).statusCode).toBe(400);
    expect(await list('month=2020-01', keys['supervisor@S1']!)).toEqual([]);
    // An unknown item.
    expect((await act('nosuchitem', keys['supervisor@S1']!, { type: 'withdraw' })).statusCode).toBe(404);
  });
});
