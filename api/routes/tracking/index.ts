// The citizen's routes: follow a case by its tracking code, rate the answer, and add information — text and
// photos — without a key. The tracking code is the citizen's key to the case.

import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { HttpError } from '../../errors.js';
import type { FileServiceDeps } from '../../files.js';
import { bodyLimits, errorAnswers, noQuery } from '../../schemas.js';
import { rateCase, supplementCase, trackCase, uploadCitizenFile } from '../../tracking.js';
import { type FileSettings, fileSettings, loadConfig } from '../../../platform/config.js';
import { type FileStore, S3FileStore, openFileStore } from '../../../platform/storage.js';
import { uploadBody } from '../files/schemas.js';
import { citizenFileSchema, publicCaseSchema, ratedSchema, ratingBodySchema, supplementBodySchema, trackParams } from './schemas.js';

export interface TrackingRouteOptions {
  /** Where the citizen's files are kept; by default the store FILES_S3_BUCKET or FILES_DIR names, as for staff uploads. */
  store?: FileStore;
  limits?: Pick<FileSettings, 'maxBytes' | 'maxVideoBytes'>;
}

/** 5,000 characters at 6 bytes each (JSON's \uXXXX) and ten file ids, rounded up to 16 KiB steps: 48 KiB. */
const SUPPLEMENT_BODY_LIMIT = 48 * 1024;

const tracking: FastifyPluginAsyncZod<TrackingRouteOptions> = async (app, options) => {
  app.get(
    '/v1/track/:trackingCode',
    {
      config: { public: true },
      schema: {
        operationId: 'trackCase',
        tags: ['citizen'],
        summary: 'Follow a case by its tracking code (no personal data)',
        params: trackParams,
        querystring: noQuery,
        response: { 200: publicCaseSchema, ...errorAnswers(400, 404, 503) },
        answers: {
          200: 'Where the case stands, its current deadline, the answer, whether it takes a rating or more information, and its timeline.',
          404: 'No case with this tracking code.',
        },
      },
    },
    async (request) => trackCase(app.services, request.params.trackingCode),
  );

  app.post(
    '/v1/track/:trackingCode/rating',
    {
      config: { public: true },
      bodyLimit: bodyLimits.rating,
      schema: {
        operationId: 'rateCase',
        tags: ['citizen'],
        summary: 'Rate the answer to a case',
        params: trackParams,
        querystring: noQuery,
        body: ratingBodySchema,
        response: { 200: ratedSchema, ...errorAnswers(400, 404, 409, 500, 503) },
        answers: {
          200: 'The rating, recorded.',
          404: 'No case with this tracking code.',
          409: 'The case takes no rating now: `state` is where it stands, `allowed` what it takes there.',
        },
      },
    },
    async (request) => rateCase(app.services, request.params.trackingCode, request.body),
  );

  app.post(
    '/v1/track/:trackingCode/supplement',
    {
      config: { public: true },
      bodyLimit: SUPPLEMENT_BODY_LIMIT,
      schema: {
        operationId: 'supplementCaseByCitizen',
        tags: ['citizen'],
        summary: 'Add information to a case: text and photos',
        description:
          'The `supplement` action, taken as the citizen. Photos go first to `POST /v1/track/{trackingCode}/files`; name them here as `{fileId}`. ' +
          'Answers what `GET /v1/track/{trackingCode}` shows after it.',
        params: trackParams,
        querystring: noQuery,
        body: supplementBodySchema,
        response: { 200: publicCaseSchema, ...errorAnswers(400, 404, 409, 500, 503) },
        answers: {
          200: 'The information, added: the case as the tracking page shows it now.',
          400: 'No text and no attachment, a file not uploaded with this tracking code, or an unknown field.',
          404: 'No case with this tracking code.',
          409: 'The case is closed and takes no more information, or has reached its cap of supplements: `state` is where it stands.',
        },
      },
    },
    async (request) => supplementCase(app.services, request.params.trackingCode, request.body),
  );

  // Uploads in a context of their own: multipart bodies are taken by this route only.
  await app.register(async (context) => {
    const uploads = context.withTypeProvider<ZodTypeProvider>();
    const settings = options.store && options.limits ? undefined : fileSettings(loadConfig());
    const store = options.store ?? (await openFileStore(settings!));
    if (store instanceof S3FileStore && !options.store) uploads.addHook('onClose', async () => store.close());
    const limits = options.limits ?? { maxBytes: settings!.maxBytes, maxVideoBytes: settings!.maxVideoBytes };
    const deps = (): FileServiceDeps => ({ ...app.services, store, limits });
    await uploads.register(multipart, { limits: { fileSize: Math.max(limits.maxBytes, limits.maxVideoBytes), files: 1, fields: 0, parts: 1 }, throwFileSizeLimit: false });

    uploads.post(
      '/v1/track/:trackingCode/files',
      {
        config: { public: true },
        bodyLimit: 16_384,
        preValidation: async (request) => {
          if (!request.isMultipart()) {
            throw new HttpError(415, `upload the file as multipart/form-data, in a part named "file", not ${request.headers['content-type'] ?? 'no body'}`);
          }
        },
        schema: {
          operationId: 'uploadCitizenFile',
          tags: ['citizen'],
          summary: 'Upload a photo for a case, by its tracking code',
          description:
            'multipart/form-data, the file in a part named `file`: a photo (JPEG, PNG, WebP), a PDF or an MP4 video, its type read from its bytes, at most FILE_MAX_BYTES ' +
            '(FILE_MAX_VIDEO_BYTES for a video). A case takes at most 20 files from the citizen, and none once closed. The file joins the case when a supplement names it.',
          consumes: ['multipart/form-data'],
          params: trackParams,
          querystring: noQuery,
          body: uploadBody,
          response: { 200: citizenFileSchema, 201: citizenFileSchema, ...errorAnswers(400, 404, 409, 503) },
          answers: {
            200: 'The same bytes were uploaded with this tracking code before: that file.',
            201: 'The file, kept: name it in a supplement.',
            404: 'No case with this tracking code.',
            409: 'The case is closed, or already has the 20 files a citizen may add.',
            413: 'The file is larger than a case takes: `error` gives the limit for its type.',
            415: 'The body is not multipart/form-data, or the file is not of a type a case takes: `error` lists them.',
          },
        },
      },
      async (request, reply) => {
        const { created, file } = await uploadCitizenFile(deps(), request.params.trackingCode, await request.file());
        return reply.code(created ? 201 : 200).send(file);
      },
    );
  });
};

export default tracking;
