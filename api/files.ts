// Files as first-class: a photo, a document or a video uploaded to a case has an id, a checksum, a type, a
// size and an owner, and is served back only to those who may read its case. The type is read from the
// bytes (file-type), never from the name or what the client declares; the name is made a file name, never
// a path; the bytes are kept content-addressed (sha256) in the file store (platform/storage.ts); an image
// gets a copy resized for viewing (sharp), made once, beside the original. An action's attachment may name
// an uploaded file by its id: it must be a file of that case.

import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import type { Principal } from '../db/queries/principals.js';
import { filesOfCase, findUpload, getFileById, listCaseFiles, recordFile } from '../db/queries/files.js';
import type { FileRow } from '../db/schema.js';
import { redactText } from '../domain/privacy.js';
import type { CaseView } from '../domain/case.js';
import type { ByteRange, FileStore } from '../platform/storage.js';
import type { FileSettings } from '../platform/config.js';
import { assertMayOnCase, concealmentFor } from './access.js';
import { type CaseServiceDeps, visibleCase } from './cases.js';
import { HttpError, badRequest, notFound } from './errors.js';
import type { ActionBody } from './schemas.js';

export interface FileServiceDeps extends CaseServiceDeps {
  store: FileStore;
  limits: Pick<FileSettings, 'maxBytes' | 'maxVideoBytes'>;
}

/** The types a case takes, by what the bytes are, with the file name endings each may carry. */
export const FILE_TYPES = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  'video/mp4': ['mp4'],
} as const satisfies Record<string, readonly string[]>;
export type FileType = keyof typeof FILE_TYPES;
const ALLOWED = Object.keys(FILE_TYPES) as FileType[];
const isAllowed = (mime: string | undefined): mime is FileType => mime !== undefined && mime in FILE_TYPES;
const isImage = (type: string) => type.startsWith('image/');
/** Shown inline (a photo, a video); anything else is downloaded. */
export const shownInline = (type: string) => isImage(type) || type.startsWith('video/');

/** How many of the first bytes file-type reads to tell the type. */
const SNIFF_BYTES = 64 * 1024;
/** The long side of an image's preview, in pixels. */
export const PREVIEW_MAX_PX = 1280;
const NAME_MAX = 200;

/** The file as a client sees it. */
export interface FileBody {
  id: string;
  caseId: string;
  name: string;
  type: FileType;
  size: number;
  sha256: string;
  owner: string;
  createdAt: string;
  url: string;
  previewUrl?: string;
}

// Characters a file name never holds: path separators, NUL and the other C0 and C1 controls, DEL, and the
// Unicode controls that reorder or hide text on a screen (a name that reads "photo.jpg" but is not).
const UNSAFE = /[/\\\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A file name, never a path: only what follows the last separator, without control characters, and not
 * `.` or `..`; trimmed to 200 characters, keeping its ending. A name whose ending is not one of its type's
 * gets the right one added, so a download never opens as another kind of file. Chinese is kept as it is.
 */
export function fileNameFor(given: string | undefined, type: FileType): string {
  const endings: readonly string[] = FILE_TYPES[type];
  const last = (given ?? '').split(/[/\\]/).pop() ?? '';
  let name = last.replace(UNSAFE, '').trim().replace(/^\.+/, '').trim();
  if (!name) name = 'file';
  const ending = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  if (!ending || !endings.includes(ending)) name = `${name}.${endings[0]}`;
  const chars = [...name];
  if (chars.length > NAME_MAX) {
    const suffix = `.${/\.([^.]+)$/.exec(name)![1]}`;
    name = chars.slice(0, NAME_MAX - [...suffix].length).join('') + suffix;
  }
  return name;
}

/** The file as `viewer` sees it: its name masked like the case's text for a reader without `citizen.read`. */
export function presentFile(row: FileRow, view: CaseView, viewer: Principal): FileBody {
  const how = concealmentFor(viewer, view);
  const name = how ? redactText(row.name, view.citizen, how) : row.name;
  return {
    id: row.id,
    caseId: row.caseId,
    name,
    type: row.type as FileType,
    size: row.size,
    sha256: row.sha256,
    owner: row.ownerId,
    createdAt: new Date(row.createdAt).toISOString(),
    url: `/v1/files/${row.id}`,
    ...(row.previewKey ? { previewUrl: `/v1/files/${row.id}/preview` } : {}),
  };
}

/** What was received: the bytes in a scratch file, and what they are. */
interface Received {
  scratch: string;
  size: number;
  sha256: string;
  type?: string;
  refusal?: HttpError;
}

const tooLarge = (max: number, what: string) =>
  new HttpError(413, `the file is larger than a case takes: at most ${max} bytes (${(max / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MiB) for ${what}`);
const wrongType = (found: string | undefined) =>
  new HttpError(415, `a case takes ${ALLOWED.join(', ')} files, told by their bytes (not their name or declared type); this file is ${found ?? 'of no type these are'}`);

/**
 * Reads an upload to its end into a scratch file, hashing it on the way and telling its type from its
 * first bytes. A file of a type a case does not take, or larger than its type may be, is refused — but
 * still read to its end, so the client hears the refusal rather than a connection cut mid-upload.
 */
export async function receive(deps: Pick<FileServiceDeps, 'store' | 'limits'>, source: Readable & { truncated?: boolean }): Promise<Received> {
  const { maxBytes, maxVideoBytes } = deps.limits;
  const scratch = path.join(deps.store.scratchDir, `${randomUUID()}.part`);
  const out = createWriteStream(scratch, { flags: 'wx' });
  const written = finished(out);
  written.catch(() => undefined);
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  let type: string | undefined;
  let sniffed = false;
  let refusal: HttpError | undefined;
  const limitFor = (t: string | undefined) => (t?.startsWith('video/') ? maxVideoBytes : maxBytes);
  const sniff = async () => {
    sniffed = true;
    type = (await fileTypeFromBuffer(Buffer.concat(head)))?.mime;
    if (!isAllowed(type)) refusal = wrongType(type);
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (refusal) continue;
      if (!sniffed) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= SNIFF_BYTES) await sniff();
      }
      if (!refusal && size > (sniffed ? limitFor(type) : Math.max(maxBytes, maxVideoBytes))) refusal = tooLarge(limitFor(type), type ?? 'this type');
      if (refusal) continue;
      hash.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve, reject) => out.once('drain', resolve).once('error', reject));
    }
    if (!sniffed && !refusal) await sniff();
    if (!refusal && (source.truncated || size > limitFor(type))) refusal = tooLarge(limitFor(type), type ?? 'this type');
    if (!refusal && size === 0) refusal = badRequest('the file is empty', 'body.file');
    out.end();
    await written;
  } catch (e) {
    out.destroy();
    await rm(scratch, { force: true });
    throw e;
  }
  return { scratch, size, sha256: hash.digest('hex'), type, refusal };
}

/** The key of the bytes, and of an image's preview beside them. */
export const storageKey = (sha256: string) => `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
export const previewKeyOf = (key: string) => `${key}.preview.jpg`;

/** The image resized for viewing — at most 1280 px on its long side, turned upright, as JPEG, no metadata. */
export async function makePreview(original: string, target: string): Promise<void> {
  await sharp(original, { failOn: 'error' })
    .rotate()
    .resize({ width: PREVIEW_MAX_PX, height: PREVIEW_MAX_PX, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 80, mozjpeg: true })
    .toFile(target);
}

/** The part of a multipart upload the route hands over. */
export interface UploadPart {
  fieldname: string;
  filename?: string;
  file: Readable & { truncated?: boolean };
}

/**
 * Uploads a file to a case: the principal must be allowed to read the case and to add to it. Answers
 * `created: false` with the file uploaded before when the same principal sends the same bytes again.
 */
export async function uploadFile(deps: FileServiceDeps, caseId: string, principal: Principal, part: UploadPart | undefined): Promise<{ created: boolean; file: FileBody }> {
  const view = await visibleCase(deps, caseId, principal);
  // Adding to a case is what a supplement is: the same roles, where the case lies.
  assertMayOnCase(principal, 'supplement', view);
  if (!part) throw badRequest('send the file as multipart/form-data, in a part named "file"', 'body.file');
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw badRequest(`the file goes in a part named "file", not "${part.fieldname}"`, 'body.file');
  }
  const got = await receive(deps, part.file);
  const scratchPreview = `${got.scratch}.preview`;
  try {
    if (got.refusal) throw got.refusal;
    const type = got.type as FileType;
    const before = await findUpload(deps.db, { caseId, ownerId: principal.id, sha256: got.sha256 });
    if (before) return { created: false, file: presentFile(before, view, principal) };
    const key = storageKey(got.sha256);
    let previewKey: string | undefined;
    if (isImage(type)) {
      try {
        await makePreview(got.scratch, scratchPreview);
      } catch {
        throw new HttpError(415, `the file's first bytes say ${type}, but it is not an image that can be read: send the photo as it was taken`);
      }
      previewKey = previewKeyOf(key);
      await deps.store.put(previewKey, scratchPreview);
    }
    await deps.store.put(key, got.scratch);
    const { created, file } = await recordFile(deps.db, {
      id: randomUUID(),
      caseId,
      ownerId: principal.id,
      name: fileNameFor(part.filename, type),
      type,
      size: got.size,
      sha256: got.sha256,
      storageKey: key,
      previewKey: previewKey ?? null,
    });
    if (created) deps.log.info({ caseId, fileId: file.id, type, size: file.size, sha256: file.sha256 }, 'file uploaded');
    return { created, file: presentFile(file, view, principal) };
  } finally {
    await Promise.all([rm(got.scratch, { force: true }), rm(scratchPreview, { force: true })]);
  }
}

/** A file and its case, if the principal may read the case (the same 404 and 403 a case read gives). */
async function visibleFile(deps: FileServiceDeps, id: string, principal: Principal): Promise<{ row: FileRow; view: CaseView }> {
  const row = await getFileById(deps.db, { id });
  if (!row) throw notFound(`no file "${id}"`);
  const view = await visibleCase(deps, row.caseId, principal);
  return { row, view };
}

export async function caseFiles(deps: FileServiceDeps, caseId: string, principal: Principal): Promise<FileBody[]> {
  const view = await visibleCase(deps, caseId, principal);
  return (await listCaseFiles(deps.db, { caseId })).map((row) => presentFile(row, view, principal));
}

/** What a download sends: the bytes, and the headers that say what they are. */
export interface Download {
  body: Readable;
  type: string;
  /** The whole file's size, and the range sent when one was asked for. */
  size: number;
  range?: ByteRange;
  length: number;
  disposition: string;
}

/** `inline; filename="…"; filename*=UTF-8''…`: an ASCII name for old clients, the real one for the rest. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`, or undefined for none or one this API does not serve. */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}

export async function downloadFile(deps: FileServiceDeps, id: string, principal: Principal, rangeHeader?: string): Promise<Download> {
  const { row, view } = await visibleFile(deps, id, principal);
  const range = row.type.startsWith('video/') ? parseRange(rangeHeader, row.size) : undefined;
  if (range === 'unsatisfiable') throw new HttpError(416, `the file has ${row.size} bytes: that range is not in it`);
  const body = await deps.store.get(row.storageKey, range);
  if (!body) throw new HttpError(503, `the bytes of file ${row.id} are not in the file store; retry shortly`);
  const name = presentFile(row, view, principal).name;
  return {
    body,
    type: row.type,
    size: row.size,
    range,
    length: range ? range.end - range.start + 1 : row.size,
    disposition: contentDisposition(shownInline(row.type) ? 'inline' : 'attachment', name),
  };
}

export async function previewFile(deps: FileServiceDeps, id: string, principal: Principal): Promise<Readable> {
  const { row } = await visibleFile(deps, id, principal);
  if (!row.previewKey) throw notFound(`file ${row.id} is ${row.type}: only images have a preview`);
  const body = await deps.store.get(row.previewKey);
  if (!body) throw new HttpError(503, `the preview of file ${row.id} is not in the file store; retry shortly`);
  return body;
}

/**
 * An action's attachments that name uploaded files, checked and filled in before the action is sent:
 * each `fileId` must be a file of this case (400 naming `body.attachments.N.fileId` otherwise), and its
 * type (and its name, where the client gave none) come from the file.
 */
export async function withUploadedFiles(deps: Pick<CaseServiceDeps, 'db'>, caseId: string, body: ActionBody): Promise<ActionBody> {
  const attachments = 'attachments' in body ? body.attachments : undefined;
  if (!attachments?.some((a) => a.fileId !== undefined)) return body;
  const ids = [...new Set(attachments.flatMap((a) => (a.fileId === undefined ? [] : [a.fileId])))];
  const found = new Map((await filesOfCase(deps.db, { caseId, ids })).map((f) => [f.id, f]));
  const filled = attachments.map((a, i) => {
    if (a.fileId === undefined) return a;
    const file = found.get(a.fileId);
    if (!file) throw badRequest(`no file "${a.fileId}" of case ${caseId}: upload it with POST /v1/cases/${caseId}/files first`, `body.attachments.${i}.fileId`);
    return { fileId: file.id, name: a.name ?? file.name, contentType: file.type };
  });
  return { ...body, attachments: filled } as ActionBody;
}
