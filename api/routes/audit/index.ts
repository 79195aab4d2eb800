// The audit log: every read that showed a citizen's name or phone unmasked.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { auditFor } from '../../audit.js';
import { errorAnswers } from '../../schemas.js';
import { auditQuerySchema, auditSchema } from './schemas.js';

const audit: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        operationId: 'listAuditLog',
        tags: ['audit'],
        summary: "Reads that showed citizens' data unmasked, newest first",
        description: 'Keyset-paged: pass the `next` of a page as `cursor` for the one after it.',
        querystring: auditQuerySchema,
        response: { 200: auditSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'A page of audit entries; `next` is there when more follow.' },
      },
    },
    async (request) => auditFor(app.services, request.principal!, request.query),
  );
};

export default audit;
