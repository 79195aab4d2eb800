// Actions: every actor's action on a case, one route, as a Workflow Update.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ActionType } from '../../../workflows/lifecycle.js';
import { actOnCase, actorOf, readerOf, showCases } from '../../cases.js';
import { actionSchema, bodyLimits, caseParams, caseSchema, errorAnswers, idempotencyHeader, noQuery } from '../../schemas.js';

const actions: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/cases/:id/actions',
    {
      // The action's type is the operation; where the case lies is the workflow's to check.
      config: { access: (request) => (request.body as { type: ActionType }).type },
      bodyLimit: bodyLimits.action,
      schema: {
        operationId: 'takeCaseAction',
        tags: ['cases'],
        summary: 'Take an action on a case',
        description: 'Answers the case after the action, or 409 with the state it is in and the actions allowed there. Send Idempotency-Key to make a retry safe.',
        params: caseParams,
        querystring: noQuery,
        headers: idempotencyHeader,
        body: actionSchema,
        response: { 200: caseSchema, ...errorAnswers(400, 401, 403, 404, 409, 500, 503) },
        answers: {
          200: 'The case after the action, once it is in the read model.',
          409: "The case's state does not allow the action (`state` is where it stands, `allowed` what it takes there), or the case has taken as much as one case takes: `limit` names the cap (supplements, evidence, actions, or its history), its `max` and the case's `count`, and `error` says what to do instead.",
          500: 'An internal error, or a case whose projection the database refused: it is parked for an operator, and `error` names the reason.',
        },
      },
    },
    async (request) => {
      const view = await actOnCase(app.services, request.params.id, request.body, actorOf(request.principal!), request.headers['idempotency-key']);
      // The case after the action, as its actor may see it; an unmasked answer is audited like a read.
      const [body] = await showCases(app.services, readerOf(request), 'case.action', [view]);
      return body!;
    },
  );
};

export default actions;
