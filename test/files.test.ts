// Files uploaded to a case: the bytes come back as they went in (checksum, type, size); the type is read
// from the bytes, so HTML or a program named photo.jpg is refused and a PNG sent as a PDF is kept as the
// PNG it is; a file larger than the limit is refused with 413; a name is a name, never a path; an image
// gets a preview at most 1280 px; a file is served to those who may read its case and to no one else; an
// action may attach a file of its own case only, and the timeline then names it.

import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from './support.js';

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
const keys: Record<string, string> = {};
const ids: Record<string, string> = {};
let caseId: string;
let otherCaseId: string;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A photo as a phone takes it: 3000 × 2000, noisy enough not to compress to nothing. */
async function photo(width = 3000, height = 2000): Promise<Buffer> {
  const raw = randomBytes(width * height * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 70 }).toBuffer();
}
const png = (r: number, g = 80, b = 40) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).png().toBuffer();
const pdf = () => Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** A multipart/form-data body with one file part, its name written as the bytes of UTF-8 (as browsers send it). */
function multipart(bytes: Buffer, filename: string, o: { type?: string; field?: string } = {}) {
  const boundary = `----bangnong${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${o.field ?? 'file'}"; filename="${filename}"\r\nContent-Type: ${o.type ?? 'application/octet-stream'}\r\n\r\n`,
    'utf8',
  );
  return { payload: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

const upload = (id: string, key: string, bytes: Buffer, filename: string, o: { type?: string; field?: string } = {}) => {
  const { payload, contentType } = multipart(bytes, filename, o);
  return env.app.inject({ method: 'POST', url: `/v1/cases/${id}/files`, payload, headers: { authorization: `Bearer ${key}`, 'content-type': contentType } });
};
const get = (url: string, key: string, headers: Record<string, string> = {}) => env.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}`, ...headers } });

beforeAll(async () => {
  env = await createTestEnv('files');
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as { id: string; squadId: string }[];
  const w1 = stations[0]!;
  const all = await c.workstations();
  const w2 = all.find((w) => w.squadId !== w1.squadId)!;
  const district = await c.districtOf(w1.squadId);
  for (const [label, role, unit] of [
    ['officerA', 'officer', w1.squadId],
    ['officerB', 'officer', w2.squadId],
    ['supervisorD', 'supervisor', district],
    ['admin', 'admin', district],
  ] as const) {
    const p = await env.principal(role, unit, label);
    keys[label] = p.key;
    ids[label] = p.id;
  }
  const dispatch = async (externalId: string) => {
    const filed = await c.file({ externalId, workstationId: w1.id });
    await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'illegal_construction', workstationId: w1.id });
    await c.ok(filed.id, keys.officerA!, { type: 'accept' });
    return filed.id as string;
  };
  caseId = await dispatch('files-1');
  otherCaseId = await dispatch('files-2');
}, 120_000);
afterAll(async () => env?.close());

describe('uploading and reading back', () => {
  let bytes: Buffer;
  let file: Record<string, any>;

  it('When an officer uploads a photo to a case of its squad, then 201 with its checksum, type, size, owner and links, and the bytes read back the same', async () => {
    bytes = await photo();
    const res = await upload(caseId, keys.officerA!, bytes, '现场照片.jpg', { type: 'image/jpeg' });
    expect(res.statusCode, res.body).toBe(201);
    file = res.json();
    expect(file).toMatchObject({
      caseId,
      name: '现场照片.jpg',
      type: 'image/jpeg',
      size: bytes.length,
      sha256: sha256(bytes),
      owner: ids.officerA,
      url: `/v1/files/${file.id}`,
      previewUrl: `/v1/files/${file.id}/preview`,
    });
    expect(Date.parse(file.createdAt)).toBeGreaterThan(Date.now() - 60_000);

    const back = await get(file.url, keys.officerA!);
    expect(back.statusCode).toBe(200);
    expect(back.rawPayload.equals(bytes)).toBe(true);
    expect(back.headers['content-type']).toBe('image/jpeg');
    expect(back.headers['x-content-type-options']).toBe('nosniff');
    expect(back.headers['content-disposition']).toBe(`inline; filename="____.jpg"; filename*=UTF-8''${encodeURIComponent('现场照片.jpg')}`);
    expect(back.headers['cache-control']).toMatch(/^private/);
  });

  it('When the same bytes are uploaded again by the same officer, then 200 with the same file', async () => {
    const again = await upload(caseId, keys.officerA!, bytes, 'another-name.jpg');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(file);
    const list = (await get(`/v1/cases/${caseId}/files`, keys.officerA!)).json().files as { id: string }[];
    expect(list.filter((f) => f.id === file.id)).toHaveLength(1);
  });

  it('When the preview is read, then it is a JPEG at most 1280 px on its long side', async () => {
    const res = await get(file.previewUrl, keys.officerA!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(res.rawPayload).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBe(1280);
    expect(meta.width! / meta.height!).toBeCloseTo(1.5, 1);
    expect(res.rawPayload.length).toBeLessThan(bytes.length);
  });

  it('When a PDF is uploaded, then it is downloaded as an attachment and has no preview', async () => {
    const doc = pdf();
    const res = await upload(caseId, keys.officerA!, doc, '整改通知书.pdf', { type: 'application/pdf' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ type: 'application/pdf', size: doc.length, name: '整改通知书.pdf' });
    expect(res.json().previewUrl).toBeUndefined();
    const back = await get(res.json().url, keys.officerA!);
    expect(back.headers['content-type']).toBe('application/pdf');
    expect(back.headers['content-disposition']).toMatch(/^attachment; /);
    expect((await get(`${res.json().url}/preview`, keys.officerA!)).statusCode).toBe(404);
  });
});

describe('what is refused', () => {
  const expectRefused = (res: { statusCode: number; json(): any; headers: Record<string, unknown> }, status: number, error: RegExp) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().error).toMatch(error);
  };
  const allowed = /image\/jpeg, image\/png, image\/webp, application\/pdf, video\/mp4/;

  it('When HTML or a program is named photo.jpg, then 415 says which types a case takes, and nothing is kept', async () => {
    const before = (await get(`/v1/cases/${caseId}/files`, keys.officerA!)).json().files.length;
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    expectRefused(await upload(caseId, keys.officerA!, html, 'photo.jpg', { type: 'image/jpeg' }), 415, allowed);
    // An ELF executable's first bytes, declared as a photo.
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), randomBytes(8192)]);
    const refused = await upload(caseId, keys.officerA!, elf, 'photo.jpg', { type: 'image/jpeg' });
    expectRefused(refused, 415, allowed);
    expect(refused.json().error).toContain('application/x-elf');
    expect((await get(`/v1/cases/${caseId}/files`, keys.officerA!)).json().files).toHaveLength(before);
  });

  it('When a PNG is declared a PDF, then it is kept as the PNG it is, named so', async () => {
    const image = await png(200);
    const res = await upload(caseId, keys.officerA!, image, 'report.pdf', { type: 'application/pdf' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ type: 'image/png', name: 'report.pdf.png', sha256: sha256(image) });
    expect((await get(res.json().url, keys.officerA!)).headers['content-type']).toBe('image/png');
  });

  it('When a file is larger than the limit (10 MiB), then 413 says the limit, and nothing is kept', async () => {
    const before = (await get(`/v1/cases/${caseId}/files`, keys.officerA!)).json().files.length;
    const big = Buffer.concat([await png(10), Buffer.alloc(10 * 1024 * 1024)]);
    expectRefused(await upload(caseId, keys.officerA!, big, 'big.png', { type: 'image/png' }), 413, /at most 10485760 bytes \(10 MiB\)/);
    expect((await get(`/v1/cases/${caseId}/files`, keys.officerA!)).json().files).toHaveLength(before);
  });

  it('When a name is a path, then only its last part is kept: no separator, no "..", no NUL or control character', async () => {
    const names: [string, string][] = [
      ['../../etc/passwd', 'passwd.png'],
      ['a/b.jpg', 'b.jpg.png'],
      ['..\\x.png', 'x.png'],
      ['..', 'file.png'],
      ['a\u0000b\u0007c.png', 'abc.png'],
      ['\u202egnp.exe', 'gnp.exe.png'],
    ];
    for (const [i, [given, kept]] of names.entries()) {
      const res = await upload(caseId, keys.officerA!, await png(20 + i * 20), given, { type: 'image/png' });
      if (res.statusCode === 400) continue; // Refused outright is as good as neutralised.
      expect(res.statusCode, `${JSON.stringify(given)}: ${res.body}`).toBe(201);
      const { name } = res.json() as { name: string };
      expect(name, JSON.stringify(given)).toBe(kept);
      expect(name).not.toMatch(/[/\\\u0000-\u001f\u202e]|^\.\./);
    }
  });

  it('When the body is JSON, or the file is in another part, then 415 or 400 says how to send it', async () => {
    const json = await env.request('POST', `/v1/cases/${caseId}/files`, { key: keys.officerA!, body: {} });
    expectRefused(json, 415, /multipart\/form-data/);
    expectRefused(await upload(caseId, keys.officerA!, await png(3), 'x.png', { field: 'photo' }), 400, /part named "file"/);
  });
});

describe('who may', () => {
  let url: string;
  beforeAll(async () => {
    const res = await upload(caseId, keys.officerA!, await png(250, 250, 250), '门口.png');
    expect(res.statusCode, res.body).toBe(201);
    url = res.json().url;
  });

  it("When the district's supervisor asks for a file of its squad's case, then it is served", async () => {
    expect((await get(url, keys.supervisorD!)).statusCode).toBe(200);
    expect((await get(`${url}/preview`, keys.supervisorD!)).statusCode).toBe(200);
    expect((await get(`/v1/cases/${caseId}/files`, keys.supervisorD!)).statusCode).toBe(200);
  });

  it('When an officer of another squad asks for it, its preview or the list, then 403, as for the case; an unknown file is 404', async () => {
    for (const path of [url, `${url}/preview`, `/v1/cases/${caseId}/files`]) {
      const res = await get(path, keys.officerB!);
      expect(res.statusCode, path).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.rawPayload.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    }
    expect((await get('/v1/files/no-such-file', keys.officerA!)).statusCode).toBe(404);
  });

  it('When an officer of another squad or an administrator uploads to the case, then 403', async () => {
    expect((await upload(caseId, keys.officerB!, await png(7), 'x.png')).statusCode).toBe(403);
    expect((await upload(caseId, keys.admin!, await png(8), 'x.png')).statusCode).toBe(403);
  });
});

describe('attaching an uploaded file to an action', () => {
  it('When evidence names a file of another case, then 400 names body.attachments.N.fileId and nothing is recorded', async () => {
    const other = await upload(otherCaseId, keys.officerA!, await png(99), 'other.png');
    expect(other.statusCode, other.body).toBe(201);
    const before = (await c.get(caseId)).version;
    const res = await c.act(caseId, keys.officerA!, { type: 'record_evidence', note: '照片', attachments: [{ url: 'https://files.example/1.jpg' }, { fileId: other.json().id }] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().issues).toEqual([expect.objectContaining({ path: 'body.attachments.1.fileId' })]);
    const both = await c.act(caseId, keys.officerA!, { type: 'record_evidence', attachments: [{ url: 'https://files.example/1.jpg', fileId: other.json().id }] });
    expect(both.statusCode).toBe(400);
    expect(JSON.stringify(both.json().issues)).toContain('body.attachments.0');
    expect((await c.get(caseId)).version).toBe(before);
  });

  it('When evidence names a file of its case, then the timeline holds it with its name and type', async () => {
    const image = await png(123, 45, 67);
    const up = await upload(caseId, keys.officerA!, image, '违建现场.png');
    expect(up.statusCode, up.body).toBe(201);
    const fileId = up.json().id as string;
    await c.ok(caseId, keys.officerA!, { type: 'record_evidence', note: '现场拍照', attachments: [{ fileId }] });
    const events = (await get(`/v1/cases/${caseId}/events`, keys.supervisorD!)).json().events as { type: string; payload: Record<string, any> }[];
    const evidence = events.filter((e) => e.type === 'record_evidence').at(-1)!;
    expect(evidence.payload.attachments).toEqual([{ fileId, name: '违建现场.png', contentType: 'image/png' }]);
    // The link the timeline gives leads to the bytes, for whoever may read the case.
    expect((await get(`/v1/files/${fileId}`, keys.supervisorD!)).rawPayload.equals(image)).toBe(true);
  });
});
