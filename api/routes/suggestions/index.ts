// Suggestions (人民建议征集), listed apart from complaints: file one, list them, read one, acknowledge and
// answer it; and the citizen's view by tracking code, without a key.

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readerOf } from '../../cases.js';
import { bodyLimits, errorAnswers, idempotencyHeader, noQuery } from '../../schemas.js';
import { actOnSuggestion, fileSuggestion, listSuggestionsFor, showSuggestions, trackSuggestion, visibleSuggestion } from '../../suggestions.js';
import {
  publicSuggestionSchema,
  suggestionActionSchema,
  suggestionErrorSchema,
  suggestionIntakeSchema,
  suggestionListQuerySchema,
  suggestionListSchema,
  suggestionParams,
  suggestionSchema,
  suggestionTrackParams,
} from './schemas.js';

const suggestions: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/suggestions',
    {
      config: { access: 'suggestion.file' },
      bodyLimit: bodyLimits.intake,
      schema: {
        operationId: 'fileSuggestion',
        tags: ['suggestions'],
        summary: 'File a suggestion (人民建议征集)',
        description:
          'A suggestion is not a complaint: it is acknowledged and answered, each within a deadline of the policy, and nothing is enforced. Answers once it is in the read model. The same `channel` + `externalId` (or, for a channel without ids, the same Idempotency-Key from the same key holder) is the same suggestion.',
        querystring: noQuery,
        headers: idempotencyHeader,
        body: suggestionIntakeSchema,
        response: { 200: suggestionSchema, 201: suggestionSchema, ...errorAnswers(400, 401, 403, 500, 503) },
        answers: {
          200: 'The suggestion filed before with the same channel and externalId (or Idempotency-Key): nothing new was started.',
          201: 'The suggestion, filed now and in the read model; its tracking code starts BS.',
          503: 'Postgres or Temporal is unavailable (nothing was started), or the suggestion is not yet recorded: retry with the same externalId or Idempotency-Key.',
        },
      },
    },
    async (request, reply) => {
      const { created, suggestion } = await fileSuggestion(app.services, request.body, request.principal!, request.headers['idempotency-key']);
      return reply.code(created ? 201 : 200).send(suggestion);
    },
  );

  app.get(
    '/v1/suggestions',
    {
      config: { access: 'suggestion.read' },
      schema: {
        operationId: 'listSuggestions',
        tags: ['suggestions'],
        summary: 'List suggestions, most urgent first',
        description:
          "Apart from complaints. Overdue ones first (the earliest deadline), answered and lapsed ones last; keyset-paged: pass the `next` of a page as `cursor` for the one after it. Below the city, only the suggestions of the caller's unit.",
        querystring: suggestionListQuerySchema,
        response: { 200: suggestionListSchema, ...errorAnswers(400, 401, 403, 503) },
        answers: { 200: 'A page of suggestions; `next` is there when more follow.' },
      },
    },
    async (request) => listSuggestionsFor(app.services, readerOf(request), request.query),
  );

  app.get(
    '/v1/suggestions/:id',
    {
      config: { access: 'suggestion.read' },
      schema: {
        operationId: 'getSuggestion',
        tags: ['suggestions'],
        summary: 'A suggestion as it stands',
        params: suggestionParams,
        querystring: noQuery,
        response: { 200: suggestionSchema, ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'The suggestion, its timeline and the action it takes now.', 404: 'No such suggestion.' },
      },
    },
    async (request) => {
      const [body] = await showSuggestions(app.services, readerOf(request), 'suggestion.read', [await visibleSuggestion(app.services, request.params.id, request.principal!)]);
      return body!;
    },
  );

  app.post(
    '/v1/suggestions/:id/actions',
    {
      config: { access: 'suggestion.handle' },
      bodyLimit: bodyLimits.action,
      schema: {
        operationId: 'takeSuggestionAction',
        tags: ['suggestions'],
        summary: 'Acknowledge or answer a suggestion',
        description:
          '`acknowledge` (with an optional `note` for the citizen) while it is received, then `answer` (the answer to the citizen); the citizen is told each. Send Idempotency-Key to make a retry safe.',
        params: suggestionParams,
        querystring: noQuery,
        headers: idempotencyHeader,
        body: suggestionActionSchema,
        response: { 200: suggestionSchema, ...errorAnswers(400, 401, 403, 404, 500, 503), 409: suggestionErrorSchema },
        answers: {
          200: 'The suggestion after the action, once it is in the read model.',
          404: 'No such suggestion.',
          409: 'Its state does not take the action: `state` is where it stands, `allowed` what it takes there (nothing once answered or lapsed).',
          500: 'An internal error, or a step the database does not record yet: the suggestion keeps it and retries by itself.',
        },
      },
    },
    async (request) => {
      const after = await actOnSuggestion(app.services, request.params.id, request.body, request.principal!, request.headers['idempotency-key']);
      // As its actor may see it; an unmasked answer is audited like a read.
      const [body] = await showSuggestions(app.services, readerOf(request), 'suggestion.action', [after]);
      return body!;
    },
  );

  app.get(
    '/v1/public/suggestions/:trackingCode',
    {
      config: { public: true },
      schema: {
        operationId: 'trackSuggestion',
        tags: ['citizen'],
        summary: 'Follow a suggestion by its tracking code (no personal data)',
        params: suggestionTrackParams,
        querystring: noQuery,
        response: { 200: publicSuggestionSchema, ...errorAnswers(400, 404, 503) },
        answers: { 200: 'Where the suggestion stands, and the answer once given.', 404: 'No suggestion with this tracking code.' },
      },
    },
    async (request) => trackSuggestion(app.services, request.params.trackingCode),
  );
};

export default suggestions;
