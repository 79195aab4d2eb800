// The organisation: the unit tree and the community workstations, served from the in-memory directory.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { noQuery } from '../../schemas.js';
import { unitListSchema, workstationListSchema, workstationQuerySchema } from './schemas.js';

const org: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/units',
    {
      schema: {
        tags: ['organisation'],
        summary: 'The unit tree',
        querystring: noQuery,
        response: { 200: unitListSchema },
      },
    },
    async () => ({ units: app.services.org.allUnits() }),
  );

  app.get(
    '/v1/workstations',
    {
      schema: {
        tags: ['organisation'],
        summary: 'Community workstations',
        querystring: workstationQuerySchema,
        response: { 200: workstationListSchema },
      },
    },
    async (request) => ({ workstations: app.services.org.workstations(request.query) }),
  );
};

export default org;
