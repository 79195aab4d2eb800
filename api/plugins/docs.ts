// The API description: /openapi.json, and Swagger UI at /docs, generated from the same zod schemas that
// validate the requests.

import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

const DOCS = '/docs';

export default fp(
  async (app) => {
    // Swagger UI's own routes are open, like the description they show.
    app.addHook('onRoute', (route) => {
      if (route.url === DOCS || route.url.startsWith(`${DOCS}/`)) route.config = { ...route.config, public: true };
    });

    await app.register(fastifySwagger, {
      openapi: {
        info: { title: 'Bangnong', version: '1', description: 'Case orchestration for Shanghai urban-management complaints (新民帮侬忙).' },
        components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
        security: [{ apiKey: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(fastifySwaggerUi, { routePrefix: DOCS, uiConfig: { docExpansion: 'list' } });

    app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'docs', dependencies: ['authentication'] },
);
