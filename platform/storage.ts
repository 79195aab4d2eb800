// Where the bytes of uploaded files are kept, behind one small interface: the API streams an upload to a
// scratch file, then hands it to the store under a key of its own choosing (content-addressed, so the same
// bytes are kept once), and reads it back as a stream. The local store below keeps them under a directory
// (DATA_DIR/files by default); another store (an S3-compatible bucket) implements the same four methods.

import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ConfigError, type FileSettings, type S3Settings } from './config.js';

/** A byte range of a stored file, both ends included (as HTTP's Range header counts them). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface FileStore {
  /** A directory for uploads in progress; its files are handed to `put`, which consumes them. */
  readonly scratchDir: string;
  /** Keeps the file at `localPath` under `key`, consuming it. A key already kept keeps its bytes (same key, same bytes). */
  put(key: string, localPath: string): Promise<void>;
  /** The bytes under `key` (or a range of them), or undefined when none are kept there. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** Forgets `key`; nothing kept there is not an error. */
  delete(key: string): Promise<void>;
}

/** A key is a relative path of safe segments: the store never leaves its directory. */
const KEY = /^[a-z0-9]+(?:[/.][a-z0-9]+)*$/;

export class LocalFileStore implements FileStore {
  readonly scratchDir: string;

  constructor(readonly dir: string) {
    this.scratchDir = path.join(dir, '.incoming');
  }

  /** Makes the directories; call once before use. */
  async open(): Promise<this> {
    await mkdir(this.scratchDir, { recursive: true });
    return this;
  }

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a storage key: ${JSON.stringify(key)}`);
    return path.join(this.dir, key);
  }

  async put(key: string, localPath: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    // A rename within one file system is atomic: a reader sees the whole file or none. Two uploads of the
    // same bytes may race here; either one's file is the same file.
    await rename(localPath, target);
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const file = this.pathOf(key);
    try {
      await stat(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** How long the start-up check waits for the bucket to answer: less than Fastify's 10 s for a plugin. */
const REACH_TIMEOUT_MS = 8_000;

/**
 * An S3-compatible bucket (AWS S3, MinIO, Ceph, most clouds' object stores), under the same keys as the local
 * store. An upload is one PutObject streamed from the scratch file with its length: a single PUT takes up to
 * 5 GiB, far above the largest video a case takes (FILE_MAX_VIDEO_BYTES), so no multipart upload.
 */
export class S3FileStore implements FileStore {
  readonly scratchDir: string;
  readonly client: S3Client;
  readonly bucket: string;
  private readonly where: string;

  constructor(
    private readonly settings: S3Settings,
    /** A local directory for uploads in progress, before they are sent to the bucket. */
    scratchDir: string,
  ) {
    this.scratchDir = scratchDir;
    this.bucket = settings.bucket;
    this.where = `bucket "${settings.bucket}" at ${settings.endpoint ?? `AWS S3 (${settings.region})`}`;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Checksums only where an operation requires them: many S3-compatible stores refuse the SDK's default
      // aws-chunked uploads with a CRC trailer. The API hashes every upload itself (sha256, its key).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000 },
    });
  }

  /**
   * Makes the scratch directory and checks the bucket answers (HeadBucket) with these credentials, so a
   * misconfiguration stops the process at start, not at the first upload. The message says what to check
   * and never holds the secret.
   */
  async open(): Promise<this> {
    await mkdir(this.scratchDir, { recursive: true });
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(REACH_TIMEOUT_MS) });
    } catch (e) {
      this.client.destroy();
      throw new ConfigError(`Bangnong cannot start: the file store, ${this.where}, ${this.whyUnreachable(e)}`);
    }
    return this;
  }

  private whyUnreachable(e: unknown): string {
    const status = e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined;
    const name = e instanceof Error ? e.name : '';
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    const keyId = this.settings.credentials ? `FILES_S3_ACCESS_KEY_ID (${this.settings.credentials.accessKeyId}) and FILES_S3_SECRET_ACCESS_KEY` : 'the AWS credentials (FILES_S3_ACCESS_KEY_ID and FILES_S3_SECRET_ACCESS_KEY are unset)';
    if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') return 'does not exist: create the bucket, or fix FILES_S3_BUCKET';
    if (status === 403 || status === 401) return `refused access (${status}): check ${keyId}, and that the key may read and write the bucket`;
    if (status === 301 || status === 400) return `answered ${status}: check FILES_S3_REGION (${this.settings.region}) and FILES_S3_FORCE_PATH_STYLE (${this.settings.forcePathStyle})`;
    if (name === 'CredentialsProviderError') return 'has no credentials to use: set FILES_S3_ACCESS_KEY_ID and FILES_S3_SECRET_ACCESS_KEY';
    if (name === 'AbortError' || name === 'TimeoutError') return `did not answer within ${REACH_TIMEOUT_MS / 1000}s: check FILES_S3_ENDPOINT and that the store is running and reachable from here`;
    if (code || status === undefined) {
      return `cannot be reached (${code ?? (e instanceof Error ? e.message : String(e))}): check FILES_S3_ENDPOINT and that the store is running and reachable from here`;
    }
    return `answered ${status} (${name}): check FILES_S3_ENDPOINT, FILES_S3_BUCKET and the credentials`;
  }

  private keyOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a storage key: ${JSON.stringify(key)}`);
    return key;
  }

  async put(key: string, localPath: string): Promise<void> {
    const Key = this.keyOf(key);
    const { size } = await stat(localPath);
    const Body = createReadStream(localPath);
    try {
      // The same key holds the same bytes, so two uploads of them racing here write the same object.
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentLength: size }));
    } finally {
      Body.destroy();
    }
    await rm(localPath, { force: true });
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    try {
      const got = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      return got.Body as Readable;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      // S3 answers 204 for a key that holds nothing; some compatible stores answer 404.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }

  close(): void {
    this.client.destroy();
  }
}

const isMissing = (e: unknown) =>
  e instanceof S3ServiceException && (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata.httpStatusCode === 404);

/** The store the settings name: the bucket when FILES_S3_BUCKET is set (checked to answer), else FILES_DIR. */
export async function openFileStore(settings: FileSettings): Promise<FileStore> {
  if (settings.s3) return new S3FileStore(settings.s3, path.join(settings.dir, '.incoming')).open();
  return new LocalFileStore(settings.dir).open();
}
