// Statistics: counts and times of the cases filed in a period, by one dimension, within the caller's unit.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorAnswers } from '../../schemas.js';
import { statsFor } from '../../stats.js';
import { statsQuerySchema, statsSchema } from './schemas.js';

const stats: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/stats',
    {
      config: { access: 'stats.read' },
      schema: {
        operationId: 'getStats',
        tags: ['statistics'],
        summary: 'Counts and times of cases filed in a period, by one dimension',
        description: 'overdue: stage deadline passed now; resolvedAtSquad: resolved without escalation; avgHoursToResolution: filing to resolution.',
        querystring: statsQuerySchema,
        response: { 200: statsSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'One group per value of the dimension, largest first.' },
      },
    },
    async (request) => statsFor(app.services, request.principal!, request.query),
  );
};

export default stats;
