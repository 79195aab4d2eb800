// The citizen's side through the API, without a key: filing from a workstation's QR page with a one-time
// form token (sending the same form again answers the same case; a token too fresh, too old, made up or
// for another workstation is refused, and so is a form whose honeypot is filled in — nothing is filed);
// every bad field named; the hourly filing limit per address; photos uploaded by the tracking code (wrong
// type and too large refused) and added as the citizen's supplement; the tracking page with the stage's
// deadline and nothing personal; the answer, the rating while the window is open, and nothing taken once
// the case is closed. A suggestion filed from the same page is read back by its BS code.

import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { OrgDirectory } from '../api/org.js';
import { FORM_MAX_AGE_MS, FormTokens } from '../api/public.js';
import { caseIdFor } from '../platform/case-ids.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from './support.js';

const SECRET = 'citizen-test-form-token-secret-0123456789';
const MAX_PHOTO_BYTES = 300 * 1024;
// The routes read these when the app is built.
process.env.FORM_TOKEN_SECRET = SECRET;
process.env.FILE_MAX_BYTES = String(MAX_PHOTO_BYTES);

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
const tokens = new FormTokens(SECRET);
let station: { id: string; fullName: string; district: string; street: string; squadId: string };
let other: { id: string };

/** A token as the page gets it, issued `ageMs` ago (a person took that long to fill in the form). */
const mint = (workstationId = station.id, ageMs = 5_000) => tokens.issue(workstationId, Date.now() - ageMs).token;
const nonceOf = (token: string) => token.split('.')[2]!;

const complaint = (overrides: Record<string, unknown> = {}) => ({
  formToken: mint(),
  kind: 'complaint',
  workstationId: station.id,
  text: '小区门口工地每晚十一点后还在施工，电话13812345678\n已经持续一周，影响老人孩子休息',
  category: 'night_construction_noise',
  location: { address: '漕宝路1号 小区北门', lat: 31.1612, lng: 121.3875 },
  citizen: { name: '王小明', phone: '138 1234 5678' },
  consent: true,
  ...overrides,
});

const post = (url: string, body: unknown, remoteAddress = '203.0.113.7', app: FastifyInstance = env.app) =>
  app.inject({ method: 'POST', url, payload: body as never, remoteAddress });
const get = (url: string) => env.app.inject({ method: 'GET', url });
const file = (body: unknown) => post('/v1/public/reports', body);
const countCases = async () => (await env.database.sql<{ n: number }[]>`select count(*)::int as n from cases`)[0]!.n;

/** A multipart/form-data body with one file part. */
function multipart(bytes: Buffer, filename: string, type = 'image/jpeg') {
  const boundary = `----citizen${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`, 'utf8');
  return { payload: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const upload = (code: string, bytes: Buffer, filename = 'photo.jpg', type?: string) =>
  env.app.inject({ method: 'POST', url: `/v1/track/${code}/files`, ...multipart(bytes, filename, type) });
const photo = (width = 400, height = 300) => sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).jpeg({ quality: 70 }).toBuffer();

/** The 400's fields, by path. */
const issuePaths = (res: LightMyRequestResponse) => (res.json().issues as { path: string }[]).map((i) => i.path);

beforeAll(async () => {
  env = await createTestEnv('citizen');
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations;
  station = stations[0];
  other = stations.find((w: { squadId: string }) => w.squadId !== station.squadId);
}, 120_000);
afterAll(async () => env?.close());

let code: string;
let caseId: string;
let firstForm: ReturnType<typeof complaint>;

describe('filing from the QR page', () => {
  it('When the page opens, then it gets the workstation by name and a form token, both without a key', async () => {
    const w = await get(`/v1/public/workstations/${station.id}`);
    expect(w.statusCode, w.body).toBe(200);
    expect(w.json()).toEqual({ id: station.id, name: expect.any(String), fullName: station.fullName, district: '闵行区', street: station.street });
    const t = await get(`/v1/public/form-token?workstationId=${station.id}`);
    expect(t.statusCode, t.body).toBe(200);
    const { token, issuedAt, notBefore, expiresAt } = t.json();
    expect(token).toMatch(/^v1\.[0-9a-z]+\.[\w-]{22}\.[\w-]{43}$/);
    expect(Date.parse(notBefore) - Date.parse(issuedAt)).toBe(2_000);
    expect(Date.parse(expiresAt) - Date.parse(issuedAt)).toBe(FORM_MAX_AGE_MS);
    expect(t.headers['cache-control']).toBe('no-store');
  });

  it('When a citizen sends the form with a token the page got over two seconds before, then 201 with a BN tracking code, and the case is channel qr at the workstation with the contact given', async () => {
    const t = (await get(`/v1/public/form-token?workstationId=${station.id}`)).json();
    await new Promise((r) => setTimeout(r, 2_100));
    firstForm = complaint({ formToken: t.token });
    const res = await file(firstForm);
    expect(res.statusCode, res.body).toBe(201);
    const filed = res.json();
    expect(filed).toEqual({ kind: 'complaint', trackingCode: expect.stringMatching(/^BN[0-9A-Z]{10}$/), created: true, trackingUrl: `/citizen/#/track/${filed.trackingCode}` });
    code = filed.trackingCode;
    caseId = caseIdFor('qr', `qr-form:${nonceOf(t.token)}`);
    const view = await c.get(caseId);
    expect(view).toMatchObject({
      trackingCode: code,
      channel: 'qr',
      externalId: `qr-form:${nonceOf(t.token)}`,
      state: 'triage',
      category: 'night_construction_noise',
      workstationId: station.id,
      title: '小区门口工地每晚十一点后还在施工，电话13812345678',
      location: { address: '漕宝路1号 小区北门', district: '闵行区', street: station.street, lat: 31.1612, lng: 121.3875 },
      citizen: { name: '王小明', phone: '13812345678' },
    });
    const [intake] = await c.events(caseId);
    expect(intake).toMatchObject({ type: 'intake', actor: { id: 'qr-page', role: 'intake' } });
  });

  it('When the same form is sent again (a retry, a double tap), then 200 with the same tracking code and nothing new is filed', async () => {
    const before = await countCases();
    const res = await file(firstForm);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'complaint', trackingCode: code, created: false });
    expect(await countCases()).toBe(before);
  });

  it('When the token is too fresh, too old, made up, altered or for another workstation, then 400 naming formToken and nothing is filed', async () => {
    const before = await countCases();
    const fresh = await file(complaint({ formToken: tokens.issue(station.id).token }));
    expect(fresh.statusCode, fresh.body).toBe(400);
    expect(issuePaths(fresh)).toEqual(['body.formToken']);
    expect(fresh.json().error).toMatch(/after it was opened: a person takes longer; send it again in [12] s/);

    const stale = await file(complaint({ formToken: mint(station.id, FORM_MAX_AGE_MS + 60_000) }));
    expect(stale.statusCode, stale.body).toBe(400);
    expect(stale.json().error).toMatch(/opened more than 12 hours ago: reload the page/);

    const good = mint();
    const [v, issued, nonce, mac] = good.split('.');
    const forgeries = [
      'not-a-token',
      `${v}.${issued}.${nonce}.${'A'.repeat(43)}`,
      // An earlier issue time to get past the freshness check: the signature no longer holds.
      `${v}.${(parseInt(issued!, 36) - 10_000).toString(36)}.${nonce}.${mac}`,
      new FormTokens('another-secret-of-at-least-32-characters').issue(station.id, Date.now() - 5_000).token,
      mint(other.id),
    ];
    for (const formToken of forgeries) {
      const res = await file(complaint({ formToken }));
      expect(res.statusCode, `${formToken}: ${res.body}`).toBe(400);
      expect(issuePaths(res)).toEqual(['body.formToken']);
      expect(res.json().error).toMatch(/not one this service issued for this workstation/);
    }
    expect(await countCases()).toBe(before);
  });

  it('When the hidden honeypot field is filled in, then 400 naming it and nothing is filed', async () => {
    const before = await countCases();
    const res = await file(complaint({ website: 'http://spam.example' }));
    expect(res.statusCode, res.body).toBe(400);
    expect(issuePaths(res)).toEqual(['body.website']);
    expect(res.json().error).toMatch(/only a program fills it in/);
    expect(await countCases()).toBe(before);
  });

  it('When a field is wrong or missing, then 400 names it — address, phone, consent, workstation, text, an unknown field — and nothing is filed', async () => {
    const before = await countCases();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ location: { lat: 31.1, lng: 121.4 } }, 'body.location.address', /needs an address/],
      [{ citizen: { phone: '12345' } }, 'body.citizen.phone', /not a mobile number/],
      [{ consent: false }, 'body.consent', /used only to answer this complaint/],
      [{ consent: undefined, citizen: { name: '王小明' } }, 'body.consent', /agree to that/],
      [{ workstationId: 'ws-nope' }, 'body.workstationId', /no workstation "ws-nope"/],
      [{ text: '   ' }, 'body.text', /.+/],
      [{ category: 'parking' }, 'body.category', /.+/],
      [{ kind: 'praise' }, 'body.kind', /.+/],
      [{ notes: 'x' }, 'body.notes', /unknown field/],
      [{ location: { address: '漕宝路1号', lat: 91 } }, 'body.location.lat', /.+/],
    ];
    for (const [overrides, path, message] of cases) {
      const res = await file(complaint(overrides));
      expect(res.statusCode, `${path}: ${res.body}`).toBe(400);
      expect(issuePaths(res), path).toEqual([path]);
      expect(res.json().error, path).toMatch(message);
    }
    // No contact at all needs no consent.
    const form = complaint({ citizen: undefined, consent: undefined });
    const anonymous = await file(form);
    expect(anonymous.statusCode, anonymous.body).toBe(201);
    expect((await c.get(caseIdFor('qr', `qr-form:${nonceOf(form.formToken)}`))).citizen).toBeUndefined();
    expect(await countCases()).toBe(before + 1);

    expect((await get('/v1/public/workstations/ws-nope')).statusCode).toBe(404);
    expect((await get('/v1/public/form-token?workstationId=ws-nope')).statusCode).toBe(404);
    expect((await get('/v1/public/form-token')).statusCode).toBe(400);
    expect((await get(`/v1/public/form-token?workstationId=${station.id}&x=1`)).statusCode).toBe(400);
  });

  it('When one address files more than the hourly limit, then 429 with Retry-After, and another address still files', async () => {
    process.env.RATE_LIMIT_PUBLIC_FILINGS_PER_HOUR = '2';
    const limited = Fastify();
    try {
      await buildApp(limited, {
        db: env.database.db,
        temporal: env.temporal,
        taskQueue: env.taskQueue,
        policy: env.policy,
        org: await new OrgDirectory(env.database.db).load(),
        security: { rateLimit: { perMinute: 600, publicPerMinute: 600 } },
      });
      await limited.ready();
      const send = (address: string) => post('/v1/public/reports', complaint(), address, limited);
      expect((await send('198.51.100.1')).statusCode).toBe(201);
      expect((await send('198.51.100.1')).statusCode).toBe(201);
      const refused = await send('198.51.100.1');
      expect(refused.statusCode, refused.body).toBe(429);
      expect(refused.json().error).toMatch(/this address may file 2 complaints or suggestions an hour through the QR page; retry in \d+ s/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3_000);
      expect((await send('198.51.100.2')).statusCode).toBe(201);
      // Reading is not filing: the tracking page still answers the limited address.
      expect((await limited.inject({ method: 'GET', url: `/v1/track/${code}`, remoteAddress: '198.51.100.1' })).statusCode).toBe(200);
    } finally {
      delete process.env.RATE_LIMIT_PUBLIC_FILINGS_PER_HOUR;
      await limited.close();
    }
  });
});

describe('photos and supplements by the tracking code', () => {
  let fileId: string;

  it('When the citizen uploads a photo with the tracking code, then 201 with its id and no link, and the same bytes again answer the same file', async () => {
    const bytes = await photo();
    const res = await upload(code, bytes, 'IMG_0001.jpg');
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toEqual({ id: expect.any(String), name: 'IMG_0001.jpg', type: 'image/jpeg', size: bytes.length, createdAt: expect.any(String) });
    fileId = body.id;
    const again = await upload(code, bytes, 'again.jpg');
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(fileId);
  });

  it('When the upload is not a photo, is too large, or is not multipart, then 415 or 413 in words, and an unknown code 404', async () => {
    const html = await upload(code, Buffer.from('<html><script>alert(1)</script></html>'), 'photo.jpg');
    expect(html.statusCode, html.body).toBe(415);
    expect(html.json().error).toMatch(/image\/jpeg, image\/png, image\/webp, application\/pdf, video\/mp4 files, told by their bytes/);
    const big = await photo(1200, 900);
    expect(big.length).toBeGreaterThan(MAX_PHOTO_BYTES);
    const tooLarge = await upload(code, big);
    expect(tooLarge.statusCode, tooLarge.body).toBe(413);
    expect(tooLarge.json().error).toMatch(`at most ${MAX_PHOTO_BYTES} bytes`);
    const json = await post(`/v1/track/${code}/files`, { file: 'x' });
    expect(json.statusCode).toBe(415);
    expect((await upload('BN0000000000', await photo())).statusCode).toBe(404);
  });

  it('When the citizen adds text and the photo, then the tracking page shows their supplement, and staff see it with the file by the citizen', async () => {
    const res = await post(`/v1/track/${code}/supplement`, { text: '今晚十一点半又在施工，我是王小明，13812345678', attachments: [{ fileId }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().timeline.at(-1)).toMatchObject({ type: 'supplement', by: 'citizen', state: 'triage' });
    const supplement = (await c.events(caseId)).find((e) => e.type === 'supplement')!;
    expect(supplement.actor).toMatchObject({ id: 'citizen', role: 'citizen' });
    expect(supplement.payload).toMatchObject({ text: '今晚十一点半又在施工，我是王小明，13812345678', attachments: [{ fileId, name: 'IMG_0001.jpg', contentType: 'image/jpeg' }] });
    const files = (await env.request('GET', `/v1/cases/${caseId}/files`)).json().files;
    expect(files).toEqual([expect.objectContaining({ id: fileId, owner: 'citizen', type: 'image/jpeg' })]);
  });

  it('When a supplement is empty, names a file not uploaded by the code, or has an unknown field, then 400 naming it', async () => {
    const empty = await post(`/v1/track/${code}/supplement`, {});
    expect(empty.statusCode, empty.body).toBe(400);
    expect(empty.json().error).toMatch(/a supplement needs text or attachments/);
    const foreign = await post(`/v1/track/${code}/supplement`, { attachments: [{ fileId: 'no-such-file' }] });
    expect(foreign.statusCode, foreign.body).toBe(400);
    expect(issuePaths(foreign)).toEqual(['body.attachments.0.fileId']);
    const link = await post(`/v1/track/${code}/supplement`, { attachments: [{ url: 'https://evil.example/x.jpg' }] });
    expect(link.statusCode).toBe(400);
    expect(issuePaths(link)).toContain('body.attachments.0.url');
    expect((await post('/v1/track/BN0000000000/supplement', { text: 'x' })).statusCode).toBe(404);
  });
});

describe('the tracking page', () => {
  it('When the citizen opens it, then it shows the state, the stage and its deadline, and nothing personal', async () => {
    const res = await get(`/v1/track/${code}`);
    expect(res.statusCode, res.body).toBe(200);
    const tracked = res.json();
    const view = await c.get(caseId);
    expect(tracked).toMatchObject({
      kind: 'complaint',
      trackingCode: code,
      channel: 'qr',
      state: 'triage',
      stage: 'triage',
      deadlineAt: view.deadlineAt,
      overdue: false,
      category: 'night_construction_noise',
      workstation: { id: station.id, name: station.fullName },
      title: '小区门口工地每晚十一点后还在施工，电话138****5678',
      canRate: false,
      canSupplement: true,
    });
    // The triage stage runs 24 hours (policy/deadlines.json).
    expect(Date.parse(tracked.deadlineAt) - Date.parse(tracked.createdAt)).toBe(24 * 3_600_000);
    expect(tracked.timeline.map((e: { type: string; by: string }) => `${e.type}:${e.by}`)).toEqual(['intake:channel', 'supplement:citizen']);
    const text = res.body;
    for (const personal of ['13812345678', '王小明', '北门', '十一点半', 'qr-page', 'IMG_0001', '31.16']) expect(text, personal).not.toContain(personal);
  });

  it('When staff answer the case, then the page shows the answer and the rating form; the rating is taken once, and a closed case takes no more information', async () => {
    await c.ok(caseId, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'night_construction_noise', workstationId: station.id });
    const dispatched = (await get(`/v1/track/${code}`)).json();
    expect(dispatched).toMatchObject({ state: 'dispatched', stage: 'acceptance', canRate: false });
    await c.ok(caseId, env.keys.officer!, { type: 'accept' });
    await c.ok(caseId, env.keys.officer!, { type: 'resolve', result: '已责令工地停止夜间施工' });
    await c.ok(caseId, env.keys.officer!, { type: 'feedback', message: '您反映的夜间施工已责令停止，联系人王小明 13812345678' });

    const answered = (await get(`/v1/track/${code}`)).json();
    const closedAt = (await c.get(caseId)).closedAt;
    expect(answered).toMatchObject({
      state: 'closed',
      outcome: 'resolved',
      answer: '您反映的夜间施工已责令停止，联系人王** 138****5678',
      canRate: true,
      canSupplement: false,
      overdue: false,
    });
    expect(answered.stage).toBeUndefined();
    expect(answered.deadlineAt).toBeUndefined();
    expect(Date.parse(answered.ratingOpenUntil) - Date.parse(closedAt)).toBeGreaterThanOrEqual(7 * 86_400_000);
    expect(answered.timeline.map((e: { type: string }) => e.type)).toEqual(['intake', 'supplement', 'triage', 'accept', 'resolve', 'feedback']);

    const rated = await post(`/v1/track/${code}/rating`, { rating: 'basically_satisfied', comment: '处理及时' });
    expect(rated.statusCode, rated.body).toBe(200);
    expect(rated.json()).toEqual({ trackingCode: code, rating: 'basically_satisfied' });
    const after = (await get(`/v1/track/${code}`)).json();
    expect(after).toMatchObject({ rating: 'basically_satisfied', canRate: false });
    expect(after.ratingOpenUntil).toBeUndefined();
    expect(after.timeline.at(-1)).toMatchObject({ type: 'rate', by: 'citizen' });

    const twice = await post(`/v1/track/${code}/rating`, { rating: 'satisfied' });
    expect(twice.statusCode, twice.body).toBe(409);
    expect(twice.json().state).toBe('closed');
    const more = await post(`/v1/track/${code}/supplement`, { text: '还有一件事' });
    expect(more.statusCode, more.body).toBe(409);
    const photoAfter = await upload(code, await photo(200, 150));
    expect(photoAfter.statusCode, photoAfter.body).toBe(409);
    expect(photoAfter.json()).toMatchObject({ state: 'closed' });
  });
});

describe('a suggestion from the QR page', () => {
  it('When the citizen picks 建议, then it is filed as a suggestion with a BS code, read back without personal data, and the same form again answers it', async () => {
    const form = complaint({ kind: 'suggestion', text: '建议在小区门口增设非机动车停放点\n现在电动车乱停影响通行', category: undefined, location: undefined });
    const res = await file(form);
    expect(res.statusCode, res.body).toBe(201);
    const filed = res.json();
    expect(filed).toMatchObject({ kind: 'suggestion', trackingCode: expect.stringMatching(/^BS/), created: true, trackingUrl: `/citizen/#/track/${filed.trackingCode}` });
    const again = await file(form);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ trackingCode: filed.trackingCode, created: false });
    const read = await get(`/v1/public/suggestions/${filed.trackingCode}`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({ trackingCode: filed.trackingCode, kind: 'suggestion', state: 'received', title: '建议在小区门口增设非机动车停放点', overdue: false });
    for (const personal of ['13812345678', '王小明']) expect(read.body).not.toContain(personal);
  });
});
