// Files kept in an S3-compatible bucket (platform/storage.ts S3FileStore), against a real MinIO: built once
// with Go into .tools/bin when there is none (dev/minio.ts; about 5 minutes the first time, hence the long
// beforeAll) and started on free ports for this file. The API is configured as an operator would, with the
// FILES_S3_* settings: an upload lands in the bucket under the local store's keys, reads back byte for byte
// (and its preview, and a range of a video), the same bytes are kept once, a deleted object is missing bytes
// to the API as a deleted local file is; a half configuration, a wrong secret or a missing bucket stops the
// start with a message that says what to check, and never the secret.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import Fastify from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fileRoutes from '../api/routes/files/index.js';
import { type Minio, ensureMinio, startMinio } from '../dev/minio.js';
import { ConfigError, fileSettings, loadConfig } from '../platform/config.js';
import { type FileStore, S3FileStore, openFileStore } from '../platform/storage.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from './support.js';

const BUCKET = 'bangnong-files';
const say = (m: string) => console.log(`[minio] ${m}`);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const keyOf = (sha: string) => `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`;

let minioDir: string;
let minio: Minio | undefined;
let s3: S3Client;
let env: TestEnv | undefined;
let officer: string;
let caseId: string;
let otherCaseId: string;
const saved: Record<string, string | undefined> = {};

/** The FILES_S3_* settings for this MinIO, as an operator would set them. */
const s3Env = (over: Record<string, string> = {}): Record<string, string> => ({
  FILES_S3_ENDPOINT: minio!.endpoint,
  FILES_S3_BUCKET: BUCKET,
  FILES_S3_ACCESS_KEY_ID: minio!.accessKeyId,
  FILES_S3_SECRET_ACCESS_KEY: minio!.secretAccessKey,
  FILES_S3_FORCE_PATH_STYLE: 'true',
  ...over,
});

const objects = async (prefix = '') => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size! }));
};

const photo = async () => sharp(randomBytes(1600 * 1200 * 3), { raw: { width: 1600, height: 1200, channels: 3 } }).jpeg({ quality: 70 }).toBuffer();
/** An MP4 as file-type tells one: an `ftyp` box with the isom brand, then bytes. */
const mp4 = () => Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'), randomBytes(256 * 1024)]);

function multipart(bytes: Buffer, filename: string) {
  const boundary = `----bangnong${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  return { payload: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}
const upload = (id: string, bytes: Buffer, filename: string) => {
  const { payload, contentType } = multipart(bytes, filename);
  return env!.app.inject({ method: 'POST', url: `/v1/cases/${id}/files`, payload, headers: { authorization: `Bearer ${officer}`, 'content-type': contentType } });
};
const get = (url: string, headers: Record<string, string> = {}) => env!.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${officer}`, ...headers } });

/** Starts the files routes alone under `settings`, as the API's start does, and answers why it failed to. */
async function startFailure(settings: Record<string, string>): Promise<Error> {
  for (const [name, value] of Object.entries(settings)) process.env[name] = value;
  const app = Fastify();
  try {
    await app.register(fileRoutes);
    await app.ready();
  } catch (e) {
    return e as Error;
  } finally {
    for (const [name, value] of Object.entries(s3Env())) process.env[name] = value;
    await app.close().catch(() => undefined);
  }
  throw new Error('the files routes started');
}

beforeAll(async () => {
  // Building MinIO the first time takes minutes; once built (or on PATH) this takes a second.
  const binary = await ensureMinio(say);
  minioDir = mkdtempSync(path.join(os.tmpdir(), 'bangnong-minio-'));
  minio = await startMinio({ binary, dir: minioDir });
  s3 = new S3Client({
    endpoint: minio.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

  for (const [name, value] of Object.entries(s3Env())) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  env = await createTestEnv('files_s3');
  const c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as { id: string; squadId: string }[];
  const w = stations[0]!;
  officer = (await env.principal('officer', w.squadId, 'officer')).key;
  const dispatch = async (externalId: string) => {
    const filed = await c.file({ externalId, workstationId: w.id });
    await c.ok(filed.id, env!.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'illegal_construction', workstationId: w.id });
    await c.ok(filed.id, officer, { type: 'accept' });
    return filed.id as string;
  };
  caseId = await dispatch('files-s3-1');
  otherCaseId = await dispatch('files-s3-2');
}, 15 * 60_000);

afterAll(async () => {
  await env?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  s3?.destroy();
  await minio?.stop();
  if (minioDir) rmSync(minioDir, { recursive: true, force: true });
});

describe('files in an S3-compatible bucket', () => {
  let bytes: Buffer;
  let file: Record<string, any>;
  let store: FileStore;

  beforeAll(async () => {
    store = await openFileStore(fileSettings(loadConfig()));
  });
  afterAll(() => (store as S3FileStore | undefined)?.close());

  it('When FILES_S3_BUCKET is set, then the store is the bucket', () => {
    expect(store).toBeInstanceOf(S3FileStore);
    expect((store as S3FileStore).bucket).toBe(BUCKET);
  });

  it('When an officer uploads a photo, then it is in the bucket under its sha256 with its preview beside it, and reads back byte for byte', async () => {
    bytes = await photo();
    const res = await upload(caseId, bytes, '现场照片.jpg');
    expect(res.statusCode, res.body).toBe(201);
    file = res.json();
    expect(file).toMatchObject({ type: 'image/jpeg', size: bytes.length, sha256: sha256(bytes), previewUrl: `/v1/files/${file.id}/preview` });

    const key = keyOf(sha256(bytes));
    expect(await objects(key)).toEqual([
      { key, size: bytes.length },
      { key: `${key}.preview.jpg`, size: expect.any(Number) },
    ]);

    const back = await get(file.url);
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toBe('image/jpeg');
    expect(Number(back.headers['content-length'])).toBe(bytes.length);
    expect(back.rawPayload.equals(bytes)).toBe(true);

    const preview = await get(file.previewUrl);
    expect(preview.statusCode).toBe(200);
    const meta = await sharp(preview.rawPayload).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBe(1280);
  });

  it('When the same bytes are uploaded to another case, then a second file is recorded and the bucket still holds one object', async () => {
    const before = await objects();
    const res = await upload(otherCaseId, bytes, 'again.jpg');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().id).not.toBe(file.id);
    expect(res.json().sha256).toBe(file.sha256);
    expect(await objects()).toEqual(before);
    expect((await get(res.json().url)).rawPayload.equals(bytes)).toBe(true);
  });

  it('When a range of a video is asked for, then 206 with those bytes; the store reads a range of the photo too', async () => {
    const video = mp4();
    const res = await upload(caseId, video, 'clip.mp4');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().type).toBe('video/mp4');
    const part = await get(res.json().url, { range: 'bytes=1000-4999' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-4999/${video.length}`);
    expect(part.rawPayload.equals(video.subarray(1000, 5000))).toBe(true);
    const tail = await get(res.json().url, { range: 'bytes=-100' });
    expect(tail.rawPayload.equals(video.subarray(video.length - 100))).toBe(true);

    const chunks: Buffer[] = [];
    for await (const chunk of (await store.get(keyOf(file.sha256), { start: 2, end: 9 }))!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes.subarray(2, 10))).toBe(true);
  });

  it('When the store deletes the object, then it leaves the bucket, deleting again is no error, and the API answers for missing bytes as with the local store', async () => {
    const key = keyOf(file.sha256);
    await store.delete(key);
    expect(await objects(key)).toEqual([{ key: `${key}.preview.jpg`, size: expect.any(Number) }]);
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    // The local store's get answers undefined for a missing file too, and the API then says 503 (api/files.ts).
    const gone = await get(file.url);
    expect(gone.statusCode).toBe(503);
    expect(gone.json().error).toMatch(/not in the file store/);
    expect((await get(file.previewUrl)).statusCode).toBe(200);
    expect((await get('/v1/files/no-such-file')).statusCode).toBe(404);
  });
});

describe('a file store that cannot be used stops the start', () => {
  it('When the secret is wrong, then the start fails naming the key id and what to check, never the secret', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const e = await startFailure({ FILES_S3_SECRET_ACCESS_KEY: wrong });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/bucket "bangnong-files" at http:\/\/127\.0\.0\.1:\d+, refused access \(403\): check FILES_S3_ACCESS_KEY_ID \(bangnong\) and FILES_S3_SECRET_ACCESS_KEY/);
    expect(e.message).not.toContain(wrong);
  });

  it('When the bucket does not exist, then the start fails saying to create it or fix FILES_S3_BUCKET', async () => {
    const e = await startFailure({ FILES_S3_BUCKET: 'no-such-bucket' });
    expect(e.message).toMatch(/bucket "no-such-bucket" .* does not exist: create the bucket, or fix FILES_S3_BUCKET/);
  });

  it('When nothing answers at the endpoint, then the start fails saying to check FILES_S3_ENDPOINT', async () => {
    const e = await startFailure({ FILES_S3_ENDPOINT: 'http://127.0.0.1:9' });
    expect(e.message).toMatch(/cannot be reached \(ECONNREFUSED\): check FILES_S3_ENDPOINT/);
  });

  it('When the settings are half there, then loading them fails saying what to set', () => {
    const base = { DATA_DIR: minioDir };
    expect(() => loadConfig({ ...base, FILES_S3_ENDPOINT: 'http://minio:9000', FILES_S3_ACCESS_KEY_ID: 'k' })).toThrow(
      /FILES_S3_ENDPOINT, FILES_S3_ACCESS_KEY_ID are set but FILES_S3_BUCKET is not/,
    );
    expect(() => loadConfig({ ...base, FILES_S3_BUCKET: BUCKET, FILES_S3_ACCESS_KEY_ID: 'k' })).toThrow(/set FILES_S3_ACCESS_KEY_ID and FILES_S3_SECRET_ACCESS_KEY together/);
    expect(() => loadConfig({ ...base, FILES_S3_BUCKET: BUCKET, FILES_S3_SECRET_ACCESS_KEY: 'shh-secret' })).toThrow(/only the secret is set/);
    expect(() => loadConfig({ ...base, FILES_S3_BUCKET: BUCKET, FILES_S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(/FILES_S3_FORCE_PATH_STYLE/);
    // Without a bucket, the local store.
    expect(fileSettings(loadConfig(base)).s3).toBeUndefined();
    expect(fileSettings(loadConfig({ ...base, ...s3Env() })).s3).toMatchObject({ bucket: BUCKET, region: 'us-east-1', forcePathStyle: true });
  });
});
