// Open311 GeoReport v2 under /open311/v2, held to the standard: every answer, in JSON and in XML (parsed
// into the JSON shape first), validates against the published JSON Schemas of open311/schema-validation
// (vendored in test/fixtures/open311, see its README), and carries no field the schema does not name;
// errors come in the spec's format with the spec's statuses; a POST files a case that GET shows with the
// case's live deadline as expected_datetime; the public reads carry nothing of the citizen. At the end a
// small client written only from the spec files and follows a request over a real socket.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrincipal, revokeApiKey } from '../db/queries/principals.js';
import { CITY } from '../db/seed.js';
import { open311Messages } from '../api/open311/messages.js';
import { createRequest, principalForApiKey } from '../api/open311/requests.js';
import { requestForm } from '../api/open311/schemas.js';
import { REPO_ROOT } from '../platform/config.js';
import { type TestEnv, createTestEnv, sampleIntake } from './support.js';

// ajv-formats is a CommonJS module whose default export is the plugin.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;
type Schema = Json & { properties?: Record<string, Json>; items?: Json; type?: string; anyOf?: Json[]; $ref?: string };

const fixture = (name: string): Schema => JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'open311', name), 'utf8')) as Schema;

// The published schemas (open311/schema-validation, schema/georeport-v2) and, from its swagger.json, the
// answers of POST requests and of a token, which have no schema file of their own.
const SERVICE = fixture('service.json');
const SERVICES = fixture('services.json');
const SERVICE_DEFINITION = fixture('service-definition.json');
const REQUEST = fixture('request.json');
const REQUESTS = fixture('requests.json');
const SWAGGER = fixture('swagger.json') as Schema & { definitions: Record<string, Schema> };
const CREATED: Schema = { type: 'array', minItems: 1, items: SWAGGER.definitions.RequestResponse! };
const TOKEN: Schema = { type: 'array', minItems: 1, items: SWAGGER.definitions.TokenResponse! };

// Written here from the spec's pages, for what the repository has no schema of: the Service Discovery
// document (wiki.open311.org/Service_Discovery: "All fields are required") and the errors (GeoReport_v2
// "Errors": a list of code and description).
const DISCOVERY: Schema = {
  type: 'object',
  required: ['changeset', 'contact', 'key_service', 'endpoints'],
  additionalProperties: false,
  properties: {
    changeset: { type: 'string' },
    contact: { type: 'string' },
    key_service: { type: 'string' },
    endpoints: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['specification', 'url', 'changeset', 'type', 'formats'],
        additionalProperties: false,
        properties: {
          specification: { type: 'string' },
          url: { type: 'string', format: 'uri' },
          changeset: { type: 'string' },
          type: { type: 'string', enum: ['production', 'test'] },
          formats: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};
const ERRORS: Schema = {
  type: 'array',
  minItems: 1,
  items: { type: 'object', required: ['code', 'description'], additionalProperties: false, properties: { code: { type: 'integer' }, description: { type: 'string', minLength: 1 } } },
};

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
// swagger.json's own formats: identifiers and unsigned integers, nothing a value can break.
ajv.addFormat('uid', true);
ajv.addFormat('uint', true);
ajv.addSchema(SERVICE as AnySchema, 'service.json');
ajv.addSchema(REQUEST as AnySchema, 'request.json');
const REFS: Record<string, Schema> = { 'service.json': SERVICE, 'request.json': REQUEST };

/** Each answer: its schema, and the XML root the spec gives it. */
const ANSWERS = {
  discovery: { schema: DISCOVERY, root: 'discovery' },
  services: { schema: SERVICES, root: 'services' },
  serviceDefinition: { schema: SERVICE_DEFINITION, root: 'service_definition' },
  requests: { schema: REQUESTS, root: 'service_requests' },
  created: { schema: CREATED, root: 'service_requests' },
  token: { schema: TOKEN, root: 'service_requests' },
  errors: { schema: ERRORS, root: 'errors' },
} as const;
type Answer = keyof typeof ANSWERS;
const validators = new Map<Answer, ValidateFunction>();
const validatorOf = (answer: Answer) => validators.get(answer) ?? validators.set(answer, ajv.compile(ANSWERS[answer].schema as AnySchema)).get(answer)!;

const resolve = (schema: Schema): Schema => (schema.$ref ? REFS[schema.$ref]! : schema);

/** The schema's own fields at every level: the published ones name no `additionalProperties: false`, so this checks it. */
function fieldsOutsideSchema(value: unknown, schema: Schema, at = ''): string[] {
  const s = resolve(schema);
  if (Array.isArray(value)) return s.items ? value.flatMap((v, i) => fieldsOutsideSchema(v, s.items as Schema, `${at}/${i}`)) : [];
  if (value === null || typeof value !== 'object' || !s.properties) return [];
  return Object.entries(value).flatMap(([k, v]) => (s.properties![k] ? fieldsOutsideSchema(v, s.properties![k]!, `${at}/${k}`) : [`${at}/${k}`]));
}

/** Holds a JSON answer to its schema, and to no field outside it. */
function expectValid(answer: Answer, value: unknown): void {
  const validate = validatorOf(answer);
  expect(validate(value) ? [] : validate.errors, JSON.stringify(value)).toEqual([]);
  expect(fieldsOutsideSchema(value, ANSWERS[answer].schema)).toEqual([]);
}

const LIST_ITEMS = ['service', 'request', 'error', 'attribute', 'value', 'endpoint', 'format'];
const xmlParser = new XMLParser({ ignoreDeclaration: true, parseTagValue: false, trimValues: true, isArray: (name) => LIST_ITEMS.includes(name) });

/** The types a schema allows at a place: `type`, or the types of `anyOf`. */
const typesOf = (s: Schema): string[] => (s.type ? [s.type] : (s.anyOf ?? []).map((a) => a.type as string));

/**
 * XML text turned into the JSON shape by the schema, as the spec's JSON is a mapping of its XML: a list
 * element's children become an array, an empty element a null where the schema allows one, and text a
 * number or boolean where the schema says so (a value that is neither stays text, and fails validation).
 */
function fromXmlValue(value: unknown, schema: Schema): unknown {
  const s = resolve(schema);
  const types = typesOf(s);
  if (types.includes('array') || s.items) {
    const children = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.values(value)[0] : value;
    const list = Array.isArray(children) ? children : children === '' || children === undefined ? [] : [children];
    return list.map((item) => fromXmlValue(item, s.items as Schema));
  }
  if (s.properties && value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromXmlValue(v, s.properties![k] ?? {})]));
  }
  if (value === '' && types.includes('null')) return null;
  if (typeof value !== 'string') return value;
  if ((types.includes('number') || types.includes('integer')) && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value)) return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** An XML answer: its declaration and content type checked, its root element the spec's, in the JSON shape. */
function fromXml(answer: Answer, res: LightMyRequestResponse): unknown {
  expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
  expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
  const parsed = xmlParser.parse(res.body) as Record<string, unknown>;
  const { root, schema } = ANSWERS[answer];
  expect(Object.keys(parsed)).toEqual([root]);
  return fromXmlValue(parsed[root], schema);
}

let env: TestEnv;
let station: { id: string; name: string; squadId: string; district: string; street: string };
let squadName: string;
const keys: Record<'bound' | 'qr', string> = { bound: '', qr: '' };

beforeAll(async () => {
  env = await createTestEnv('open311');
  keys.bound = (await createPrincipal(env.database.db, { name: 'Open311 app', role: 'intake', unitId: CITY.id, channel: 'open311' })).key;
  keys.qr = (await createPrincipal(env.database.db, { name: 'QR page', role: 'intake', unitId: CITY.id, channel: 'qr' })).key;
  const stations = (await env.request('GET', '/v1/workstations', { key: env.keys.desk })).json().workstations as (typeof station)[];
  station = stations.find((w) => w.district === '闵行区' && w.street === '七宝镇')!;
  const units = (await env.request('GET', '/v1/units', { key: env.keys.desk })).json().units as { id: string; name: string }[];
  squadName = units.find((u) => u.id === station.squadId)!.name;
});
afterAll(async () => env?.close());

const get = (resource: string, headers: Record<string, string> = {}) => env.app.inject({ method: 'GET', url: `/open311/v2/${resource}`, headers });

const formOf = (fields: Record<string, string | string[]>) => {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  return form.toString();
};
const post = (fields: Record<string, string | string[]>, format: 'json' | 'xml' = 'json', headers: Record<string, string> = {}) =>
  env.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers }, payload: formOf(fields) });

/** A report as an app sends it: a place, a photo, the citizen's name and phone, and their words. */
const report = (overrides: Record<string, string | string[]> = {}) => ({
  api_key: env.keys.intake!,
  service_code: 'street_vending',
  lat: '31.1585',
  long: '121.3532',
  address_string: '闵行区七宝镇漕宝路1号菜场门口',
  description: `菜场门口每天傍晚有摊贩占道经营，行人只能走机动车道。${Math.random()}`,
  media_url: 'https://photos.example.org/vending/1.jpg',
  first_name: '小明',
  last_name: '王',
  phone: '13812345678',
  email: 'xiaoming@example.org',
  device_id: 'device-42',
  ...overrides,
});

/** Files a report and answers its service_request_id. */
async function file(overrides: Record<string, string | string[]> = {}): Promise<string> {
  const res = await post(report(overrides));
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { service_request_id: string }[])[0]!.service_request_id;
}

/** The case as the desk sees it, through the API's own route. */
const staffCase = async (id: string) => {
  const res = await env.request('GET', `/v1/cases/${id}`, { key: env.keys.desk });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json & { deadlineAt: string; createdAt: string; trackingCode: string };
};

/** Asks for a resource in both formats, checks both against the schema, and that they say the same. */
async function both(resource: string, answer: Answer, headers: Record<string, string> = {}): Promise<unknown> {
  const json = await get(`${resource}.json`, headers);
  expect(json.statusCode, json.body).toBe(200);
  expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
  expectValid(answer, json.json());
  const xml = await get(`${resource}.xml`, headers);
  expect(xml.statusCode, xml.body).toBe(200);
  const fromXmlAnswer = fromXml(answer, xml);
  expectValid(answer, fromXmlAnswer);
  expect(fromXmlAnswer).toEqual(json.json());
  return json.json();
}

/** A refusal in the spec's format, in JSON and in XML alike: its status, and each error's description. */
async function refused(send: (format: 'json' | 'xml') => Promise<LightMyRequestResponse>, status: number): Promise<string[]> {
  const json = await send('json');
  expect(json.statusCode, json.body).toBe(status);
  expectValid('errors', json.json());
  const errors = json.json() as { code: number; description: string }[];
  expect(errors.every((e) => e.code === status)).toBe(true);
  const xml = await send('xml');
  expect(xml.statusCode, xml.body).toBe(status);
  expect(fromXml('errors', xml)).toEqual(errors);
  return errors.map((e) => e.description);
}

describe('discovery and services', () => {
  it('When a client discovers the endpoint, then both formats give the GeoReport v2 endpoint of this server, its formats and how to get a key', async () => {
    const discovery = (await both('discovery', 'discovery', { host: 'open311.example.gov.cn' })) as { endpoints: Json[]; key_service: string };
    expect(discovery.endpoints).toEqual([
      expect.objectContaining({ specification: 'http://wiki.open311.org/GeoReport_v2', url: 'http://open311.example.gov.cn/open311/v2', type: 'production', formats: ['text/xml', 'application/json'] }),
    ]);
    expect(discovery.key_service).toContain('open311');
  });

  it('When a client lists the services, then every category is one, named as the console names it, in Chinese and, asked for, in English', async () => {
    const services = (await both('services', 'services')) as Json[];
    expect(services).toHaveLength(14);
    expect(services.find((s) => s.service_code === 'illegal_construction')).toMatchObject({ service_name: '违法建筑', metadata: true, type: 'realtime', group: '房屋安全与使用' });
    expect(services.find((s) => s.service_code === 'street_vending')!.keywords).toContain('摆摊');
    const english = (await both('services', 'services', { 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' })) as Json[];
    expect(english.find((s) => s.service_code === 'illegal_construction')).toMatchObject({ service_name: 'Illegal construction', group: 'Housing safety and use' });
  });

  it("When a client reads a service's definition, then its attributes say what they take, the districts among them", async () => {
    const definition = (await both('services/illegal_construction', 'serviceDefinition')) as { service_code: string; attributes: Json[] };
    expect(definition.service_code).toBe('illegal_construction');
    expect(definition.attributes.map((a) => a.code)).toEqual(['title', 'urgent', 'district', 'street', 'workstation_id']);
    const district = definition.attributes.find((a) => a.code === 'district') as { datatype: string; values: { key: string; name: string }[] };
    expect(district.datatype).toBe('singlevaluelist');
    expect(district.values).toContainEqual({ key: '310112', name: '闵行区' });
    expect(definition.attributes.every((a) => a.required === false && a.variable === true)).toBe(true);
  });

  it('When the services or their definitions change, then so must the changeset that tells clients to refresh them', async () => {
    const answers: unknown[] = [];
    for (const lang of ['zh-CN', 'en']) {
      const services = (await get('services.json', { 'accept-language': lang })).json() as { service_code: string }[];
      answers.push(services);
      for (const s of services) answers.push((await get(`services/${s.service_code}.json`, { 'accept-language': lang })).json());
    }
    const fingerprint = createHash('sha256').update(JSON.stringify(answers)).digest('hex').slice(0, 16);
    const { changeset } = (await get('discovery.json')).json() as { changeset: string };
    // On a failure here: set SERVICES_CHANGESET (api/open311/services.ts) to now, and both values below.
    expect({ changeset, fingerprint }).toEqual({ changeset: '2026-11-23 00:00', fingerprint: '90f3f450b09a5efe' });
  });
});

describe('POST requests', () => {
  it('When an app files a form, then 201 answers the case id and a token (never the tracking code), and the case is filed through intake with what the form said', async () => {
    const res = await post(
      report({ 'attribute[title]': '菜场门口摊贩占道', 'attribute[urgent]': 'true', 'attribute[district]': '310112', 'attribute[street]': '七宝镇', 'attribute[workstation_id]': station.id }),
      'xml',
    );
    expect(res.statusCode, res.body).toBe(201);
    const [created] = fromXml('created', res) as { service_request_id: string; token: string; service_notice: string }[];
    expectValid('created', [created]);
    expect(created!.service_notice).toContain('24 小时');
    expect(created!.token).toBe(created!.service_request_id);
    const staff = await staffCase(created!.service_request_id);
    expect(res.body).not.toContain(staff.trackingCode);
    expect(staff).toMatchObject({
      channel: 'open311',
      category: 'street_vending',
      title: '菜场门口摊贩占道',
      urgent: true,
      state: 'triage',
      workstationId: station.id,
      location: { address: '闵行区七宝镇漕宝路1号菜场门口', district: '闵行区', street: '七宝镇', lat: 31.1585, lng: 121.3532 },
      citizen: { name: '王小明', phone: '13812345678' },
      attachments: [{ url: 'https://photos.example.org/vending/1.jpg' }],
    });
    // The e-mail is accepted and kept nowhere.
    expect(JSON.stringify(staff)).not.toContain('xiaoming@example.org');
  });

  it('When a request is read right after it is filed, then it is open, its expected_datetime is the case\'s deadline, and it is with the squad of its workstation', async () => {
    const id = await file({ 'attribute[workstation_id]': station.id });
    const staff = await staffCase(id);
    const [request] = (await both(`requests/${id}`, 'requests')) as Json[];
    expect(request).toMatchObject({
      service_request_id: id,
      status: 'open',
      status_notes: '待分拣（分拣）',
      service_code: 'street_vending',
      service_name: '无证设摊',
      agency_responsible: squadName,
      requested_datetime: staff.createdAt,
      expected_datetime: staff.deadlineAt,
      address: '闵行区七宝镇漕宝路1号菜场门口',
      lat: 31.1585,
      long: 121.3532,
      media_url: 'https://photos.example.org/vending/1.jpg',
    });
    expect(Date.parse(staff.deadlineAt) - Date.parse(staff.createdAt)).toBe(24 * 3600_000);
  });

  it('When the desk moves the case on, then the request follows: the new deadline while open; closed, with the department and then the answer, once transferred', async () => {
    const id = await file({ description: '小区里有人用明火焚烧垃圾，浓烟很大。' });
    const act = async (body: Json) => {
      const res = await env.request('POST', `/v1/cases/${id}/actions`, { key: env.keys.desk, body });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { deadlineAt?: string; updatedAt: string; resolvedAt?: string };
    };
    const transferred = await act({ type: 'triage', decision: 'transfer', department: 'environment' });
    let [request] = (await both(`requests/${id}`, 'requests')) as Json[];
    expect(request).toMatchObject({ status: 'closed', status_notes: '已移送生态环境', agency_responsible: '生态环境', expected_datetime: null, updated_datetime: transferred.resolvedAt });
    await act({ type: 'feedback', message: '您反映的问题已移送生态环境部门处理，王小明您好，可拨打 13812345678 以外的 12345 查询。' });
    [request] = (await both(`requests/${id}`, 'requests')) as Json[];
    expect(request!.status).toBe('closed');
    expect(request!.status_notes).toBe('您反映的问题已移送生态环境部门处理，***您好，可拨打 *********** 以外的 12345 查询。');

    const dispatchedId = await file();
    const dispatched = await (async () => {
      const res = await env.request('POST', `/v1/cases/${dispatchedId}/actions`, { key: env.keys.desk, body: { type: 'triage', decision: 'in_scope', workstationId: station.id } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { deadlineAt: string };
    })();
    const [open] = (await both(`requests/${dispatchedId}`, 'requests')) as Json[];
    expect(open).toMatchObject({ status: 'open', status_notes: '已派单（签收）', agency_responsible: squadName, expected_datetime: dispatched.deadlineAt });
  });

  it('When the same form comes again, then it is the same request (200, nothing new); with another field or key, it is another; with the same Idempotency-Key, the first', async () => {
    const fields = report();
    const first = await post(fields);
    expect(first.statusCode, first.body).toBe(201);
    const again = await post(fields, 'xml');
    expect(again.statusCode, again.body).toBe(200);
    const id = (first.json() as { service_request_id: string }[])[0]!.service_request_id;
    expect((fromXml('created', again) as { service_request_id: string }[])[0]!.service_request_id).toBe(id);
    // Empty parameters are parameters not sent.
    expect((await post({ ...fields, account_id: '', 'attribute[street]': '' })).statusCode).toBe(200);
    const other = await post({ ...fields, device_id: 'device-43' });
    expect(other.statusCode, other.body).toBe(201);
    expect((other.json() as { service_request_id: string }[])[0]!.service_request_id).not.toBe(id);
    // The same form with another key is another app's report.
    expect((await post({ ...fields, api_key: keys.bound })).statusCode).toBe(201);

    const keyed = await post(report(), 'json', { 'idempotency-key': 'app-retry-1' });
    expect(keyed.statusCode, keyed.body).toBe(201);
    const retried = await post(report(), 'json', { 'idempotency-key': 'app-retry-1' });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual(keyed.json());
  });

  it('When the same form comes again within 24 hours, across the day\'s boundary too, then it is the same request; after 24 hours it is a new one', async () => {
    const fields = report();
    const first = await post(fields);
    expect(first.statusCode, first.body).toBe(201);
    const id = (first.json() as { service_request_id: string }[])[0]!.service_request_id;
    const form = requestForm.parse(fields);
    const principal = await principalForApiKey(env.app.services, fields.api_key);
    const at = (now: number) => createRequest(env.app.services, form, principal, { apiKey: fields.api_key, m: open311Messages('zh-CN'), now });
    const DAY = 24 * 3600_000;
    const nextWindow = (Math.floor(Date.now() / DAY) + 1) * DAY;
    expect(await at(nextWindow + 1_000)).toMatchObject({ created: false, answer: { service_request_id: id } });
    const later = await at(Date.now() + DAY + 60_000);
    expect(later.created).toBe(true);
    expect(later.answer.service_request_id).not.toBe(id);
  });

  it('When the api_key is missing, unknown, not an intake key, or bound to another channel, then 403 in the spec\'s format; bound to open311, it files', async () => {
    const missing = await refused((format) => post({ ...report(), api_key: '' }, format), 403);
    expect(missing[0]).toMatch(/^api_key was not provided/);
    expect((await refused((format) => post(report({ api_key: 'bn_not-a-key' }), format), 403))[0]).toMatch(/^invalid api_key/);
    expect((await refused((format) => post(report({ api_key: env.keys.desk! }), format), 403))[0]).toMatch(/belongs to a desk/);
    expect((await refused((format) => post(report({ api_key: keys.qr }), format), 403))[0]).toMatch(/bound to channel qr/);
    // A refused key is refused before the form is looked at: an unknown parameter does not show.
    expect(await refused((format) => post({ service_code: 'nothing', junk: 'x' }, format), 403)).toHaveLength(1);
    expect((await post(report({ api_key: keys.bound }))).statusCode).toBe(201);
    // A key revoked a moment ago is refused at once.
    const app = await createPrincipal(env.database.db, { name: 'Retired app', role: 'intake', unitId: CITY.id, channel: 'open311' });
    expect((await post(report({ api_key: app.key }))).statusCode).toBe(201);
    await revokeApiKey(env.database.db, { keyId: app.keyId });
    expect((await refused((format) => post(report({ api_key: app.key }), format), 403))[0]).toMatch(/^invalid api_key/);
  });

  it('When the form is wrong, then each mistake is named: 404 for a service that does not exist, 400 for the rest, 415 for a body that is not a form', async () => {
    expect(await refused((format) => post(report({ service_code: 'potholes' }), format), 404)).toEqual(['service_code "potholes" was not found: services.xml lists them']);
    const { service_code: _code, ...withoutCode } = report();
    expect(await refused((format) => post(withoutCode, format), 400)).toEqual(['service_code: is required: services.xml lists the service codes']);
    const { lat: _lat, long: _long, address_string: _address, ...nowhere } = report();
    expect(await refused((format) => post(nowhere, format), 400)).toEqual(['address_string: a location is required: lat and long, or address_string']);
    expect(await refused((format) => post({ ...nowhere, lat: '31.2' }, format), 400)).toEqual(['long: lat and long are sent together']);
    expect((await refused((format) => post({ ...nowhere, address_id: 'A-1' }, format), 400))[0]).toMatch(/^address_id: is not taken here/);
    expect((await refused((format) => post(report({ lat: '91', long: 'east' }), format), 400)).sort()).toEqual([
      'lat: must lie between -90 and 90',
      'long: must be a decimal number of degrees (WGS84)',
    ]);
    expect(await refused((format) => post(report({ colour: 'red', 'attribute[]': 'x' }), format), 400)).toEqual([
      'colour: unknown parameter: GeoReport v2 has no such parameter here (attributes are sent as attribute[code]=value)',
      'attribute[]: unknown parameter: GeoReport v2 has no such parameter here (attributes are sent as attribute[code]=value)',
    ]);
    expect(
      await refused((format) => post(report({ 'attribute[floor]': '3', 'attribute[urgent]': 'maybe', 'attribute[district]': ['310112', '310104'], 'attribute[workstation_id]': 'ws-none' }), format), 400),
    ).toEqual([
      'attribute[floor]: no attribute "floor": the service definition lists title, urgent, district, street, workstation_id',
      'attribute[urgent]: is one of the keys true, false',
      'attribute[district]: takes one value, not several',
    ]);
    expect(await refused((format) => post(report({ 'attribute[workstation_id]': 'ws-none' }), format), 400)).toEqual(['attribute[workstation_id]: no workstation "ws-none"']);
    expect((await refused((format) => post(report({ description: '长'.repeat(4001) }), format), 400))[0]).toMatch(/^description: /);
    expect((await refused((format) => post(report({ media_url: 'javascript:alert(1)' }), format), 400))[0]).toMatch(/^media_url: must be an http or https URL/);
    expect((await refused((format) => post(report({ jurisdiction_id: 'sfgov.org' }), format), 404))[0]).toMatch(/^jurisdiction_id "sfgov.org" was not found/);
    expect((await post(report({ jurisdiction_id: 'shanghai.gov.cn' }))).statusCode).toBe(201);
    const huge = await refused((format) => post(report({ description: 'x'.repeat(70_000) }), format), 413);
    expect(huge).toEqual([`the form is larger than POST requests takes: at most ${64 * 1024} bytes`]);
    expect(await refused((format) => post(report({ description: '夜里\u0000施工' }), format), 400)).toEqual(['description: contains a NUL character (U+0000), which cannot be stored']);
    const json = (format: 'json' | 'xml') =>
      env.app.inject({ method: 'POST', url: `/open311/v2/requests.${format}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(report()) });
    expect((await refused(json, 415))[0]).toMatch(/application\/x-www-form-urlencoded/);
  });
});

describe('GET requests', () => {
  let ids: { vending: string; fumes: string; closed: string };
  let elsewhere: string;

  beforeAll(async () => {
    ids = {
      vending: await file({ description: `菜场门口摊贩 ${Math.random()}` }),
      fumes: await file({ service_code: 'cooking_fumes', description: `烧烤店油烟直排 ${Math.random()}` }),
      closed: await file({ service_code: 'cooking_fumes', description: `饭店油烟 ${Math.random()}` }),
    };
    const explained = await env.request('POST', `/v1/cases/${ids.closed}/actions`, { key: env.keys.desk, body: { type: 'triage', decision: 'explain', explanation: '该店已安装油烟净化设施。' } });
    expect(explained.statusCode, explained.body).toBe(200);
    const other = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: `xm-${Math.random()}` }) });
    expect(other.statusCode, other.body).toBe(201);
    elsewhere = other.json().id as string;
  });

  const idsOf = async (query: string): Promise<string[]> => {
    const json = await get(`requests.json?${query}`);
    expect(json.statusCode, json.body).toBe(200);
    expectValid('requests', json.json());
    const xml = await get(`requests.xml?${query}`);
    expect(fromXml('requests', xml)).toEqual(json.json());
    return (json.json() as Json[]).map((r) => r.service_request_id as string);
  };

  it('When a client lists requests, then it gets those filed through Open311, newest first, filtered by id, service, status and time', async () => {
    const all = await idsOf('');
    expect(all.slice(0, 3)).toEqual([ids.closed, ids.fumes, ids.vending]);
    expect(all).not.toContain(elsewhere);
    expect(await idsOf(`service_request_id=${ids.vending},${ids.closed},${elsewhere}&service_code=waste_sorting`)).toEqual([ids.closed, ids.vending]);
    expect(await idsOf(`service_request_id=${ids.vending}&service_request_id=${ids.fumes}`)).toEqual([ids.fumes, ids.vending]);
    const fumes = await idsOf('service_code=cooking_fumes');
    expect(fumes.slice(0, 2)).toEqual([ids.closed, ids.fumes]);
    expect(await idsOf('service_code=cooking_fumes&status=closed')).toEqual([ids.closed]);
    expect(await idsOf('service_code=cooking_fumes&status=closed,closed')).toEqual([ids.closed]);
    expect((await idsOf('service_code=cooking_fumes&status=open'))[0]).toBe(ids.fumes);
    expect((await idsOf('service_code=cooking_fumes&status=open,closed')).slice(0, 2)).toEqual([ids.closed, ids.fumes]);
    const past = await idsOf(`start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-03-01T00:00:00%2B08:00`);
    expect(past).toEqual([]);
    const start = encodeURIComponent(new Date(Date.now() - 3600_000).toISOString());
    expect((await idsOf(`start_date=${start}&service_code=cooking_fumes`)).slice(0, 2)).toEqual([ids.closed, ids.fumes]);
    // Empty parameters are parameters not sent.
    expect((await idsOf('service_code=&status=&start_date=')).slice(0, 3)).toEqual([ids.closed, ids.fumes, ids.vending]);
  });

  it('When there are more than a page, then page_size cuts it and a Link header names the next page', async () => {
    const first = await get('requests.json?page_size=1&service_code=cooking_fumes');
    expect((first.json() as Json[]).map((r) => r.service_request_id)).toEqual([ids.closed]);
    expect(first.headers.link).toBe('</open311/v2/requests.json?page_size=1&service_code=cooking_fumes&page=2>; rel="next"');
    const second = await get('requests.json?page_size=1&service_code=cooking_fumes&page=2');
    expect((second.json() as Json[]).map((r) => r.service_request_id)).toEqual([ids.fumes]);
    expect(second.headers.link).toBeUndefined();
    expect((await get('requests.json?page_size=1&service_code=cooking_fumes&page=3')).json()).toEqual([]);
  });

  it('When a request was not filed through Open311, or does not exist, then 404, for the request and for its token', async () => {
    for (const resource of [`requests/${elsewhere}`, 'requests/nosuchcase', `tokens/${elsewhere}`]) {
      const [description] = await refused((format) => get(`${resource}.${format}`), 404);
      expect(description).toMatch(/was not found$/);
    }
    const token = (await both(`tokens/${ids.vending}`, 'token')) as Json[];
    expect(token).toEqual([{ service_request_id: ids.vending, token: ids.vending }]);
  });

  it('When a query is wrong, then 400 names each wrong parameter, an api_key in the URL included; a wrong format or jurisdiction is 404', async () => {
    expect(await refused((format) => get(`requests.${format}?status=pending&colour=red`), 400)).toEqual(['status: "pending" is neither open nor closed', 'colour: unknown parameter: GeoReport v2 has no such parameter here']);
    expect((await refused((format) => get(`requests.${format}?api_key=${env.keys.intake}`), 400))[0]).toMatch(/^api_key: reads take no key/);
    expect((await refused((format) => get(`requests.${format}?start_date=2026-01-01`), 400))[0]).toMatch(/^start_date: must be a date and time with its time zone/);
    expect(await refused((format) => get(`requests.${format}?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z`), 400)).toEqual([
      'end_date: start_date to end_date spans more than 90 days; ask for 90 days at a time',
    ]);
    expect(await refused((format) => get(`requests.${format}?start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z`), 400)).toEqual(['end_date: is before start_date']);
    expect(await refused((format) => get(`requests.${format}?service_code=potholes`), 400)).toEqual(['service_code: "potholes" is not a service_code: services.xml lists them']);
    expect((await refused((format) => get(`requests.${format}?page_size=1001`), 400))[0]).toMatch(/^page_size: /);
    expect((await refused((format) => get(`services.${format}?jurisdiction_id=sfgov.org`), 404))[0]).toMatch(/^jurisdiction_id "sfgov.org" was not found/);
    expect((await get('services.json?jurisdiction_id=shanghai.gov.cn')).statusCode).toBe(200);
    expect((await refused((format) => get(`services/potholes.${format}`), 404))[0]).toBe('service_code "potholes" was not found: services.xml lists them');
    // No such format, or no such resource: 404, in the format the URL ends with (XML, the spec's, otherwise).
    const html = await get('services.html');
    expect(html.statusCode).toBe(404);
    expect(fromXml('errors', html)).toEqual([{ code: 404, description: 'format: is xml or json: the format is the extension of the resource, e.g. services.xml' }]);
    const nowhere = await get('potholes.json');
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json()).toEqual([{ code: 404, description: 'no resource GET /open311/v2/potholes.json: discovery.xml and services.xml are where to start' }]);
    const nowhereXml = await get('requests/a/b.xml');
    expect(nowhereXml.statusCode).toBe(404);
    expect(fromXml('errors', nowhereXml)).toEqual([{ code: 404, description: 'no resource GET /open311/v2/requests/a/b.xml: discovery.xml and services.xml are where to start' }]);
  });

  it('When anyone reads requests, then nothing of the citizen is in them: no name, phone or identity number, in the text or beside it, and no tracking code', async () => {
    const id = await file({
      description: '我是王小明，住3号楼，手机13812345678，身份证310101199001011234，楼下摊贩天天占道。',
      address_string: '闵行区七宝镇漕宝路1号（王小明家楼下）',
    });
    const staff = await staffCase(id);
    const bodies = [
      (await get(`requests/${id}.json`)).body,
      (await get(`requests/${id}.xml`)).body,
      (await get(`requests.json?service_request_id=${id}`)).body,
      (await get(`requests.xml?service_request_id=${id}`)).body,
    ];
    for (const body of bodies) {
      for (const secret of ['王小明', '小明', '13812345678', '5678', '310101199001011234', staff.trackingCode, 'xiaoming@example.org', 'device-42']) expect(body).not.toContain(secret);
    }
    const [request] = (await get(`requests/${id}.json`)).json() as Json[];
    expect(request!.description).toBe('我是***，住3号楼，手机***********，身份证******************，楼下摊贩天天占道。');
    expect(request!.address).toBe('闵行区七宝镇漕宝路1号（***家楼下）');
  });
});

/**
 * A GeoReport v2 client written from the spec alone (wiki.open311.org/GeoReport_v2 and Service_Discovery):
 * it knows a discovery URL and a key, speaks HTTP with fetch, reads XML (the required format) with a
 * generic XML parser and JSON where discovery says the endpoint has it, and imports nothing of Bangnong.
 */
class GeoReportClient {
  private endpoint = '';
  private readonly xml = new XMLParser({ ignoreDeclaration: true, parseTagValue: false, isArray: (name) => ['service', 'request', 'endpoint', 'format', 'attribute', 'value', 'error'].includes(name) });

  constructor(
    private readonly discoveryUrl: string,
    private readonly apiKey: string,
  ) {}

  private async read(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(url, init);
    const text = await res.text();
    return { status: res.status, body: res.headers.get('content-type')?.startsWith('text/xml') ? this.xml.parse(text) : { json: JSON.parse(text) } };
  }

  /** Finds the production GeoReport v2 endpoint that speaks XML. */
  async discover(): Promise<{ endpoint: string; formats: string[] }> {
    const { body } = await this.read(this.discoveryUrl);
    const endpoints = (body.discovery as { endpoints: { endpoint: { specification: string; type: string; url: string; formats: { format: string[] } }[] } }).endpoints.endpoint;
    const found = endpoints.find((e) => e.specification === 'http://wiki.open311.org/GeoReport_v2' && e.type === 'production')!;
    this.endpoint = found.url;
    return { endpoint: found.url, formats: found.formats.format };
  }

  async services(): Promise<{ service_code: string; service_name: string; metadata: string }[]> {
    const { body } = await this.read(`${this.endpoint}/services.xml`);
    return (body.services as { service: { service_code: string; service_name: string; metadata: string }[] }).service;
  }

  async definition(code: string): Promise<{ code: string; datatype: string; values?: { value: { key: string; name: string }[] } }[]> {
    const { body } = await this.read(`${this.endpoint}/services/${encodeURIComponent(code)}.xml`);
    return (body.service_definition as { attributes: { attribute: { code: string; datatype: string; values?: { value: { key: string; name: string }[] } }[] } }).attributes.attribute;
  }

  /** POST Service Request: a form, the key among its fields; answers the id, or the token to resolve it with. */
  async submit(fields: Record<string, string>, attributes: Record<string, string>): Promise<{ status: number; id?: string; token?: string; errors?: unknown }> {
    const form = new URLSearchParams({ api_key: this.apiKey, ...fields });
    for (const [code, value] of Object.entries(attributes)) form.append(`attribute[${code}]`, value);
    const { status, body } = await this.read(`${this.endpoint}/requests.xml`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: form.toString(),
    });
    if (status >= 400) return { status, errors: body.errors };
    const [request] = (body.service_requests as { request: { service_request_id?: string; token?: string }[] }).request;
    return { status, id: request!.service_request_id, token: request!.token };
  }

  async idFromToken(token: string): Promise<string> {
    const { body } = await this.read(`${this.endpoint}/tokens/${encodeURIComponent(token)}.json`);
    return (body.json as { service_request_id: string }[])[0]!.service_request_id;
  }

  async request(id: string): Promise<Record<string, string>> {
    const { body } = await this.read(`${this.endpoint}/requests/${encodeURIComponent(id)}.xml`);
    return (body.service_requests as { request: Record<string, string>[] }).request[0]!;
  }
}

describe('a client written from the spec', () => {
  it('When it discovers the endpoint over a socket, picks a service, files a form and follows it by id and by token, then it sees its request open with an expected time', async () => {
    await env.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = env.app.server.address() as AddressInfo;
    const client = new GeoReportClient(`http://127.0.0.1:${port}/open311/v2/discovery.xml`, env.keys.intake!);
    expect(await client.discover()).toEqual({ endpoint: `http://127.0.0.1:${port}/open311/v2`, formats: ['text/xml', 'application/json'] });

    const service = (await client.services()).find((s) => s.service_name === '违法建筑')!;
    expect(service.metadata).toBe('true');
    const district = (await client.definition(service.service_code)).find((a) => a.code === 'district')!;
    const minhang = district.values!.value.find((v) => v.name === '闵行区')!;

    const refusedAnswer = await client.submit({ service_code: service.service_code }, {});
    expect(refusedAnswer.status).toBe(400);
    expect(refusedAnswer.errors).toEqual({ error: [{ code: '400', description: 'address_string: a location is required: lat and long, or address_string' }] });

    const filed = await client.submit(
      { service_code: service.service_code, address_string: '闵行区七宝镇新镇路 88 弄 5 号楼顶', description: '5 号楼顶层住户在屋顶加盖彩钢板房，已施工三天。', device_id: 'client-1' },
      { district: minhang.key },
    );
    expect(filed.status).toBe(201);
    const id = filed.id ?? (await client.idFromToken(filed.token!));
    expect(await client.idFromToken(filed.token!)).toBe(id);

    const request = await client.request(id);
    expect(request).toMatchObject({ service_request_id: id, status: 'open', service_code: service.service_code, service_name: '违法建筑', address: '闵行区七宝镇新镇路 88 弄 5 号楼顶' });
    expect(Date.parse(request.expected_datetime!)).toBeGreaterThan(Date.parse(request.requested_datetime!));
  });
});
