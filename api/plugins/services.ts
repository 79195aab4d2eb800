// What the use cases run on — Postgres, Temporal, the policy, the organisation — decorated on the
// instance as `app.services`, so a route hands it to the use case it calls and never reaches for a
// connection itself. The connections belong to whoever built the app (api/server.ts, the tests), which
// closes them.

import fp from 'fastify-plugin';
import type { CaseServiceDeps } from '../cases.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: CaseServiceDeps;
  }
}

export type ServicesOptions = Omit<CaseServiceDeps, 'log'>;

export default fp<ServicesOptions>(
  async (app, { db, temporal, taskQueue, policy, org, actionTimeoutMs }) => {
    app.decorate('services', { db, temporal, taskQueue, policy, org, actionTimeoutMs, log: app.log });
  },
  { name: 'services' },
);
