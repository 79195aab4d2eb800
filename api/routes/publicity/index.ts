// Publicity items (宣传报道): a squad submits one with its photos or video, the squad, district and city review
// it in turn, the city's approval releases it to the newspaper; the squad revises or withdraws it, a supervisor
// takes a released one down. The uploads and the items' files are in ./files.ts (multipart lives there alone).

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { PublicityActionType } from '../../../domain/publicity.js';
import { PUBLICITY_ACTION_ACCESS } from '../../../domain/publicity.js';
import { actOnPublicity, listPublicityFor, showPublicity, submitPublicity, visiblePublicity } from '../../publicity.js';
import { errorAnswers, idempotencyHeader, noQuery } from '../../schemas.js';
import publicityFiles, { type PublicityFileRouteOptions } from './files.js';
import {
  publicityActionSchema,
  publicityErrorSchema,
  publicityListQuerySchema,
  publicityListSchema,
  publicityParams,
  publicitySchema,
  publicitySubmissionSchema,
} from './schemas.js';

/** A submission's or an action's largest body: 10,000 characters of text, a title and ten file ids, as JSON (6 bytes a character at most). */
const BODY_LIMIT = 96 * 1024;

const publicity: FastifyPluginAsyncZod<PublicityFileRouteOptions> = async (app, options) => {
  await app.register(publicityFiles, options);

  app.post(
    '/v1/publicity',
    {
      config: { access: 'publicity.submit' },
      bodyLimit: BODY_LIMIT,
      schema: {
        operationId: 'submitPublicityItem',
        tags: ['publicity'],
        summary: 'Submit a publicity item (宣传报道) for review',
        description:
          "A squad's item: a title, its text and a short video or photos uploaded first (POST /v1/publicity/files). It goes to the squad's supervisors, then the district's, then the city's, each within the policy's deadline; the city's approval releases it to the newspaper. Answers once it is in the read model. Send Idempotency-Key: the same key from the same key holder is the same item.",
        querystring: noQuery,
        headers: idempotencyHeader,
        body: publicitySubmissionSchema,
        response: { 200: publicitySchema, 201: publicitySchema, ...errorAnswers(400, 401, 403, 500, 503) },
        answers: {
          200: 'The item submitted before with the same Idempotency-Key: nothing new was started.',
          201: 'The item, in review at its squad, with its history.',
          503: 'Postgres or Temporal is unavailable (nothing was started), or the item is not yet recorded: retry with the same Idempotency-Key.',
        },
      },
    },
    async (request, reply) => {
      const { created, item } = await submitPublicity(app.services, request.body, request.principal!, request.headers['idempotency-key']);
      return reply.code(created ? 201 : 200).send(item);
    },
  );

  app.get(
    '/v1/publicity',
    {
      config: { access: 'publicity.read' },
      schema: {
        operationId: 'listPublicityItems',
        tags: ['publicity'],
        summary: 'List publicity items, those waiting first',
        description:
          "Items waiting for a review or a revision first, the earliest deadline leading; then the others, newest first. Keyset-paged: pass the `next` of a page as `cursor`. Below the city, the items of the caller's unit; a reporter lists the items released to the newspaper, anywhere.",
        querystring: publicityListQuerySchema,
        response: { 200: publicityListSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'A page of items (without their history); `next` is there when more follow.' },
      },
    },
    async (request) => listPublicityFor(app.services, request.principal!, request.query),
  );

  app.get(
    '/v1/publicity/:id',
    {
      config: { access: 'publicity.read' },
      schema: {
        operationId: 'getPublicityItem',
        tags: ['publicity'],
        summary: 'A publicity item with its history',
        params: publicityParams,
        querystring: noQuery,
        response: { 200: publicitySchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: {
          200: 'The item, its whole history and the actions it takes now (a reporter sees its release and take-down).',
          404: 'No such item (for a reporter: none released to the newspaper).',
        },
      },
    },
    async (request) => showPublicity(app.services, await visiblePublicity(app.services, request.params.id, request.principal!), request.principal!),
  );

  app.post(
    '/v1/publicity/:id/actions',
    {
      // The action's type names the operation; where the item lies (or the level that reviews it) is the workflow's to check.
      config: { access: (request) => PUBLICITY_ACTION_ACCESS[(request.body as { type: PublicityActionType }).type] },
      bodyLimit: BODY_LIMIT,
      schema: {
        operationId: 'takePublicityAction',
        tags: ['publicity'],
        summary: 'Review, resubmit, withdraw or take down a publicity item',
        description:
          '`review` (`decision` approve or return, with `comments` to return it) by a supervisor of the level it waits at; `resubmit` (a new `title`, `body` or `media`) after a return and `withdraw` before release, by the squad; `take_down` (with the `reason`) after release, by a supervisor of the squad or above — the newspaper is told. Send Idempotency-Key to make a retry safe.',
        params: publicityParams,
        querystring: noQuery,
        headers: idempotencyHeader,
        body: publicityActionSchema,
        response: { 200: publicitySchema, ...errorAnswers(400, 401, 403, 404, 500, 503), 409: publicityErrorSchema },
        answers: {
          200: 'The item after the action, with its history, once it is in the read model.',
          403: 'Not this caller: a review is for the supervisors of the level it waits at, and only theirs.',
          404: 'No such item.',
          409: 'Its state does not take the action: `state` is where it stands, `allowed` what it takes there.',
          500: 'An internal error, or a step the database does not record yet: the item keeps it and retries by itself.',
        },
      },
    },
    async (request) => {
      const after = await actOnPublicity(app.services, request.params.id, request.body, request.principal!, request.headers['idempotency-key']);
      return showPublicity(app.services, after, request.principal!);
    },
  );
};

export default publicity;
