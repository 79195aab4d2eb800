// The 12345 hotline pushes its work orders one at a time, in its own shape; the same mapping as the import
// command (`./bangnong import-12345`) makes each a case of channel hotline.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { present, readerOf, showCases } from '../../cases.js';
import { type HotlineMapping, loadHotlineMapping } from '../../../platform/hotline-mapping.js';
import { fileWorkOrder } from '../../hotline.js';
import { bodyLimits, caseSchema, errorAnswers, noQuery } from '../../schemas.js';
import { workOrderSchema } from './schemas.js';

export interface HotlineRouteOptions {
  /** The column mapping; by default policy/hotline-mapping.json, read once here. */
  mapping?: HotlineMapping;
}

const hotline: FastifyPluginAsyncZod<HotlineRouteOptions> = async (app, options) => {
  const mapping = options.mapping ?? loadHotlineMapping();

  app.post(
    '/v1/hotline/work-orders',
    {
      config: { access: 'case.file' },
      bodyLimit: bodyLimits.intake,
      schema: {
        operationId: 'pushHotlineWorkOrder',
        tags: ['cases'],
        summary: 'File one 12345 work order, in the hotline\'s own shape',
        description:
          `The record's columns are mapped to a complaint of channel \`hotline\` as the import command maps an export (\`${mapping.columns.externalId}\` is its externalId, \`${mapping.columns.category ?? 'category'}\` is translated by the mapping's categories). ` +
          'The same work-order number again answers 200 with the same case. Needs an intake key bound to channel hotline, or to none.',
        querystring: noQuery,
        body: workOrderSchema(mapping),
        response: { 200: caseSchema, 201: caseSchema, ...errorAnswers(400, 401, 403, 500, 503) },
        answers: {
          200: 'The case this work order was filed as before: nothing new was started.',
          201: 'The case, filed now and in the read model.',
          400: 'A column is missing, empty where it is required, or holds a value the mapping does not know: `issues` names it as `body.<column>`.',
          403: 'The key may not file cases, or is bound to another channel.',
          503: 'Postgres or Temporal is unavailable (nothing was started): retry with the same record.',
        },
      },
    },
    async (request, reply) => {
      const { created, view } = await fileWorkOrder(app.services, mapping, request.body, request.principal!);
      if (created) return reply.code(201).send(present(view, request.principal));
      const [body] = await showCases(app.services, readerOf(request), 'case.file', [view]);
      return reply.code(200).send(body!);
    },
  );
};

export default hotline;
