// Liveness and readiness, for load balancers and orchestrators; open, and not in the API description.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readiness } from '../../health.js';

/** Days before the calendar's end from which /readyz reports it as running out (CALENDAR_WARN_DAYS). */
export interface HealthOptions {
  calendarWarnDays?: number;
}

const health: FastifyPluginAsyncZod<HealthOptions> = async (app, { calendarWarnDays }) => {
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const { ready, postgres, temporal, calendar } = await readiness(app.services, calendarWarnDays);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', postgres, temporal, calendar });
  });
};

export default health;
