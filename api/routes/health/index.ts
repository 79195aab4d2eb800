// Liveness and readiness, for load balancers and orchestrators; open, and not in the API description.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readiness } from '../../health.js';

const health: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const { ready, postgres, temporal } = await readiness(app.services);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', postgres, temporal });
  });
};

export default health;
