// A case's possible duplicates, for the desk deciding whether a complaint is one it has seen before: cases
// alike in words (similar), and open cases of the same category at the same place (duplicates).

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { loadConfig } from '../../../platform/config.js';
import { readerOf } from '../../cases.js';
import { errorAnswers, caseParams, noQuery } from '../../schemas.js';
import { MAX_DUPLICATE_HINTS, MAX_SIMILAR, duplicateHints, similarCases } from '../../similar.js';
import { duplicateHintListSchema, similarListSchema } from './schemas.js';

export interface SimilarRoutesOptions {
  /** How near counts as the same place, in metres; unset, DUPLICATE_RADIUS_M (250 by default). */
  duplicateRadiusM?: number;
}

const similar: FastifyPluginAsyncZod<SimilarRoutesOptions> = async (app, options) => {
  const radiusM = options.duplicateRadiusM ?? loadConfig().DUPLICATE_RADIUS_M;

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

  app.get(
    '/v1/cases/:id/duplicates',
    {
      config: { access: 'case.read' },
      schema: {
        operationId: 'listDuplicateHints',
        tags: ['cases'],
        summary: 'Open cases of the same category at the same place (duplicate hints)',
        description: `What triage is proposed as possible duplicates of a complaint: open cases of its category, filed before it, at the same address once normalised (上海市 and the district, width, 号/弄/室 forms, spaces and punctuation made one) or within radiusM metres (DUPLICATE_RADIUS_M) when both have coordinates; nearest first (the same address as no distance), then oldest, at most ${MAX_DUPLICATE_HINTS}; never the case itself, none for a case without a category. Only cases the caller may list, each shown as the list shows it. Mark one with the action mark_duplicate.`,
        params: caseParams,
        querystring: noQuery,
        response: { 200: duplicateHintListSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'The duplicate hints, nearest first; none is an empty list.' },
      },
    },
    async (request) => ({ radiusM, duplicates: await duplicateHints(app.services, readerOf(request), request.params.id, radiusM) }),
  );
};

export default similar;
