// Who may call each route: every route that is not public names the operation of the authorisation table
// (domain/access.ts) it performs, as `config: { access }` — a function of the request where the body
// decides (an action's type). A role the table never allows that operation is refused here, before the
// handler runs; where the case or unit lies is checked by the use case that finds it (api/access.ts), and
// for actions by the case's workflow. A route that names no operation stops the app from starting, so
// none escapes the table. The API description says, route by route, who may.

import type { RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ACCESS, type Operation, mayEver, refusal } from '../../domain/access.js';
import { HttpError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The operation of the authorisation table this route performs. */
    access?: Operation | ((request: FastifyRequest) => Operation);
  }
}

/** "desk (own, below) · intake (anywhere)": the table's row for an operation, as the docs show it. */
export function whoMay(operation: Operation): string {
  return Object.entries(ACCESS[operation])
    .map(([role, relations]) => `${role} (${relations.length === 4 ? 'anywhere' : relations.join(', ')})`)
    .join(' · ');
}

export default fp(
  async (app) => {
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (route) => {
      routes.push(route);
      const access = route.config?.access;
      if (typeof access === 'string' && route.schema) {
        const who = `Who may (role, and where the case or unit lies relative to the caller's unit): ${whoMay(access)}.`;
        // A GET's automatic HEAD route shares its schema: the sentence goes in once.
        if (!route.schema.description?.includes(who)) route.schema.description = route.schema.description ? `${route.schema.description}\n\n${who}` : who;
      }
    });
    app.addHook('onReady', async () => {
      const open = routes.filter((r) => !r.config?.public && !r.config?.access).map((r) => `${String(r.method)} ${r.url}`);
      if (open.length > 0) throw new Error(`routes without an operation of the authorisation table: ${open.join(', ')}; give each config.access (domain/access.ts) or config.public`);
    });
    app.addHook('preHandler', async (request) => {
      const access = request.routeOptions.config?.access;
      const principal = request.principal;
      if (!access || !principal) return;
      const operation = typeof access === 'function' ? access(request) : access;
      if (!mayEver(principal.role, operation)) throw new HttpError(403, refusal(principal, operation)!);
    });
  },
  { name: 'authorization', dependencies: ['authentication'] },
);
