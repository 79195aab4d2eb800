// The API description integrators generate their clients from — the 12345 hotline, property companies,
// Open311 apps: /openapi.json, and Swagger UI at /docs. It is generated from the same zod schemas that
// validate the requests, and test/openapi.test.ts holds it to Redocly's recommended rules.

import { isDeepStrictEqual } from 'node:util';
import fastifySwagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

declare module 'fastify' {
  interface FastifySchema {
    /** What this route's answers mean, by status, where the API-wide meaning (ANSWERS) says too little. */
    answers?: Partial<Record<number, string>>;
  }
}

const DOCS = '/docs';

/** What each status means across the API. */
const ANSWERS: Record<string, string> = {
  200: 'OK',
  400: 'The request is not valid: `error` says why, `issues` names each field (an unknown field, text that cannot be stored or holds control characters, JSON nested too deep, a field the action needs).',
  401: 'No API key, or one that is unknown, revoked or rotated out; or a bearer JWT that is expired or not what this API accepts (`error` says which claim).',
  403: "The principal's role may not do this, or what it asks for lies outside its unit.",
  404: 'No such case.',
  409: "The case's state does not allow the action: `state` is where it stands, `allowed` what it takes there.",
  413: "The body is larger than this operation takes: `error` gives the limit in bytes, which every body within the fields' bounds fits.",
  415: 'The body is not JSON: send `content-type: application/json`.',
  429: 'Too many requests: per API key (or address, without one) a minute, fewer on the routes open without a key. The `Retry-After` header says in how many seconds to try again.',
  500: 'An internal error, or a case the database refused to record: it is kept and parked for an operator, and `error` names the reason.',
  503: 'Postgres or Temporal is unavailable, or a case did not answer in time: retry shortly (a POST retried with the same Idempotency-Key or externalId is applied once).',
};

/** The header a 429 answer carries (api/plugins/security.ts). */
const RETRY_AFTER = { type: 'integer', minimum: 1, description: 'Seconds until the limit that refused the request lets the next one through.' };

/** The zod schemas as JSON schemas, and each answer described: the route's own words, else the API's. */
const transform: SwaggerTransform = (route) => {
  const { schema, url } = jsonSchemaTransform(route);
  const { answers, produces, ...rest } = schema;
  const response = rest.response as Record<string, object> | undefined;
  if (response) {
    // A route that produces a file (a CSV export) says so for its 200; its errors are JSON like every other.
    if (Array.isArray(produces) && response['200']) response['200'] = { content: Object.fromEntries(produces.map((type: string) => [type, { schema: response['200'] }])) };
    for (const [status, json] of Object.entries(response)) {
      const description = answers?.[Number(status)] ?? ANSWERS[status];
      // @fastify/swagger reads a response's description from `description` beside a $ref, and from
      // `x-response-description` in an inline schema (where `description` would describe the schema).
      if (description) response[status] = { ...json, [`$ref` in json ? 'description' : 'x-response-description']: description };
      if (status === '429') response[status] = { ...response[status], headers: { 'Retry-After': RETRY_AFTER } };
    }
  }
  return { schema: rest, url };
};

const COMPONENT = '#/components/schemas/';

/** Names of the schema components `value` refers to. */
function refsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENT)) found.add(item.slice(COMPONENT.length));
      else refsIn(item, found);
    }
  }
  return found;
}

/** The components reached from `from`, directly or through other components. */
function reached(from: unknown, schemas: Record<string, unknown>): Set<string> {
  const used = refsIn(from);
  for (const name of used) refsIn(schemas[name], used);
  return used;
}

type Description = ReturnType<SwaggerTransformObject> & { paths?: unknown; components?: { schemas?: Record<string, unknown> } };

/**
 * One name per schema. fastify-type-provider-zod writes every schema with an id twice, as `X` (how the
 * API answers it) and `XInput` (how a request sends it), whether or not a route uses both. Here a schema
 * used one way only keeps its plain name (a request body is `CaseIntake`, not `CaseIntakeInput`), both
 * stay where the two differ, and a component no operation reaches is dropped.
 */
function oneNamePerSchema(description: Description): Description {
  const schemas: Record<string, unknown> = { ...description.components?.schemas };
  const used = reached(description.paths, schemas);
  const renames = new Map<string, string>();
  for (const name of Object.keys(schemas)) {
    const plain = name.replace(/Input$/, '');
    if (plain === name || !(plain in schemas) || !used.has(name)) continue;
    if (used.has(plain) && !isDeepStrictEqual(schemas[name], schemas[plain])) continue;
    renames.set(name, plain);
  }
  for (const [from, to] of renames) {
    schemas[to] = schemas[from];
    delete schemas[from];
  }
  let text = JSON.stringify({ ...description, components: { ...description.components, schemas } });
  for (const [from, to] of renames) text = text.replaceAll(JSON.stringify(`${COMPONENT}${from}`), JSON.stringify(`${COMPONENT}${to}`));
  const renamed = JSON.parse(text) as Description & { components: { schemas: Record<string, unknown> } };
  const kept = reached(renamed.paths, renamed.components.schemas);
  renamed.components.schemas = Object.fromEntries(Object.entries(renamed.components.schemas).filter(([name]) => kept.has(name)));
  return renamed;
}

export default fp(
  async (app) => {
    // Swagger UI's own routes are open, like the description they show.
    app.addHook('onRoute', (route) => {
      if (route.url === DOCS || route.url.startsWith(`${DOCS}/`)) route.config = { ...route.config, public: true };
    });

    await app.register(fastifySwagger, {
      openapi: {
        info: {
          title: 'Bangnong',
          version: '1',
          description: [
            'Case orchestration for Shanghai urban-management complaints (新民帮侬忙): intake from every channel, every actor\'s actions, where each case stands, and the citizen\'s view.',
            'Every operation but the citizen\'s (`/v1/track/…`, `/v1/public/…`) and Open311\'s (`/open311/v2`, whose POST carries `api_key` as the GeoReport v2 spec says) needs an API key, sent as `Authorization: Bearer <key>`. Every request body and query is checked whole: an unknown field answers 400 naming it. Send `Idempotency-Key` on a POST to make a retry safe.',
            'Licence: proprietary. Bangnong is not published under an open-source licence; this description is provided so that integrators can build clients for this service.',
          ].join('\n\n'),
          license: { name: 'Proprietary', url: DOCS },
        },
        servers: [{ url: '/', description: 'this server: the host that serves this description' }],
        tags: [
          { name: 'cases', description: 'File complaints, follow them and act on them.' },
          { name: 'statistics', description: 'Counts and times of cases, within the caller\'s unit.' },
          { name: 'organisation', description: 'The units (city, districts, squads) and the community workstations.' },
          { name: 'citizen', description: 'The citizen\'s side, without a key: filing from a workstation\'s QR page (with a one-time form token), a case followed by its tracking code without personal data, the citizen\'s photos, supplements and rating, and a suggestion followed by its code.' },
          { name: 'keys', description: 'Principals and their API keys, for administrators: create, list, rotate, revoke (a revoked key is refused at once on every instance).' },
          { name: 'console', description: 'The console\'s session (sign in once with a key, kept in an HttpOnly cookie; sign out) and who the caller is.' },
          { name: 'audit', description: 'Who read citizens\' names and phones unmasked: for supervisors and administrators.' },
          { name: 'suggestions', description: 'Citizens\' suggestions (人民建议征集), apart from complaints: filed, acknowledged and answered within their deadlines, with no enforcement.' },
          { name: 'publicity', description: 'Squads\' publicity items (宣传报道) with their photos or video: reviewed squad → district → city, released to the newspaper, withdrawn or taken down; each with its history.' },
          { name: 'duties', description: 'Workstation duties: liaison officers\' visits (网上勤务日志) with photos, compliance per week and month, and the shortfalls the duty schedules found.' },
          { name: 'delivery', description: 'Messages the webhooks would not take within DELIVERY_GIVE_UP_AFTER (the dead-letter list): for administrators, to list and redeliver.' },
        ],
        components: {
          securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (`bn_…`), issued by `./bangnong principal create` or `POST /v1/principals`; it carries a role and a unit. Where the server is configured for it (AUTH_JWKS_URL), a JWT from the identity provider instead, naming the role and unit in its claims.' } },
        },
        security: [{ apiKey: [] }],
      },
      transform,
      transformObject: (document) => oneNamePerSchema(jsonSchemaTransformObject(document)),
    });
    await app.register(fastifySwaggerUi, { routePrefix: DOCS, uiConfig: { docExpansion: 'list' } });

    app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'docs', dependencies: ['authentication'] },
);
