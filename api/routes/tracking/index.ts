// The citizen's routes: follow a case by its tracking code and rate the answer, without a key.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bodyLimits, errorAnswers, noQuery } from '../../schemas.js';
import { rateCase, trackCase } from '../../tracking.js';
import { publicCaseSchema, ratedSchema, ratingBodySchema, trackParams } from './schemas.js';

const tracking: FastifyPluginAsyncZod = async (app) => {
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
        answers: { 200: 'Where the case stands, the answer, and its timeline.', 404: 'No case with this tracking code.' },
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
};

export default tracking;
