// A property company's dual report (双报告, seed 004), end to end: one report creates one case for the
// squad of the place and, at the same time, the district's demolition office (拆违办) receives a signed
// message carrying what it needs and no phone or tracking code; each party acknowledges it once (the squad's
// officer, a supervisor of the district bureau for the office), the property company is told each time and
// sees both on the case; a second acknowledgement is 409 with the state, the wrong role 403.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { WebhookSender, receiverSecret } from '../activities/senders.js';
import { createPrincipal } from '../db/queries/principals.js';
import { CITY } from '../db/seed.js';
import { type Case, caseClient, recordHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

const SECRET = 'property-test-secret-0123456789';
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}
interface Workstation { id: string; squadId: string; district: string; street: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let server: http.Server;
const received: Received[] = [];
let propertyKey: string;
let qibao: Workstation;
let districtId: string;
const keys: Record<string, string> = {};
const ids: Record<string, string> = {};

const COMPANY = { name: '七宝阳光物业服务中心', phone: '13700001234' };
const REPORT = {
  channel: 'property',
  title: '小区12号楼顶新增彩钢板房',
  description: '七宝阳光苑12号楼顶层住户正在楼顶搭建彩钢板房，已施工两天，业主联系电话13912345678，请城管与拆违办尽快处置。',
  location: { address: '上海市闵行区七宝镇漕宝路1号七宝阳光苑12号楼', district: '闵行区', street: '七宝镇' },
  citizen: COMPANY,
};

const fromDemolitionOffice = () => received.filter((r) => r.path === '/demolition');
const toTheCompany = (caseId: string) =>
  received.filter((r) => r.path === '/notify').map((r) => JSON.parse(r.body)).filter((m) => m.caseId === caseId && m.recipient === 'citizen' && m.kind === 'report_acknowledged');

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url!, headers: req.headers, body, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = await createTestEnv('property', {
    senders: { main: new WebhookSender('notify', `${base}/notify`, SECRET), demolitionOffice: new WebhookSender('demolition_office', `${base}/demolition`, SECRET) },
  });
  c = caseClient(env);
  const stations = (await env.request('GET', `/v1/workstations?district=${encodeURIComponent('闵行区')}`)).json().workstations as Workstation[];
  qibao = stations.find((w) => w.street === '七宝镇')!;
  const other = stations.find((w) => w.squadId !== qibao.squadId)!;
  districtId = await c.districtOf(qibao.squadId);
  // The property companies' dual-report app: an intake key bound to the property channel.
  propertyKey = (await createPrincipal(env.database.db, { name: '物业双报告小程序', role: 'intake', unitId: CITY.id, channel: 'property' })).key;
  for (const [name, role, unit] of [
    ['squadOfficer', 'officer', qibao.squadId],
    ['squadSupervisor', 'supervisor', qibao.squadId],
    ['districtSupervisor', 'supervisor', districtId],
    ['otherOfficer', 'officer', other.squadId],
  ] as const) {
    const p = await env.principal(role, unit, name);
    keys[name] = p.key;
    ids[name] = p.id;
  }
});

afterAll(async () => {
  await env?.close();
  server?.close();
});

const report = (overrides: Record<string, unknown> = {}) => env.request('POST', '/v1/cases', { key: propertyKey, body: { ...REPORT, ...overrides } });
const acknowledge = (id: string, key: string, party: string, note?: string) => c.act(id, key, { type: 'acknowledge_report', party, ...(note ? { note } : {}) });

describe('a property company reports new illegal construction', () => {
  let filed: Case;
  let filedAt: number;

  it('When it files its report without a workstation, then one case is created for the squad of the district and town, with the dual report on it', async () => {
    filedAt = Date.now();
    const res = await report({ externalId: 'wy-2026-0001' });
    expect(res.statusCode, res.body).toBe(201);
    filed = res.json();
    expect(filed).toMatchObject({
      channel: 'property',
      state: 'triage',
      category: 'illegal_construction',
      assignedUnitId: qibao.squadId,
      dualReport: { squad: {}, demolitionOffice: { notifiedAt: filed.createdAt } },
    });
    expect(filed.dualReport.squad.acknowledgedAt).toBeUndefined();
    // Filing the same report again is the same case: nothing new, and the office is not told twice.
    const again = await report({ externalId: 'wy-2026-0001' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().id).toBe(filed.id);
    const listed = await env.request('GET', '/v1/cases?channel=property', { key: propertyKey });
    expect(listed.json().cases.map((x: Case) => x.id)).toEqual([filed.id]);
  });

  it("When the case is filed, then the district's demolition office receives a signed message at once, with the address, the text, the company and the case, and no phone or tracking code", async () => {
    const [message] = await eventually(async () => fromDemolitionOffice(), (r) => r.length >= 1, 15_000, "the demolition office's message");
    expect(message!.at - filedAt).toBeLessThan(10_000);
    const body = JSON.parse(message!.body);
    expect(new Webhook(receiverSecret(SECRET)).verify(message!.body, message!.headers as Record<string, string>)).toEqual(body);
    expect(message!.headers['webhook-id']).toBe(body.id);
    expect(body).toMatchObject({
      caseId: filed.id,
      recipient: 'demolition_office',
      to: `${CITY.id}/${districtId}`,
      kind: 'dual_report',
      body: {
        caseId: filed.id,
        title: REPORT.title,
        category: 'illegal_construction',
        location: { address: REPORT.location.address, district: '闵行区', street: '七宝镇' },
        propertyCompany: COMPANY.name,
        squadId: qibao.squadId,
        districtId,
        reportedAt: filed.createdAt,
      },
    });
    expect(body.body.description).toContain('七宝阳光苑12号楼顶层住户正在楼顶搭建彩钢板房');
    // No more personal data than it needs: no phone (the company's or one in the text), no tracking code.
    expect(message!.body).not.toContain(COMPANY.phone);
    expect(message!.body).not.toContain('13912345678');
    expect(message!.body).not.toContain(filed.trackingCode);
    // A moment later, still one message: the second filing told no one.
    await new Promise((r) => setTimeout(r, 500));
    expect(fromDemolitionOffice()).toHaveLength(1);
  });

  it('When the wrong role or unit acknowledges, then 403 and nothing changes', async () => {
    const before = await c.get(filed.id);
    // The desk is no party; an officer cannot speak for the demolition office; a squad's supervisor is
    // below the district; another squad's officer is elsewhere; the property company acknowledges nothing.
    for (const [key, party] of [
      [env.keys.desk!, 'squad'],
      [keys.squadOfficer!, 'demolition_office'],
      [keys.squadSupervisor!, 'demolition_office'],
      [keys.otherOfficer!, 'squad'],
      [propertyKey, 'squad'],
    ] as const) {
      const res = await acknowledge(filed.id, key, party);
      expect(res.statusCode, `${party}: ${res.body}`).toBe(403);
      expect(res.json().error).toEqual(expect.any(String));
    }
    expect((await c.get(filed.id)).version).toBe(before.version);
  });

  it('When the squad acknowledges after dispatch and the district for its demolition office, then both are kept, once each (409 with the state after), and the company is told each', async () => {
    const dispatched = await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', workstationId: qibao.id });
    expect(dispatched).toMatchObject({ state: 'dispatched', allowedActions: expect.arrayContaining(['acknowledge_report']) });

    const squad = await acknowledge(filed.id, keys.squadOfficer!, 'squad', '已收到，今日上门核查');
    expect(squad.statusCode, squad.body).toBe(200);
    expect(squad.json().dualReport).toMatchObject({ squad: { acknowledgedAt: expect.any(String), by: ids.squadOfficer }, demolitionOffice: { notifiedAt: filed.createdAt } });
    expect(squad.json().dualReport.demolitionOffice.acknowledgedAt).toBeUndefined();

    const twice = await acknowledge(filed.id, keys.squadSupervisor!, 'squad');
    expect(twice.statusCode, twice.body).toBe(409);
    expect(twice.json()).toMatchObject({ state: 'dispatched', allowed: expect.arrayContaining(['acknowledge_report']) });
    expect(twice.json().error).toMatch(/squad acknowledged the report at/);

    const office = await acknowledge(filed.id, keys.districtSupervisor!, 'demolition_office');
    expect(office.statusCode, office.body).toBe(200);
    expect(office.json().dualReport.demolitionOffice).toMatchObject({ notifiedAt: filed.createdAt, acknowledgedAt: expect.any(String), by: ids.districtSupervisor });

    const again = await acknowledge(filed.id, env.keys.supervisor!, 'demolition_office');
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().state).toBe('dispatched');
    expect(again.json().allowed).not.toContain('acknowledge_report');

    const told = await eventually(async () => toTheCompany(filed.id), (m) => m.length >= 2, 15_000, 'the company told of both acknowledgements');
    expect(told.map((m) => m.body.party).sort()).toEqual(['demolition_office', 'squad']);
    expect(told.every((m) => m.to === filed.trackingCode)).toBe(true);
    // The bureau's note stays with the bureau.
    expect(JSON.stringify(told)).not.toContain('今日上门核查');
  });

  it('When the property company reads its case, then it sees both acknowledgements, and the timeline has each', async () => {
    const res = await env.request('GET', `/v1/cases/${filed.id}`, { key: propertyKey });
    expect(res.statusCode, res.body).toBe(200);
    const seen = res.json();
    expect(seen.dualReport.squad).toMatchObject({ acknowledgedAt: expect.any(String), by: ids.squadOfficer });
    expect(seen.dualReport.demolitionOffice).toMatchObject({ notifiedAt: filed.createdAt, acknowledgedAt: expect.any(String), by: ids.districtSupervisor });
    const events = (await env.request('GET', `/v1/cases/${filed.id}/events`, { key: propertyKey })).json().events as Case[];
    expect(events.filter((e) => e.type === 'acknowledge_report').map((e) => e.payload.party)).toEqual(['squad', 'demolition_office']);
    await recordHistory(filed.id, 'property-dual-report');
  });
});

describe('what is not a dual report', () => {
  it('When a property report names no place a squad serves, then 400 names the field and nothing is filed', async () => {
    const res = await report({ externalId: 'wy-nowhere', location: { address: '某小区12号楼', district: '闵行区' } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(['body.location.street']);
    expect((await env.request('GET', '/v1/cases?channel=property', { key: propertyKey })).json().cases).toHaveLength(1);
  });

  it('When a case of another channel is acknowledged, or a closed property case, then 409 with its state', async () => {
    const other = await c.file({ workstationId: qibao.id });
    const res = await acknowledge(other.id, keys.squadOfficer!, 'squad');
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ state: 'triage', error: "only a property company's dual report (双报告) is acknowledged" });
    expect(res.json().allowed).not.toContain('acknowledge_report');

    const withdrawn = (await report({ externalId: 'wy-withdrawn', workstationId: qibao.id })).json();
    expect(withdrawn.dualReport).toBeDefined();
    await c.ok(withdrawn.id, propertyKey, { type: 'withdraw', reason: '业主已自行拆除' });
    const late = await acknowledge(withdrawn.id, keys.squadOfficer!, 'squad');
    expect(late.statusCode, late.body).toBe(409);
    expect(late.json().state).toBe('closed');
  });
});
