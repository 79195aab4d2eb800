// Files: upload one to a case (multipart/form-data), list a case's files, and read a file or its preview —
// only for those who may read its case.

import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type FileServiceDeps, caseFiles, downloadFile, previewFile, uploadFile } from '../../files.js';
import { HttpError } from '../../errors.js';
import { caseParams, errorAnswers, errorSchema, noQuery } from '../../schemas.js';
import { type FileSettings, fileSettings, loadConfig } from '../../../platform/config.js';
import { type FileStore, S3FileStore, openFileStore } from '../../../platform/storage.js';
import { fileBytesAnswer, fileListSchema, fileParams, fileSchema, previewAnswer, uploadBody } from './schemas.js';

export interface FileRouteOptions {
  /** Where the bytes are kept; by default the bucket FILES_S3_BUCKET names, else a local store in FILES_DIR (DATA_DIR/files). */
  store?: FileStore;
  /** How large a file may be; by default FILE_MAX_BYTES and FILE_MAX_VIDEO_BYTES. */
  limits?: Pick<FileSettings, 'maxBytes' | 'maxVideoBytes'>;
}

// Not wrapped in fastify-plugin: multipart bodies are taken by these routes only; every other route still
// takes JSON alone (415 otherwise).
const files: FastifyPluginAsyncZod<FileRouteOptions> = async (app, options) => {
  const settings = options.store && options.limits ? undefined : fileSettings(loadConfig());
  const store = options.store ?? (await openFileStore(settings!));
  if (store instanceof S3FileStore && !options.store) app.addHook('onClose', async () => store.close());
  const limits = options.limits ?? { maxBytes: settings!.maxBytes, maxVideoBytes: settings!.maxVideoBytes };
  const deps = (): FileServiceDeps => ({ ...app.services, store, limits });
  // One file per request, in a part named `file`; the per-type limits are checked as it is read.
  await app.register(multipart, { limits: { fileSize: Math.max(limits.maxBytes, limits.maxVideoBytes), files: 1, fields: 0, parts: 1 }, throwFileSizeLimit: false });

  app.post(
    '/v1/cases/:id/files',
    {
      // Adding a file to a case is adding to it: the roles that may supplement it, where it lies.
      config: { access: 'supplement' },
      bodyLimit: 16_384,
      // Only multipart/form-data is an upload: anything else is refused before its body is looked at.
      preValidation: async (request) => {
        if (!request.isMultipart()) {
          throw new HttpError(415, `upload the file as multipart/form-data, in a part named "file", not ${request.headers['content-type'] ?? 'no body'}`);
        }
      },
      schema: {
        operationId: 'uploadCaseFile',
        tags: ['files'],
        summary: 'Upload a file to a case',
        description:
          'multipart/form-data, the file in a part named `file`: a photo (JPEG, PNG, WebP), a PDF or an MP4 video, its type read from its bytes. ' +
          'The same bytes uploaded again to the same case by the same principal answer the file uploaded before. ' +
          'An action names it as an attachment `{fileId}`.',
        consumes: ['multipart/form-data'],
        params: caseParams,
        querystring: noQuery,
        body: uploadBody,
        response: { 200: fileSchema, 201: fileSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: {
          200: 'The same bytes were uploaded to this case by this principal before: that file.',
          201: 'The file, kept.',
          413: 'The file is larger than a case takes: `error` gives the limit for its type.',
          415: 'The body is not multipart/form-data, or the file is not of a type a case takes: `error` lists them.',
        },
      },
    },
    async (request, reply) => {
      const { created, file } = await uploadFile(deps(), request.params.id, request.principal!, await request.file());
      return reply.code(created ? 201 : 200).send(file);
    },
  );

  app.get(
    '/v1/cases/:id/files',
    {
      config: { access: 'case.read' },
      schema: {
        operationId: 'listCaseFiles',
        tags: ['files'],
        summary: "A case's files, oldest first",
        params: caseParams,
        querystring: noQuery,
        response: { 200: fileListSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'Every file uploaded to the case.' },
      },
    },
    async (request) => ({ files: await caseFiles(deps(), request.params.id, request.principal!) }),
  );

  app.get(
    '/v1/files/:id',
    {
      config: { access: 'case.read' },
      schema: {
        operationId: 'getFile',
        tags: ['files'],
        summary: 'The bytes of a file',
        description: 'Only to a principal who may read the case the file belongs to. A video answers a `Range` request with that part (206).',
        params: fileParams,
        querystring: noQuery,
        response: { 200: fileBytesAnswer, 206: { ...fileBytesAnswer, description: 'The part of a video a `Range` header asked for.' }, 416: errorSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: {
          200: fileBytesAnswer.description,
          206: 'The part of a video a `Range` header asked for.',
          404: 'No such file (or no such case).',
          416: 'The range asked for is not in the file.',
        },
      },
    },
    async (request, reply) => {
      const file = await downloadFile(deps(), request.params.id, request.principal!, request.headers.range);
      reply
        .type(file.type)
        .header('content-length', file.length)
        .header('content-disposition', file.disposition)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=3600');
      if (file.type.startsWith('video/')) reply.header('accept-ranges', 'bytes');
      if (file.range) reply.code(206).header('content-range', `bytes ${file.range.start}-${file.range.end}/${file.size}`);
      // The bytes as they are: no serializer for a stream.
      return (reply as FastifyReply).send(file.body);
    },
  );

  app.get(
    '/v1/files/:id/preview',
    {
      config: { access: 'case.read' },
      schema: {
        operationId: 'getFilePreview',
        tags: ['files'],
        summary: 'An image file resized for viewing',
        description: 'At most 1280 px on its long side, JPEG; made once, on upload. Only images have one.',
        params: fileParams,
        querystring: noQuery,
        response: { 200: previewAnswer, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: previewAnswer.description, 404: 'No such file, or a file that is not an image.' },
      },
    },
    async (request, reply) => {
      const body = await previewFile(deps(), request.params.id, request.principal!);
      return (reply as FastifyReply)
        .type('image/jpeg')
        .header('content-disposition', 'inline')
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=3600')
        .send(body);
    },
  );
};

export default files;
