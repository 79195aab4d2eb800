// GeoReport v2's requests and answers as zod schemas: they check every parameter (an unknown one is
// refused, never ignored), shape the JSON answers (whose XML follows from them, api/open311/xml.ts) and
// describe the routes in /openapi.json. Field names are the spec's, snake_case as it writes them.

import { z } from 'zod';
import { CATEGORIES } from '../../domain/case.js';
import { fieldKit } from '../../domain/fields.js';
import { FORMATS } from './xml.js';

const { link } = fieldKit(z);

const format = z.enum(FORMATS, { error: 'is xml or json: the format is the extension of the resource, e.g. services.xml' });

export const formatParams = z.strictObject({ format });
export const serviceParams = z.strictObject({ service_code: z.string().min(1).max(64), format });
export const requestParams = z.strictObject({ service_request_id: z.string().min(1).max(64), format });
export const tokenParams = z.strictObject({ token: z.string().min(1).max(64), format });

const jurisdiction = z.string().max(100).optional().describe('this endpoint serves one jurisdiction, shanghai.gov.cn; it may be left out');

/** The reads take no parameter but the jurisdiction (and no key: `api_key` in a URL is refused). */
export const readQuery = z.strictObject({ jurisdiction_id: jurisdiction });

/** A parameter that may be "declared multiple times, comma delimited" (the spec): `a,b` or `x=a&x=b`. */
const commaList = <T extends z.ZodType<string, string>>(item: T, max: number) =>
  z
    .union([z.string().max(20_000), z.array(z.string().max(20_000)).max(max)])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).min(1).max(max));

const w3Time = z.iso.datetime({ offset: true, error: 'must be a date and time with its time zone (W3C), e.g. 2026-11-01T00:00:00+08:00' });

/** The most requests one answer holds: the spec's default limit. */
export const MAX_PAGE_SIZE = 1000;

export const requestsQuery = z.strictObject({
  jurisdiction_id: jurisdiction,
  service_request_id: commaList(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'holds a value that is not a service_request_id'), MAX_PAGE_SIZE)
    .optional()
    .describe('comma-separated service_request_ids: these requests only (the other filters are then ignored, as the spec says)'),
  service_code: commaList(z.enum(CATEGORIES, { error: (issue) => `${JSON.stringify(issue.input)} is not a service_code: services.xml lists them` }), CATEGORIES.length)
    .optional()
    .describe('comma-separated service_codes'),
  start_date: w3Time.optional().describe('requested at or after; with end_date, at most 90 days apart (default: 90 days before end_date)'),
  end_date: w3Time.optional().describe('requested at or before (default: 90 days after start_date, or now)'),
  status: commaList(z.enum(['open', 'closed'], { error: (issue) => `${JSON.stringify(issue.input)} is neither open nor closed` }), 2).optional().describe('open, closed or both, comma-separated'),
  page: z.coerce.number().int().min(1).max(1000).default(1).describe('an extension of this server: the page of page_size requests, newest first; a Link header names the next'),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE).describe('an extension of this server: requests per page (at most 1000, the default)'),
});
export type RequestsQuery = z.infer<typeof requestsQuery>;

/** Degrees as a form sends them: a decimal number in text. */
const degrees = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^[+-]?\d{1,3}(\.\d{1,15})?$/, 'must be a decimal number of degrees (WGS84)')
    .transform(Number)
    .pipe(z.number().min(-max, `must lie between -${max} and ${max}`).max(max, `must lie between -${max} and ${max}`))
    .optional();

const ATTRIBUTE_KEY = /^attribute\[([^[\]]{1,64})\](\[\])?$/;

/** The named parameters of POST requests: every one of the spec's, most of them optional. */
const postFields = {
  api_key: z.string().max(200).optional().describe('the API key of an intake key holder (unbound, or bound to channel open311); missing or not such a key answers 403'),
  jurisdiction_id: jurisdiction,
  service_code: z.string({ error: 'is required: services.xml lists the service codes' }).min(1).max(64),
  lat: degrees(90).describe('with long: where (WGS84); lat and long, or address_string, are required'),
  long: degrees(180).describe('with lat: where (WGS84)'),
  address_string: z.string().trim().min(1).max(500).optional().describe('where, as a person writes it, most specific first'),
  address_id: z.string().max(200).optional().describe('not taken here: this jurisdiction has no address repository to look it up in (400)'),
  email: z.email({ error: 'is not an e-mail address' }).max(254).optional().describe('accepted and not kept: the bureau calls citizens back by phone'),
  device_id: z.string().max(200).optional().describe('with the other fields, makes a repeated request the same request (see below)'),
  account_id: z.string().max(200).optional().describe('with the other fields, makes a repeated request the same request'),
  first_name: z.string().trim().max(50).optional().describe("the citizen's given name: seen only by those who handle the case, never in a read"),
  last_name: z.string().trim().max(50).optional().describe("the citizen's family name"),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[\d\s()-]{3,40}$/, 'must be a phone number: digits, with +, spaces, dashes or brackets')
    .optional()
    .describe("the citizen's phone, for the call back: never in a read"),
  description: z.string().max(4000).optional().describe('the report, at most 4,000 characters'),
  media_url: link.optional().describe('a photo or other media: an http or https link'),
};

const POST_FIELDS = new Set(Object.keys(postFields));

/**
 * The form of POST requests. Besides its named parameters it takes `attribute[code]=value` (and
 * `attribute[code][]=value` for a list), which the form parser keeps as keys of their own; any other key
 * is refused by name.
 */
export const requestForm = z
  .object(postFields)
  .catchall(z.union([z.string().max(2000), z.array(z.string().max(2000)).max(20)]))
  .superRefine((form, ctx) => {
    for (const key of Object.keys(form)) {
      if (POST_FIELDS.has(key) || ATTRIBUTE_KEY.test(key)) continue;
      ctx.addIssue({ code: 'custom', path: [key], message: 'unknown parameter: GeoReport v2 has no such parameter here (attributes are sent as attribute[code]=value)' });
    }
  })
  .transform((form) => {
    const named: Record<string, unknown> = {};
    const attributes: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(form)) {
      const attribute = ATTRIBUTE_KEY.exec(key);
      if (attribute) attributes[attribute[1]!] = value as string | string[];
      else named[key] = value;
    }
    return { ...(named as { [K in keyof typeof postFields]: z.output<(typeof postFields)[K]> }), attributes };
  })
  .describe('application/x-www-form-urlencoded. Attributes of the service definition as attribute[code]=value.')
  .meta({ id: 'GeoReportRequestForm' });
export type RequestForm = z.output<typeof requestForm>;

// The answers, as JSON. Fields the spec lets a server leave empty are null (an empty element in XML).

export const discoverySchema = z
  .object({
    changeset: z.string(),
    contact: z.string(),
    key_service: z.string(),
    endpoints: z.array(
      z.object({
        specification: z.string(),
        url: z.string(),
        changeset: z.string(),
        type: z.enum(['production', 'test']),
        formats: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'GeoReportDiscovery' });

export const serviceSchema = z
  .object({
    service_code: z.string(),
    service_name: z.string(),
    description: z.string().nullable(),
    metadata: z.boolean(),
    type: z.enum(['realtime', 'batch', 'blackbox']),
    keywords: z.string().nullable(),
    group: z.string().nullable(),
  })
  .meta({ id: 'GeoReportService' });

export const serviceDefinitionSchema = z
  .object({
    service_code: z.string(),
    attributes: z.array(
      z.object({
        variable: z.boolean(),
        code: z.string(),
        datatype: z.enum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']),
        required: z.boolean(),
        datatype_description: z.string().nullable(),
        order: z.number().int(),
        description: z.string(),
        values: z.array(z.object({ key: z.string(), name: z.string() })).optional(),
      }),
    ),
  })
  .meta({ id: 'GeoReportServiceDefinition' });

export const requestSchema = z
  .object({
    service_request_id: z.string(),
    status: z.enum(['open', 'closed']),
    status_notes: z.string().nullable(),
    service_name: z.string().nullable(),
    service_code: z.string(),
    description: z.string().max(4000).nullable(),
    agency_responsible: z.string().nullable(),
    service_notice: z.string().nullable(),
    requested_datetime: z.string(),
    updated_datetime: z.string().nullable(),
    expected_datetime: z.string().nullable().describe("the case's current deadline: when its present stage is due"),
    address: z.string().nullable(),
    lat: z.number().nullable(),
    long: z.number().nullable(),
    media_url: z.string().nullable(),
  })
  .meta({ id: 'GeoReportRequest' });
export type Open311Request = z.infer<typeof requestSchema>;

export const requestCreatedSchema = z
  .object({ service_request_id: z.string(), token: z.string(), service_notice: z.string().nullable() })
  .meta({ id: 'GeoReportRequestCreated' });

export const tokenSchema = z.object({ service_request_id: z.string(), token: z.string() }).meta({ id: 'GeoReportToken' });

export const errorsSchema = z
  .array(z.object({ code: z.number().int().describe('the HTTP status'), description: z.string().describe('what was wrong, for a person') }))
  .meta({ id: 'GeoReportErrors' });

/** An answer in the spec's two formats: the XML follows the JSON schema by the spec's mapping (api/open311/xml.ts). */
export const inBothFormats = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema }, 'text/xml': { schema } } });

type ErrorStatus = 400 | 403 | 404 | 413 | 415 | 429 | 500 | 503;
/** The error answers a route gives, all in the spec's format; 429 and 503 can come on every route. */
export const errorAnswers = <const S extends readonly ErrorStatus[]>(...statuses: S) =>
  Object.fromEntries([...statuses, 429, 503].map((status) => [status, inBothFormats(errorsSchema)])) as { [K in S[number] | 429 | 503]: ReturnType<typeof inBothFormats<typeof errorsSchema>> };
