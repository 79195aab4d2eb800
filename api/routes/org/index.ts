// The organisation: the unit tree and the community workstations, served from the in-memory directory.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorAnswers, noQuery } from '../../schemas.js';
import { officersIn } from '../../org.js';
import { officerListSchema, officerQuerySchema, unitListSchema, workstationListSchema, workstationQuerySchema } from './schemas.js';

const org: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/units',
    {
      config: { access: 'org.read' },
      schema: {
        operationId: 'listUnits',
        tags: ['organisation'],
        summary: 'The unit tree',
        querystring: noQuery,
        response: { 200: unitListSchema, ...errorAnswers(400, 401, 503) },
        answers: { 200: 'Every unit — the city, the districts, the squads — in tree order.' },
      },
    },
    async () => ({ units: app.services.org.allUnits() }),
  );

  app.get(
    '/v1/workstations',
    {
      config: { access: 'org.read' },
      schema: {
        operationId: 'listWorkstations',
        tags: ['organisation'],
        summary: 'Community workstations',
        querystring: workstationQuerySchema,
        response: { 200: workstationListSchema, ...errorAnswers(400, 401, 503) },
        answers: { 200: 'The workstations in the district and street asked for, in pilot order.' },
      },
    },
    async (request) => ({ workstations: app.services.org.workstations(request.query) }),
  );

  app.get(
    '/v1/officers',
    {
      config: { access: 'org.read' },
      schema: {
        operationId: 'listOfficers',
        tags: ['organisation'],
        summary: 'Officers by name: who a case can be assigned to',
        description: 'The principals with the officer role in a unit and below it, whose keys are not revoked: the names the console shows for `assignedOfficerId`, and the choice when a supervisor assigns a case to a person.',
        querystring: officerQuerySchema,
        response: { 200: officerListSchema, ...errorAnswers(400, 401, 503) },
        answers: { 200: 'The officers, by unit then name.' },
      },
    },
    async (request) => ({ officers: await officersIn(app.services, request.query.unit) }),
  );
};

export default org;
