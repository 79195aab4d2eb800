// The citizen's filing page's routes, open without a key: the workstation its QR code names, a one-time
// form token, and the complaint or suggestion itself. Besides the per-address limit of every route open
// without a key (api/plugins/security.ts), filing has an hourly limit of its own per address.

import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HttpError } from '../../errors.js';
import { FormTokens, fileCitizenReport, formTokenFor, publicWorkstation } from '../../public.js';
import { errorAnswers, noQuery } from '../../schemas.js';
import { type PublicSettings, loadConfig, publicSettings } from '../../../platform/config.js';
import { filedReportSchema, formTokenQuery, formTokenSchema, publicWorkstationParams, publicWorkstationSchema, reportBodySchema } from './schemas.js';

export interface PublicRouteOptions {
  /** By default from the configuration (PUBLIC_BASE_URL, FORM_TOKEN_SECRET, RATE_LIMIT_PUBLIC_FILINGS_PER_HOUR). */
  settings?: PublicSettings;
}

/** The text at most (2,000), an address (500), a name and phone, the token, at 6 bytes a character as JSON: 32 KiB. */
const REPORT_BODY_LIMIT = 32 * 1024;
const HOUR_MS = 3_600_000;

const publicRoutes: FastifyPluginAsyncZod<PublicRouteOptions> = async (app, options) => {
  const settings = options.settings ?? publicSettings(loadConfig());
  const tokens = new FormTokens(settings.formTokenSecret);
  if (!settings.formTokenSecret) app.log.info('FORM_TOKEN_SECRET is not set: form tokens are signed with a random key of this process, and die with it');

  app.get(
    '/v1/public/workstations/:id',
    {
      config: { public: true },
      schema: {
        operationId: 'getPublicWorkstation',
        tags: ['citizen'],
        summary: "A workstation's name, for the filing page its QR code opens",
        params: publicWorkstationParams,
        querystring: noQuery,
        response: { 200: publicWorkstationSchema, ...errorAnswers(400, 404, 503) },
        answers: { 200: 'The workstation: its name and where it is.', 404: 'No such workstation.' },
      },
    },
    async (request) => publicWorkstation(app.services, request.params.id),
  );

  app.get(
    '/v1/public/form-token',
    {
      config: { public: true },
      schema: {
        operationId: 'getFormToken',
        tags: ['citizen'],
        summary: 'A one-time form token for the filing page',
        description:
          'Signed over its issue time, a nonce and the workstation. The form it goes with is refused when sent within 2 s of issue (no person is that quick) or after 12 h; ' +
          'sending the same form (the same token) again answers what it filed the first time.',
        querystring: formTokenQuery,
        response: { 200: formTokenSchema, ...errorAnswers(400, 404) },
        answers: { 200: 'The token, and when the form it goes with may be sent.', 404: 'No such workstation.' },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return formTokenFor(app.services, tokens, request.query.workstationId);
    },
  );

  app.post(
    '/v1/public/reports',
    {
      config: {
        public: true,
        // Effective where the API limits requests at all (api/plugins/security.ts registers the limiter).
        rateLimit: {
          max: settings.filingsPerHour,
          timeWindow: HOUR_MS,
          keyGenerator: (request) => `filing:${normalizeIP(request.ip)}`,
          errorResponseBuilder: (_request, context) =>
            new HttpError(429, `too many requests: this address may file ${context.max} complaints or suggestions an hour through the QR page; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s (Retry-After)`),
        },
      },
      bodyLimit: REPORT_BODY_LIMIT,
      schema: {
        operationId: 'fileCitizenReport',
        tags: ['citizen'],
        summary: 'File a complaint or a suggestion from a workstation\'s QR page',
        description:
          'A complaint is filed as a case of channel `qr` at the workstation (its squad); a suggestion (`kind: "suggestion"`) as a suggestion (人民建议征集). ' +
          'Photos go afterwards to `POST /v1/track/{trackingCode}/files`, named in a supplement. A name or phone needs `consent: true`. ' +
          'The `website` field must stay empty. Each address may file RATE_LIMIT_PUBLIC_FILINGS_PER_HOUR (20) an hour.',
        querystring: noQuery,
        body: reportBodySchema,
        response: { 200: filedReportSchema, 201: filedReportSchema, ...errorAnswers(400, 500, 503) },
        answers: {
          200: 'This form was sent before: what it filed then.',
          201: 'Filed: the tracking code and the tracking page.',
          400: 'A field is wrong or missing — `issues` names it: the form token (made up, sent too soon, too old), the workstation, the address, the phone, the consent, the honeypot.',
        },
      },
    },
    async (request, reply) => {
      const filed = await fileCitizenReport(app.services, tokens, request.body);
      return reply.code(filed.created ? 201 : 200).send(filed);
    },
  );
};

export default publicRoutes;
