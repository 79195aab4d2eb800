// What the use cases run on — Postgres, Temporal, the policy, the organisation — decorated on the
// instance as `app.services`, so a route hands it to the use case it calls and never reaches for a
// connection itself. The connections belong to whoever built the app (api/server.ts, the tests), which
// closes them.

import fp from 'fastify-plugin';
import type { CaseServiceDeps } from '../cases.js';
import { Dispatcher } from '../dispatch.js';
import { type DispatchPolicy, loadDispatchPolicy } from '../../platform/dispatch-policy.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: CaseServiceDeps;
  }
}

export type ServicesOptions = Omit<CaseServiceDeps, 'log' | 'dispatcher'> & {
  /** Smart dispatch's policy (DISPATCH_POLICY_FILE); unset, read from policy/dispatch.json (a bad file stops the start). */
  dispatchPolicy?: DispatchPolicy;
};

export default fp<ServicesOptions>(
  async (app, { db, temporal, taskQueue, policy, org, actionTimeoutMs, dispatchPolicy }) => {
    const dispatcher = new Dispatcher(db, org, dispatchPolicy ?? loadDispatchPolicy(), app.log);
    await dispatcher.reloadLessons();
    app.decorate('services', { db, temporal, taskQueue, policy, org, actionTimeoutMs, dispatcher, log: app.log });
  },
  { name: 'services' },
);
