// The answers to the citizen the desk starts from (policy/answer-templates.json, read once at start).

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorAnswers } from '../../schemas.js';
import { loadAnswerTemplates, templatesFor } from '../../templates.js';
import { templateListSchema, templateQuerySchema } from './schemas.js';

const templates: FastifyPluginAsyncZod = async (app) => {
  const all = loadAnswerTemplates();

  app.get(
    '/v1/answer-templates',
    {
      config: { access: 'org.read' },
      schema: {
        operationId: 'listAnswerTemplates',
        tags: ['cases'],
        summary: 'Answers to the citizen, per outcome and category',
        description:
          "Texts the desk starts its answer to the citizen (the `feedback` action) from, with `{placeholders}` for the case's facts that the client fills in. With `outcome` and `category`, the templates that fit such a case, most specific first.",
        querystring: templateQuerySchema,
        response: { 200: templateListSchema, ...errorAnswers(400, 401, 503) },
        answers: { 200: 'The templates, what their placeholders stand for, and the departments by name.' },
      },
    },
    async (request) => ({ templates: templatesFor(all, request.query), placeholders: all.placeholders, departments: all.departments }),
  );
};

export default templates;
