// Open311 GeoReport v2 under /open311/v2 (http://wiki.open311.org/GeoReport_v2), so that civic apps
// built for the standard can file and follow complaints: service discovery, the services (our
// categories) and their definitions, POST requests, GET requests, a request and a token — each as
// `.xml` (the format the spec requires) or `.json`.
//
// The spec differs from the rest of this API, so its routes live in a scope of their own: a POST is a
// form (application/x-www-form-urlencoded, parsed here only), its key is the `api_key` parameter (not a
// Bearer header: the routes are open to the authentication plugin, and POST checks the key itself), and
// every error is the spec's list of {code, description}, as XML or JSON like the answer asked for, with
// the spec's statuses: 403 for a missing or wrong key, 404 for what does not exist, 400 for the rest
// (413, 415, 429, 500 and 503 keep their HTTP meaning). The reads carry no key and no personal data.

import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FastifyPluginAsyncZod, hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { touchApiKey } from '../../db/queries/principals.js';
import { HttpError } from '../errors.js';
import { isUnavailable } from '../plugins/errors.js';
import { idempotencyHeader } from '../schemas.js';
import { type Open311Messages, languageOf, open311Messages } from './messages.js';
import { assertJurisdiction, createRequest, getRequest, listRequests, principalForApiKey, requestIdFromToken } from './requests.js';
import {
  discoverySchema,
  errorAnswers,
  formatParams,
  inBothFormats,
  readQuery,
  requestCreatedSchema,
  requestForm,
  requestParams,
  requestSchema,
  requestsQuery,
  serviceDefinitionSchema,
  serviceParams,
  serviceSchema,
  tokenParams,
  tokenSchema,
} from './schemas.js';
import { SERVICES_CHANGESET, isServiceCode, serviceDefinition, serviceList } from './services.js';
import { CONTENT_TYPE, type Format, formatOfUrl, toXml } from './xml.js';

export const OPEN311_PREFIX = '/open311/v2';
const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';
const TAGS = ['open311'];

/**
 * The largest form POST requests takes: its fields at their bounds (description 4,000 characters,
 * address 500, media_url 2,000, ids 200 each, names, phone, e-mail and the attributes), each character
 * percent-encoded as UTF-8 (up to 9 bytes), come to about 56 KB.
 */
const FORM_BODY_LIMIT = 64 * 1024;

/** last_used_at is written at most this often per key and instance, as for Bearer keys. */
const TOUCH_EVERY_MS = 60_000;

/** What each error status means on these routes (the API-wide words describe the API's own error shape). */
const ERRORS_MEAN: Partial<Record<number, string>> = {
  400: "A parameter is wrong, missing or unknown: the spec's errors, `[{code, description}]` (XML: `<errors><error>`), each description naming its parameter.",
  403: 'No api_key, or one that is not an intake key holder\'s (the spec\'s errors).',
  404: 'No such resource, format (xml or json), service_code or jurisdiction (the spec\'s errors).',
  413: `The form is larger than ${FORM_BODY_LIMIT / 1024} KiB (the spec's errors).`,
  415: 'The body is not a form: send application/x-www-form-urlencoded (the spec\'s errors).',
  429: 'Too many requests from this address a minute; `Retry-After` says when to try again (the spec\'s errors).',
  500: 'An internal error (the spec\'s errors); the log has it under the request id.',
  503: 'Postgres or Temporal is unavailable: retry shortly (the spec\'s errors).',
};

interface Open311Error {
  code: number;
  description: string;
}

/** The format of the answer: the route's `.xml` or `.json`, or for a URL no route matched, its extension (XML by default). */
function formatOf(request: FastifyRequest): Format {
  const asked = (request.params as { format?: unknown } | undefined)?.format;
  return asked === 'json' || asked === 'xml' ? asked : formatOfUrl(request.url);
}

/** Sends a JSON answer, or its XML under `root`. */
function answer(reply: FastifyReply, format: Format, root: string, body: unknown) {
  reply.header('vary', 'accept-language');
  if (format === 'json') return reply.type(CONTENT_TYPE.json).send(body);
  return reply.type(CONTENT_TYPE.xml).send(toXml(root, body));
}

/** The zod issues of a refused request as the spec's errors, each naming its parameter. */
function validationErrors(err: FastifyError & { validation: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[] }): { status: number; errors: Open311Error[] } {
  const where = (err as { validationContext?: string }).validationContext ?? 'body';
  // A format that is not xml or json is a resource that does not exist: services.html is no resource here.
  const status = where === 'params' && err.validation.some((v) => v.instancePath === '/format') ? 404 : 400;
  const errors = err.validation.flatMap((v) => {
    // A list's items are named by the list: status, not status.0 (the message names the value).
    const name = v.instancePath.split('/').filter((step) => step && !/^\d+$/.test(step)).join('.');
    const unknown = v.keyword === 'unrecognized_keys' ? ((v.params.keys as string[] | undefined) ?? []) : [];
    if (unknown.length > 0) return unknown.map((key) => ({ code: status, description: unknownParameter(key, where) }));
    return [{ code: status, description: name ? `${name}: ${v.message ?? 'invalid'}` : (v.message ?? 'invalid request') }];
  });
  return { status, errors };
}

function unknownParameter(key: string, where: string): string {
  if (key === 'api_key' && where === 'querystring') {
    return 'api_key: reads take no key, and a key in a URL ends up in logs; send api_key only in the form of POST requests';
  }
  return `${key}: unknown parameter: GeoReport v2 has no such parameter here`;
}

/** Any error of these routes as the spec's errors, with its HTTP status. */
function open311Errors(err: unknown, request: FastifyRequest): { status: number; errors: Open311Error[] } {
  if (hasZodFastifySchemaValidationErrors(err)) return validationErrors(err as Parameters<typeof validationErrors>[0]);
  const one = (status: number, description: string) => ({ status, errors: [{ code: status, description }] });
  if (err instanceof HttpError) {
    if (err.statusCode >= 500) request.log.warn({ err }, err.message);
    const issues = err.extra.issues;
    if (issues?.length) return { status: err.statusCode, errors: issues.map((i) => ({ code: err.statusCode, description: `${i.path.replace(/^(body|querystring|params)\./, '')}: ${i.message}` })) };
    return one(err.statusCode, err.message);
  }
  const code = (err as { code?: string }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return one(413, `the form is larger than POST requests takes: at most ${FORM_BODY_LIMIT} bytes`);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return one(415, `POST requests takes a form: send content-type: application/x-www-form-urlencoded, not ${request.headers['content-type'] ?? 'none'}`);
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500) return one(status, (err as Error).message);
  request.log.error({ err }, 'request failed');
  return isUnavailable(err)
    ? one(503, 'a backing service (Temporal or Postgres) is unavailable; retry shortly')
    : one(500, 'internal error; the log has the details under this request id');
}

/**
 * A parameter sent empty is one not sent: the spec's optional arguments ("the response should be the
 * same whether a parameter is passed and is empty or not passed at all").
 */
async function dropEmptyParameters(request: FastifyRequest): Promise<void> {
  for (const params of [request.query, request.body]) {
    if (params === null || typeof params !== 'object' || Array.isArray(params)) continue;
    const record = params as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) if (value === '') delete record[key];
  }
}

/** The language of an answer's words, from Accept-Language. */
const wordsFor = (request: FastifyRequest): Open311Messages => open311Messages(languageOf(request.headers['accept-language']));

const open311: FastifyPluginAsyncZod = async (app) => {
  // Only forms here: a JSON or other body answers 415 in the spec's format, not the API's.
  app.removeAllContentTypeParsers();
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });

  app.setErrorHandler((err, request, reply) => {
    const { status, errors } = open311Errors(err, request);
    return answer(reply.code(status), formatOf(request), 'errors', errors);
  });
  app.setNotFoundHandler((request, reply) =>
    answer(reply.code(404), formatOf(request), 'errors', [
      { code: 404, description: `no resource ${request.method} ${request.url.split('?')[0]}: discovery.xml and services.xml are where to start` },
    ]),
  );
  app.addHook('preValidation', dropEmptyParameters);

  const recordUse = keyUseRecorder(app);

  app.get(
    '/discovery.:format',
    {
      config: { public: true },
      schema: {
        operationId: 'getGeoReportDiscovery',
        tags: TAGS,
        summary: 'Open311 service discovery: where the GeoReport v2 endpoint is, its formats, how to get a key',
        querystring: readQuery,
        params: formatParams,
        response: { 200: inBothFormats(discoverySchema), ...errorAnswers(400, 404) },
        answers: { ...ERRORS_MEAN, 200: 'The discovery document (XML under <discovery>).' },
      },
    },
    async (request, reply) => {
      assertJurisdiction(request.query.jurisdiction_id);
      const m = wordsFor(request);
      const body = {
        changeset: SERVICES_CHANGESET,
        contact: m.t('discovery.contact'),
        key_service: m.t('discovery.key_service'),
        endpoints: [
          {
            specification: SPECIFICATION,
            url: `${request.protocol}://${request.host}${OPEN311_PREFIX}`,
            changeset: SERVICES_CHANGESET,
            type: 'production' as const,
            formats: [CONTENT_TYPE.xml.split(';')[0]!, CONTENT_TYPE.json.split(';')[0]!],
          },
        ],
      };
      return answer(reply, request.params.format, 'discovery', body);
    },
  );

  app.get(
    '/services.:format',
    {
      config: { public: true },
      schema: {
        operationId: 'listGeoReportServices',
        tags: TAGS,
        summary: 'Open311: the services (complaint categories) a request can be filed under',
        querystring: readQuery,
        params: formatParams,
        response: { 200: inBothFormats(serviceSchema.array()), ...errorAnswers(400, 404) },
        answers: { ...ERRORS_MEAN, 200: 'Every service, its name in the language of Accept-Language (Chinese by default); XML under <services><service>.', 404: 'No such jurisdiction, or a format other than xml and json (the spec\'s errors).' },
      },
    },
    async (request, reply) => {
      assertJurisdiction(request.query.jurisdiction_id);
      return answer(reply, request.params.format, 'services', serviceList(wordsFor(request)));
    },
  );

  app.get(
    '/services/:service_code.:format',
    {
      config: { public: true },
      schema: {
        operationId: 'getGeoReportServiceDefinition',
        tags: TAGS,
        summary: "Open311: a service's definition, the attributes a request of it may carry",
        querystring: readQuery,
        params: serviceParams,
        response: { 200: inBothFormats(serviceDefinitionSchema), ...errorAnswers(400, 404) },
        answers: { ...ERRORS_MEAN, 200: 'The attributes (XML under <service_definition>).', 404: 'No such service_code, jurisdiction or format (the spec\'s errors).' },
      },
    },
    async (request, reply) => {
      assertJurisdiction(request.query.jurisdiction_id);
      const code = request.params.service_code;
      if (!isServiceCode(code)) throw new HttpError(404, `service_code "${code}" was not found: services.xml lists them`);
      return answer(reply, request.params.format, 'service_definition', serviceDefinition(code, wordsFor(request), app.services.org));
    },
  );

  app.post(
    '/requests.:format',
    {
      config: { public: true },
      bodyLimit: FORM_BODY_LIMIT,
      // The key first: a caller without a valid one learns nothing of how its form would be checked.
      preValidation: async (request) => {
        const apiKey = (request.body as Record<string, unknown> | undefined)?.api_key;
        const principal = await principalForApiKey(app.services, typeof apiKey === 'string' ? apiKey : undefined);
        request.principal = principal;
        if (principal.keyId) recordUse(principal.keyId);
      },
      schema: {
        operationId: 'createGeoReportRequest',
        tags: TAGS,
        summary: 'Open311: file a service request (a complaint), with the api_key of an intake key holder',
        description: [
          'A form (application/x-www-form-urlencoded). The case is filed through the same intake as every channel (channel `open311`) and answered once it is in the read model, so a GET right after finds it.',
          'The same request again — the same fields, device_id and account_id among them, with the same api_key within 24 hours, or the same Idempotency-Key header from the same key holder — is the same case: 200 with its id, nothing new filed.',
          'The token is the service_request_id (requests are filed at once); tokens/{token} resolves it for clients that take that path. first_name, last_name and phone reach those who handle the case, never a read; e-mail is accepted and not kept.',
        ].join('\n\n'),
        querystring: readQuery.omit({ jurisdiction_id: true }),
        params: formatParams,
        headers: idempotencyHeader,
        body: requestForm,
        consumes: ['application/x-www-form-urlencoded'],
        response: { 200: inBothFormats(requestCreatedSchema.array()), 201: inBothFormats(requestCreatedSchema.array()), ...errorAnswers(400, 403, 404, 413, 415, 500) },
        answers: {
          ...ERRORS_MEAN,
          200: 'The request sent before (same fields and api_key within 24 hours, or the same Idempotency-Key): its id; nothing new was filed.',
          201: 'The service_request_id (the case id) and its token; XML under <service_requests><request>.',
          403: 'No api_key, or one that is unknown, revoked, expired, not an intake key holder\'s, or bound to another channel.',
          404: 'No such service_code, jurisdiction or format (the spec\'s errors).',
          500: 'The case was received and is kept, but the database refused to record it: an operator sees it parked.',
          503: 'Postgres or Temporal is unavailable: retry (the same form within 24 hours is filed once).',
        },
      },
    },
    async (request, reply) => {
      const form = request.body;
      const { created, answer: body } = await createRequest(app.services, form, request.principal!, {
        apiKey: form.api_key!,
        idempotencyKey: request.headers['idempotency-key'],
        m: wordsFor(request),
      });
      return answer(reply.code(created ? 201 : 200), request.params.format, 'service_requests', [body]);
    },
  );

  app.get(
    '/requests.:format',
    {
      config: { public: true },
      schema: {
        operationId: 'listGeoReportRequests',
        tags: TAGS,
        summary: 'Open311: the service requests filed through Open311, newest first (no key, no personal data)',
        description:
          'By default those requested in the last 90 days, at most 1,000 (the spec\'s limits); a window of start_date and end_date spans at most 90 days. service_request_id overrides every other filter. Only requests filed through Open311 are listed: complaints made through the bureau\'s other channels are not public. page and page_size page through a window; a `Link: <…>; rel="next"` header names the next page when there is one.',
        querystring: requestsQuery,
        params: formatParams,
        response: { 200: inBothFormats(requestSchema.array()), ...errorAnswers(400, 404) },
        answers: { ...ERRORS_MEAN, 200: 'The requests (XML under <service_requests><request>); text with phone and identity numbers and names starred out.', 404: 'No such jurisdiction, or a format other than xml and json (the spec\'s errors).' },
      },
    },
    async (request, reply) => {
      const { requests, more } = await listRequests(app.services, request.query, wordsFor(request));
      if (more) reply.header('link', `<${nextPage(request, request.query.page)}>; rel="next"`);
      return answer(reply, request.params.format, 'service_requests', requests);
    },
  );

  app.get(
    '/requests/:service_request_id.:format',
    {
      config: { public: true },
      schema: {
        operationId: 'getGeoReportRequest',
        tags: TAGS,
        summary: 'Open311: one service request, where it stands (no key, no personal data)',
        querystring: readQuery,
        params: requestParams,
        response: { 200: inBothFormats(requestSchema.array()), ...errorAnswers(400, 404) },
        answers: {
          ...ERRORS_MEAN,
          200: 'The request in a list of one, as the spec has it: status, status_notes, agency_responsible, expected_datetime (the case\'s current deadline) …',
          404: 'No request with this id filed through Open311, or no such jurisdiction or format (the spec\'s errors).',
        },
      },
    },
    async (request, reply) => {
      assertJurisdiction(request.query.jurisdiction_id);
      return answer(reply, request.params.format, 'service_requests', await getRequest(app.services, request.params.service_request_id, wordsFor(request)));
    },
  );

  app.get(
    '/tokens/:token.:format',
    {
      config: { public: true },
      schema: {
        operationId: 'getGeoReportRequestIdFromToken',
        tags: TAGS,
        summary: 'Open311: the service_request_id of a token',
        querystring: readQuery,
        params: tokenParams,
        response: { 200: inBothFormats(tokenSchema.array()), ...errorAnswers(400, 404) },
        answers: { ...ERRORS_MEAN, 200: 'The service_request_id and the token (XML under <service_requests><request>).', 404: 'No such token, jurisdiction or format (the spec\'s errors).' },
      },
    },
    async (request, reply) => {
      assertJurisdiction(request.query.jurisdiction_id);
      return answer(reply, request.params.format, 'service_requests', await requestIdFromToken(app.services, request.params.token));
    },
  );
};

/** The same query one page on, as a path and query of this server. */
function nextPage(request: FastifyRequest, page: number): string {
  const url = new URL(request.url, 'http://open311.invalid');
  url.searchParams.set('page', String(page + 1));
  return `${url.pathname}${url.search}`;
}

/** Records each api_key's last use, at most once a minute per key; a failure is logged and never fails the request. */
function keyUseRecorder(app: FastifyInstance) {
  const touched = new Map<string, number>();
  return (keyId: string) => {
    const now = Date.now();
    if ((touched.get(keyId) ?? -Infinity) > now - TOUCH_EVERY_MS) return;
    if (touched.size >= 10_000) touched.clear();
    touched.set(keyId, now);
    void touchApiKey(app.services.db, { keyId }).catch((err: unknown) => app.log.warn({ err, keyId }, 'could not record when an API key was last used'));
  };
}

/** The GeoReport v2 endpoint, in a scope of its own under /open311/v2 (its own body parser, errors and 404). */
export default async function open311Routes(app: FastifyInstance): Promise<void> {
  await app.register(open311, { prefix: OPEN311_PREFIX });
}
