// The dead-letter list (messages the webhooks would not take within DELIVERY_GIVE_UP_AFTER), for
// administrators: list, show one, redeliver one, redeliver all that match.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LogSender, type SenderRouting } from '../../../activities/senders.js';
import { deadLetterFor, deadLettersFor, redeliverMatching, redeliverOne } from '../../dead-letters.js';
import { errorAnswers, noQuery } from '../../schemas.js';
import {
  deadLetterListQuerySchema,
  deadLetterListSchema,
  deadLetterParams,
  deadLetterSchema,
  redeliverAllSchema,
  redeliveryResultSchema,
  redeliveryRunSchema,
} from './schemas.js';

export interface DeadLetterRoutesOptions {
  /** Where a redelivery goes: the settings' webhooks (sendersFromConfig), as the workers have them; unset, the log. */
  senders?: SenderRouting;
}

const deadLetters: FastifyPluginAsyncZod<DeadLetterRoutesOptions> = async (app, options) => {
  const senders = options.senders ?? { main: new LogSender(app.log as never) };
  const deps = () => ({ ...app.services, senders });

  app.get(
    '/v1/dead-letters',
    {
      config: { access: 'delivery.manage' },
      schema: {
        operationId: 'listDeadLetters',
        tags: ['delivery'],
        summary: 'Messages that could not be delivered, oldest first',
        description:
          "A message whose webhook failed for longer than DELIVERY_GIVE_UP_AFTER is moved here, and the workflow that sent it goes on. Keyset-paged: pass the `next` of a page as `cursor` for the one after it. Below the city, only the messages of the caller's unit and below.",
        querystring: deadLetterListQuerySchema,
        response: { 200: deadLetterListSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'A page of dead letters (without their bodies); `next` is there when more follow.' },
      },
    },
    async (request) => deadLettersFor(app.services, request.principal!, request.query),
  );

  app.get(
    '/v1/dead-letters/:id',
    {
      config: { access: 'delivery.manage' },
      schema: {
        operationId: 'getDeadLetter',
        tags: ['delivery'],
        summary: 'One dead letter, with its message',
        params: deadLetterParams,
        querystring: noQuery,
        response: { 200: deadLetterSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: {
          200: 'The dead letter and its message, phone and identity numbers masked.',
          403: "It belongs to a unit outside the caller's.",
          404: 'No dead letter has this id.',
        },
      },
    },
    async (request) => deadLetterFor(app.services, request.principal!, request.params.id),
  );

  app.post(
    '/v1/dead-letters/:id/redeliver',
    {
      config: { access: 'delivery.manage' },
      schema: {
        operationId: 'redeliverDeadLetter',
        tags: ['delivery'],
        summary: 'Send one dead letter again',
        description:
          'Sends it now through the webhook the settings route it to, with the same `webhook-id` as before. Delivered, it is marked sent and leaves the waiting list; failing again, it stays, with the new reason.',
        params: deadLetterParams,
        querystring: noQuery,
        response: { 200: redeliveryResultSchema, ...errorAnswers(400, 401, 403, 404, 409, 503) },
        answers: {
          200: '`delivered` says whether the webhook took it; the dead letter as it is now.',
          403: "It belongs to a unit outside the caller's.",
          404: 'No dead letter has this id.',
          409: 'It was redelivered already, or another request is redelivering it right now.',
        },
      },
    },
    async (request) => redeliverOne(deps(), request.principal!, request.params.id),
  );

  app.post(
    '/v1/dead-letters/redeliver',
    {
      config: { access: 'delivery.manage' },
      schema: {
        operationId: 'redeliverDeadLetters',
        tags: ['delivery'],
        summary: 'Send again every waiting dead letter that matches',
        description:
          "Oldest first, up to `limit`; an empty body takes every waiting dead letter of the caller's unit. Once a webhook fails, the rest of its messages are skipped in this run; run it again when it is back.",
        querystring: noQuery,
        body: redeliverAllSchema,
        response: { 200: redeliveryRunSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'What was delivered, what failed again and why, what was skipped, and how many still wait.' },
      },
    },
    async (request) => redeliverMatching(deps(), request.principal!, request.body),
  );
};

export default deadLetters;
