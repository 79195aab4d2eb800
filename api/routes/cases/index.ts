// Cases: file one, list them, read one and its timeline.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { caseTimeline, fileCase, present, readerOf, showCases, visibleCase } from '../../cases.js';
import { listCasesFor } from '../../lists.js';
import { EXPORT_MAX_ROWS, casesCsv, csvAnswer, sendCsv } from '../../exports.js';
import { bodyLimits, caseParams, caseSchema, errorAnswers, idempotencyHeader, intakeSchema, noQuery } from '../../schemas.js';
import { caseListSchema, exportQuerySchema, listQuerySchema, timelineSchema } from './schemas.js';

const cases: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/cases',
    {
      config: { access: 'case.file' },
      bodyLimit: bodyLimits.intake,
      schema: {
        operationId: 'fileCase',
        tags: ['cases'],
        summary: 'File a complaint (intake)',
        description:
          'Answers once the case is in the read model, so every read after it finds the case. The same `channel` + `externalId` (or, for a channel without ids, the same Idempotency-Key from the same key holder) is the same case.',
        querystring: noQuery,
        headers: idempotencyHeader,
        body: intakeSchema,
        response: { 200: caseSchema, 201: caseSchema, ...errorAnswers(400, 401, 403, 500, 503) },
        answers: {
          200: 'The case filed before with the same channel and externalId (or Idempotency-Key): nothing new was started.',
          201: 'The case, filed now and in the read model.',
          503: 'Postgres or Temporal is unavailable (nothing was started), or the case is not yet recorded: retry with the same externalId or Idempotency-Key.',
        },
      },
    },
    async (request, reply) => {
      const { created, view } = await fileCase(app.services, request.body, request.principal!, request.headers['idempotency-key']);
      if (created) return reply.code(201).send(present(view, request.principal));
      // Filed before: the answer is a read of that case.
      const [body] = await showCases(app.services, readerOf(request), 'case.file', [view]);
      return reply.code(200).send(body!);
    },
  );

  app.get(
    '/v1/cases',
    {
      config: { access: 'case.list' },
      schema: {
        operationId: 'listCases',
        tags: ['cases'],
        summary: 'List cases, most overdue first',
        description: 'Keyset-paged: pass the `next` of a page as `cursor` for the one after it. Below the city, only the cases of the caller\'s unit.',
        querystring: listQuerySchema,
        response: { 200: caseListSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'A page of cases; `next` is there when more follow.' },
      },
    },
    async (request) => listCasesFor(app.services, readerOf(request), request.query),
  );

  app.get(
    '/v1/cases.csv',
    {
      config: { access: 'case.list' },
      schema: {
        operationId: 'exportCases',
        tags: ['cases'],
        summary: 'Every case the list would show, as CSV',
        description: `The list's filters, without paging: every matching case, most overdue first, each as the list shows it (citizens masked where the list masks them). At most ${EXPORT_MAX_ROWS.toLocaleString('en')} cases: a wider filter answers 400.`,
        produces: ['text/csv'],
        querystring: exportQuerySchema,
        response: { 200: csvAnswer, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'The cases, one per row, in the language asked for.' },
      },
    },
    async (request, reply) => {
      const { lang, ...filter } = request.query;
      return sendCsv(reply, await casesCsv(app.services, readerOf(request), filter, lang));
    },
  );

  app.get(
    '/v1/cases/:id',
    {
      config: { access: 'case.read' },
      schema: {
        operationId: 'getCase',
        tags: ['cases'],
        summary: 'A case as it stands',
        params: caseParams,
        querystring: noQuery,
        response: { 200: caseSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'The case, with the actions its state allows.' },
      },
    },
    async (request) => {
      const [body] = await showCases(app.services, readerOf(request), 'case.read', [await visibleCase(app.services, request.params.id, request.principal!)]);
      return body!;
    },
  );

  app.get(
    '/v1/cases/:id/events',
    {
      config: { access: 'case.read' },
      schema: {
        operationId: 'listCaseEvents',
        tags: ['cases'],
        summary: 'The timeline of a case',
        params: caseParams,
        querystring: noQuery,
        response: { 200: timelineSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'Every transition of the case, in order.' },
      },
    },
    async (request) => ({ events: await caseTimeline(app.services, request.params.id, readerOf(request)) }),
  );
};

export default cases;
