// Workstations' QR codes for staff to print: each code as PNG or SVG, and a squad's A4 sheet. Keyed, like
// the rest of the organisation (`org.read`): a code is the public address of a filing page, but which
// workstations exist and what they print is the bureau's to hand out.

import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { QR_PNG_DEFAULT_PX, QR_SHEET_STYLE_HASH, filingPageUrl, qrPng, qrSheet, qrSvg, workstationOr404 } from '../../qr.js';
import { errorAnswers, noQuery } from '../../schemas.js';
import { type PublicSettings, loadConfig, publicSettings } from '../../../platform/config.js';

export interface QrRouteOptions {
  /** Where the codes lead; by default PUBLIC_BASE_URL (else the listening address). */
  settings?: Pick<PublicSettings, 'baseUrl'>;
}

const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const pngQuery = z.strictObject({
  size: z.coerce.number().int().min(128).max(2048).default(QR_PNG_DEFAULT_PX).describe('the image\'s width and height in pixels (128–2048)'),
});

const binary = z.string().meta({ format: 'binary' });
const image = (type: string, description: string) => ({ description, content: { [type]: { schema: type === 'image/png' ? binary : z.string() } } });

// The sheet is HTML: it may show its one style block (pinned by its hash) and its inline SVG codes, and
// loads and runs nothing else.
const SHEET_CSP = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'style-src': [QR_SHEET_STYLE_HASH],
};

const qr: FastifyPluginAsyncZod<QrRouteOptions> = async (app, options) => {
  const { baseUrl } = options.settings ?? publicSettings(loadConfig());

  const codeOf = async (id: string) => filingPageUrl(baseUrl, (await workstationOr404(app.services.org, id)).id);
  const image200 = (reply: FastifyReply, type: string) => reply.type(type).header('cache-control', 'private, max-age=300');

  app.get(
    '/v1/workstations/:id/qr.png',
    {
      config: { access: 'org.read' },
      schema: {
        operationId: 'getWorkstationQrPng',
        tags: ['organisation'],
        summary: "A workstation's QR code as PNG",
        description: "It encodes the address of the workstation's filing page: PUBLIC_BASE_URL/citizen/#/w/{id}.",
        params: idParams,
        querystring: pngQuery,
        response: { 200: image('image/png', 'The QR code, black on white, with its quiet zone.'), ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'The QR code, black on white, with its quiet zone.', 404: 'No such workstation.' },
      },
    },
    async (request, reply) => {
      const url = await codeOf(request.params.id);
      return (image200(reply, 'image/png') as FastifyReply).send(await qrPng(url, request.query.size));
    },
  );

  app.get(
    '/v1/workstations/:id/qr.svg',
    {
      config: { access: 'org.read' },
      schema: {
        operationId: 'getWorkstationQrSvg',
        tags: ['organisation'],
        summary: "A workstation's QR code as SVG, for print at any size",
        description: "It encodes the address of the workstation's filing page: PUBLIC_BASE_URL/citizen/#/w/{id}.",
        params: idParams,
        querystring: noQuery,
        response: { 200: image('image/svg+xml', 'The QR code as SVG.'), ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'The QR code as SVG.', 404: 'No such workstation.' },
      },
    },
    async (request, reply) => {
      const url = await codeOf(request.params.id);
      return (image200(reply, 'image/svg+xml; charset=utf-8') as FastifyReply).send(await qrSvg(url));
    },
  );

  app.get(
    '/v1/units/:id/qr-sheet',
    {
      config: { access: 'org.read' },
      helmet: { contentSecurityPolicy: { useDefaults: false, directives: SHEET_CSP } },
      schema: {
        operationId: 'getSquadQrSheet',
        tags: ['organisation'],
        summary: "A squad's workstations' QR codes on printable A4 pages",
        description: 'An HTML page in Chinese: each workstation of the squad with its full name and QR code, six to an A4 page, with print CSS. Open it in a browser and print.',
        params: idParams,
        querystring: noQuery,
        response: { 200: image('text/html', 'The sheet, as HTML.'), ...errorAnswers(400, 401, 403, 404, 503) },
        answers: { 200: 'The sheet, as HTML.', 400: 'The unit is not a squad.', 404: 'No such unit.' },
      },
    },
    async (request, reply) =>
      (reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-cache') as FastifyReply).send(await qrSheet(app.services.org, baseUrl, request.params.id)),
  );
};

export default qr;
