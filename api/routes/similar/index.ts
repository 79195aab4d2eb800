// A case's possible duplicates, for the desk deciding whether a complaint is one it has seen before.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readerOf } from '../../cases.js';
import { errorAnswers, caseParams, noQuery } from '../../schemas.js';
import { MAX_SIMILAR, similarCases } from '../../similar.js';
import { similarListSchema } from './schemas.js';

const similar: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/cases/:id/similar',
    {
      config: { access: 'case.read' },
      schema: {
        operationId: 'listSimilarCases',
        tags: ['cases'],
        summary: 'Possible duplicates of a case',
        description: `Open cases, and cases filed in the last 30 days, at the same workstation, squad, or district and street whose title and description are alike (character bigrams), best first, at most ${MAX_SIMILAR}; never the case itself. Only cases the caller may list, each shown as the list shows it.`,
        params: caseParams,
        querystring: noQuery,
        response: { 200: similarListSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'The possible duplicates, most alike first; none is an empty list.' },
      },
    },
    async (request) => ({ similar: await similarCases(app.services, readerOf(request), request.params.id) }),
  );
};

export default similar;
