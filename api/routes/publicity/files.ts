// A publicity item's photos and video: uploaded first for the squad whose item will carry them
// (multipart/form-data), then read back through the item, only by those who may read the item. Not wrapped in
// fastify-plugin: multipart bodies are taken by these routes only.

import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type FileSettings, fileSettings, loadConfig } from '../../../platform/config.js';
import { type FileStore, S3FileStore, openFileStore } from '../../../platform/storage.js';
import { HttpError } from '../../errors.js';
import type { FileServiceDeps } from '../../files.js';
import { downloadPublicityFile, previewPublicityFile, uploadPublicityFile } from '../../publicity.js';
import { errorAnswers, errorSchema, noQuery } from '../../schemas.js';
import { fileBytesAnswer, previewAnswer, uploadBody } from '../files/schemas.js';
import { publicityFileParams, publicityUploadQuery, publicityUploadSchema } from './schemas.js';

export interface PublicityFileRouteOptions {
  /** Where the bytes are kept: by default the store the case files use (FILES_S3_BUCKET, else FILES_DIR). */
  store?: FileStore;
  /** How large a file may be; by default FILE_MAX_BYTES (photos) and FILE_MAX_VIDEO_BYTES (video). */
  limits?: Pick<FileSettings, 'maxBytes' | 'maxVideoBytes'>;
}

const publicityFiles: FastifyPluginAsyncZod<PublicityFileRouteOptions> = async (app, options) => {
  const settings = options.store && options.limits ? undefined : fileSettings(loadConfig());
  const store = options.store ?? (await openFileStore(settings!));
  if (store instanceof S3FileStore && !options.store) app.addHook('onClose', async () => store.close());
  const limits = options.limits ?? { maxBytes: settings!.maxBytes, maxVideoBytes: settings!.maxVideoBytes };
  const deps = (): FileServiceDeps => ({ ...app.services, store, limits });
  await app.register(multipart, { limits: { fileSize: Math.max(limits.maxBytes, limits.maxVideoBytes), files: 1, fields: 0, parts: 1 }, throwFileSizeLimit: false });

  app.post(
    '/v1/publicity/files',
    {
      // Uploading for an item is part of submitting it: the same roles, for the squad named.
      config: { access: 'publicity.submit' },
      bodyLimit: 16_384,
      preValidation: async (request) => {
        if (!request.isMultipart()) {
          throw new HttpError(415, `upload the file as multipart/form-data, in a part named "file", not ${request.headers['content-type'] ?? 'no body'}`);
        }
      },
      schema: {
        operationId: 'uploadPublicityFile',
        tags: ['publicity'],
        summary: "Upload a photo or a short video for a squad's publicity item",
        description:
          'multipart/form-data, the file in a part named `file`: a photo (JPEG, PNG, WebP) or an MP4 video, its type read from its bytes, within FILE_MAX_BYTES or FILE_MAX_VIDEO_BYTES. ' +
          'A submission or resubmission for the same squad then names it as `{fileId}`. The same bytes uploaded again by the same key holder for the same squad answer the upload before.',
        consumes: ['multipart/form-data'],
        querystring: publicityUploadQuery,
        body: uploadBody,
        response: { 200: publicityUploadSchema, 201: publicityUploadSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: {
          200: 'The same bytes were uploaded for this squad by this key holder before: that upload.',
          201: 'The file, kept for the squad until an item names it.',
          413: 'The file is larger than its type may be: `error` gives the limit.',
          415: 'The body is not multipart/form-data, or the file is neither a photo nor an MP4 video.',
        },
      },
    },
    async (request, reply) => {
      const { created, file } = await uploadPublicityFile(deps(), request.principal!, request.query.squad, await request.file());
      return reply.code(created ? 201 : 200).send(file);
    },
  );

  app.get(
    '/v1/publicity/:id/files/:fileId',
    {
      config: { access: 'publicity.read' },
      schema: {
        operationId: 'getPublicityFile',
        tags: ['publicity'],
        summary: "The bytes of a publicity item's photo or video",
        description: 'Only to a principal who may read the item, and only a file the item carries. A video answers a `Range` request with that part (206).',
        params: publicityFileParams,
        querystring: noQuery,
        response: { 200: fileBytesAnswer, 206: { ...fileBytesAnswer, description: 'The part of a video a `Range` header asked for.' }, 416: errorSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: {
          200: fileBytesAnswer.description,
          206: 'The part of a video a `Range` header asked for.',
          404: 'No such item, or the item carries no such file.',
          416: 'The range asked for is not in the file.',
        },
      },
    },
    async (request, reply) => {
      const file = await downloadPublicityFile(deps(), request.params.id, request.params.fileId, request.principal!, request.headers.range);
      reply
        .type(file.type)
        .header('content-length', file.length)
        .header('content-disposition', file.disposition)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=3600');
      if (file.type.startsWith('video/')) reply.header('accept-ranges', 'bytes');
      if (file.range) reply.code(206).header('content-range', `bytes ${file.range.start}-${file.range.end}/${file.size}`);
      return (reply as FastifyReply).send(file.body);
    },
  );

  app.get(
    '/v1/publicity/:id/files/:fileId/preview',
    {
      config: { access: 'publicity.read' },
      schema: {
        operationId: 'getPublicityFilePreview',
        tags: ['publicity'],
        summary: "A publicity item's photo resized for viewing",
        description: 'At most 1280 px on its long side, JPEG; made once, on upload. Only photos have one.',
        params: publicityFileParams,
        querystring: noQuery,
        response: { 200: previewAnswer, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: previewAnswer.description, 404: 'No such item or file, or a file that is not a photo.' },
      },
    },
    async (request, reply) => {
      const body = await previewPublicityFile(deps(), request.params.id, request.params.fileId, request.principal!);
      return (reply as FastifyReply)
        .type('image/jpeg')
        .header('content-disposition', 'inline')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=3600')
        .send(body);
    },
  );
};

export default publicityFiles;
