// Workstation duties: an officer logs a liaison visit and adds its photos; the log, each workstation's
// week and each squad's month against the thresholds, and the shortfalls the schedules found.

import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type FileSettings, fileSettings, loadConfig } from '../../../platform/config.js';
import { type DutiesPolicy, loadDutiesPolicy } from '../../../platform/duties-policy.js';
import { type FileStore, S3FileStore, openFileStore } from '../../../platform/storage.js';
import { type DutyServiceDeps, MAX_VISIT_PHOTOS, addPhoto, compliance, listVisits, logVisit, photoBytes, readVisit, shortfalls } from '../../duties.js';
import { HttpError } from '../../errors.js';
import { contentDisposition } from '../../files.js';
import { errorAnswers, errorSchema, idempotencyHeader, noQuery } from '../../schemas.js';
import {
  complianceQuerySchema,
  complianceSchema,
  photoBytesAnswer,
  photoParams,
  photoPreviewAnswer,
  photoSchema,
  photoUploadBody,
  shortfallListSchema,
  shortfallQuerySchema,
  visitInputSchema,
  visitListQuerySchema,
  visitListSchema,
  visitParams,
  visitSchema,
} from './schemas.js';

export interface DutyRouteOptions {
  /** The thresholds (policy/duties.json); by default DUTIES_POLICY_FILE, read and checked now: a bad file stops the start. */
  policy?: DutiesPolicy;
  /** Where photos' bytes are kept and how large one may be; by default the files' store and limits (FILES_*). */
  store?: FileStore;
  limits?: Pick<FileSettings, 'maxBytes' | 'maxVideoBytes'>;
}

const duties: FastifyPluginAsyncZod<DutyRouteOptions> = async (app, options) => {
  const config = options.policy && options.store && options.limits ? undefined : loadConfig();
  const policy = options.policy ?? loadDutiesPolicy(config!.DUTIES_POLICY_FILE);
  const settings = options.store && options.limits ? undefined : fileSettings(config!);
  const store = options.store ?? (await openFileStore(settings!));
  if (store instanceof S3FileStore && !options.store) app.addHook('onClose', async () => store.close());
  const limits = options.limits ?? { maxBytes: settings!.maxBytes, maxVideoBytes: settings!.maxVideoBytes };
  const deps = (): DutyServiceDeps => ({ ...app.services, duties: policy, store, limits });

  app.post(
    '/v1/duty-visits',
    {
      config: { access: 'duty.log' },
      bodyLimit: 16_384,
      schema: {
        operationId: 'logDutyVisit',
        tags: ['duties'],
        summary: 'Log a liaison visit to a workstation (网上勤务日志)',
        description:
          'An officer of the workstation\'s squad records a visit: when, and what was done. Its photos follow, one request each (`POST /v1/duty-visits/{id}/photos`). ' +
          'Send Idempotency-Key: the same key from the same officer answers the visit logged before (200), so a retry is one visit.',
        querystring: noQuery,
        headers: idempotencyHeader,
        body: visitInputSchema,
        response: { 200: visitSchema, 201: visitSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: {
          200: 'A visit logged before with the same Idempotency-Key: nothing new was recorded.',
          201: 'The visit, recorded.',
          400: 'A field is wrong, named in `issues`: an unknown workstation or activity, an end before the start, a visit over 12 hours, or one ending in the future.',
        },
      },
    },
    async (request, reply) => {
      const { created, visit } = await logVisit(deps(), request.principal!, request.body, request.headers['idempotency-key']);
      return reply.code(created ? 201 : 200).send(visit);
    },
  );

  app.get(
    '/v1/duty-visits',
    {
      config: { access: 'duty.read' },
      schema: {
        operationId: 'listDutyVisits',
        tags: ['duties'],
        summary: 'The duty log: visits, newest first',
        description: "Visits at the workstations of the caller's unit and below (an officer's squad, a supervisor's unit), keyset-paged: pass the `next` of a page as `cursor`.",
        querystring: visitListQuerySchema,
        response: { 200: visitListSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'A page of visits; `next` is there when more follow.' },
      },
    },
    async (request) => listVisits(deps(), request.principal!, request.query),
  );

  app.get(
    '/v1/duty-visits/:id',
    {
      config: { access: 'duty.read' },
      schema: {
        operationId: 'getDutyVisit',
        tags: ['duties'],
        summary: 'One logged visit, with its photos',
        params: visitParams,
        querystring: noQuery,
        response: { 200: visitSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'The visit.', 404: 'No such visit.' },
      },
    },
    async (request) => readVisit(deps(), request.params.id, request.principal!),
  );

  app.get(
    '/v1/duty-compliance',
    {
      config: { access: 'duty.read' },
      schema: {
        operationId: 'getDutyCompliance',
        tags: ['duties'],
        summary: "Each workstation's week and each squad's month against the duty thresholds",
        description:
          'Per workstation: visits and minutes in the Asia/Shanghai week (Monday 00:00 to Monday 00:00, +08:00; a visit counts in the week it started), or in each week of the month, and whether it complies (policy/duties.json `weekly`). ' +
          'Per squad hosting a workstation: publicity items released in the month and not taken down in it, and whether it complies (`monthly`). `week` or `month`, not both; by default this week.',
        querystring: complianceQuerySchema,
        response: { 200: complianceSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'The weeks and month counted, and each workstation and squad in the unit.' },
      },
    },
    async (request) => compliance(deps(), request.principal!, request.query),
  );

  app.get(
    '/v1/duty-shortfalls',
    {
      config: { access: 'duty.read' },
      schema: {
        operationId: 'listDutyShortfalls',
        tags: ['duties'],
        summary: 'What the duty schedules found short, the latest period first',
        description:
          '`weekly_visits`: a workstation without its visits in a week; `monthly_publicity`: a squad without its released publicity in a month. Recorded by the schedules (or a backfill), once per kind, subject and period; each was told to the squad\'s supervisors.',
        querystring: shortfallQuerySchema,
        response: { 200: shortfallListSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'A page of shortfalls; `next` is there when more follow.' },
      },
    },
    async (request) => shortfalls(deps(), request.principal!, request.query),
  );

  // Photos: multipart bodies for the upload alone, in a scope of its own — every other route takes JSON only.
  const photoRoutes: FastifyPluginAsyncZod = async (photos) => {
    await photos.register(multipart, { limits: { fileSize: limits.maxBytes, files: 1, fields: 0, parts: 1 }, throwFileSizeLimit: false });

    photos.post(
      '/v1/duty-visits/:id/photos',
      {
        config: { access: 'duty.log' },
        bodyLimit: 16_384,
        preValidation: async (request) => {
          if (!request.isMultipart()) {
            throw new HttpError(415, `upload the photo as multipart/form-data, in a part named "file", not ${request.headers['content-type'] ?? 'no body'}`);
          }
        },
        schema: {
          operationId: 'addDutyVisitPhoto',
          tags: ['duties'],
          summary: 'Add a photo to a logged visit',
          description: `multipart/form-data, the photo in a part named \`file\`: JPEG, PNG or WebP, told by its bytes. Only the officer who logged the visit; at most ${MAX_VISIT_PHOTOS} photos a visit. The same bytes again answer the photo added before.`,
          consumes: ['multipart/form-data'],
          params: visitParams,
          querystring: noQuery,
          body: photoUploadBody,
          response: { 200: photoSchema, 201: photoSchema, 409: errorSchema, ...errorAnswers(400, 401, 403, 404, 503) },
          answers: {
            200: 'These bytes were added to the visit before: that photo.',
            201: 'The photo, kept.',
            403: 'Not the officer who logged the visit, or a visit outside the caller\'s unit.',
            404: 'No such visit.',
            409: `The visit has its ${MAX_VISIT_PHOTOS} photos already.`,
            413: 'The photo is larger than FILE_MAX_BYTES.',
            415: 'Not multipart/form-data, or not a photo.',
          },
        },
      },
      async (request, reply) => {
        const { created, photo } = await addPhoto(deps(), request.params.id, request.principal!, await request.file());
        return reply.code(created ? 201 : 200).send(photo);
      },
    );
  };
  await app.register(photoRoutes);

  const sendPhoto = async (reply: FastifyReply, photo: Awaited<ReturnType<typeof photoBytes>>) => {
    reply
      .type(photo.type)
      .header('content-disposition', contentDisposition('inline', photo.name))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, max-age=3600');
    if (photo.size !== undefined) reply.header('content-length', photo.size);
    return reply.send(photo.body);
  };

  app.get(
    '/v1/duty-visits/:id/photos/:photoId',
    {
      config: { access: 'duty.read' },
      schema: {
        operationId: 'getDutyVisitPhoto',
        tags: ['duties'],
        summary: "A visit's photo",
        params: photoParams,
        querystring: noQuery,
        response: { 200: photoBytesAnswer, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: photoBytesAnswer.description, 404: 'No such visit or photo.' },
      },
    },
    async (request, reply) => sendPhoto(reply, await photoBytes(deps(), request.params.id, request.params.photoId, request.principal!, false)),
  );

  app.get(
    '/v1/duty-visits/:id/photos/:photoId/preview',
    {
      config: { access: 'duty.read' },
      schema: {
        operationId: 'getDutyVisitPhotoPreview',
        tags: ['duties'],
        summary: "A visit's photo, made smaller for viewing",
        params: photoParams,
        querystring: noQuery,
        response: { 200: photoPreviewAnswer, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: photoPreviewAnswer.description, 404: 'No such visit or photo.' },
      },
    },
    async (request, reply) => sendPhoto(reply, await photoBytes(deps(), request.params.id, request.params.photoId, request.principal!, true)),
  );
};

export default duties;
