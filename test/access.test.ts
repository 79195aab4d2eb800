// The authorisation matrix: every route and every action × every role × where the case (or unit) lies
// relative to the caller's unit — own, below, above, elsewhere — answered by the running service as the
// table in domain/access.ts says: 403 where it refuses, anything else where it allows.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type RouteOptions } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { OrgDirectory } from '../api/org.js';
import { withAccessTable } from '../domain/access-table.js';
import { REPO_ROOT } from '../platform/config.js';
import { type Operation, RELATIONS, type Relation, permits } from '../domain/access.js';
import { type ActorRole, type CaseView, ROLES, type Role } from '../domain/case.js';
import { ACTIONS, ACTION_TYPES, ActionRefused, type ActionType, assertMayAct, openCase } from '../workflows/lifecycle.js';
import { createPrincipal } from '../db/queries/principals.js';
import { moveToDeadLetters } from '../db/queries/dead-letters.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, defaultPolicy, intakeFixture, sampleIntake } from './support.js';

it('the README shows the table the code enforces', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  expect(withAccessTable(readme), 'the README authorisation table is stale: run `npm run diagram`').toBe(readme);
});

describe('the workflow enforces the table for every action, role and relation', () => {
  // The case is handled by squad C/D/S; each relation puts the actor somewhere else in the tree.
  const actorUnit: Record<Relation, string> = { own: 'C/D/S', below: 'C/D', above: 'C/D/S/T', elsewhere: 'C/D2/S2' };
  const view: CaseView = { ...openCase(intakeFixture({ squadPath: 'C/D/S', filedBy: { id: 'i', role: 'intake', unitPath: 'C' } }), defaultPolicy()).view };
  const roles: ActorRole[] = [...ROLES, 'citizen'];

  for (const type of ACTION_TYPES) {
    it(type, () => {
      const verdicts: string[] = [];
      const expected: string[] = [];
      for (const role of roles) {
        for (const relation of RELATIONS) {
          let allowed = true;
          try {
            assertMayAct(view, { type }, { id: `${role}-1`, role, unitPath: actorUnit[relation] });
          } catch (e) {
            if (!(e instanceof ActionRefused) || e.kind !== 'forbidden') throw e;
            allowed = false;
          }
          verdicts.push(`${role}/${relation}: ${allowed ? 'allow' : 'deny'}`);
          expected.push(`${role}/${relation}: ${permits(role, type, relation) ? 'allow' : 'deny'}`);
        }
      }
      expect(verdicts).toEqual(expected);
    });
  }

  it('an intake key bound to a channel acts only on that channel\'s cases', () => {
    const bound = { id: 'qr-1', role: 'intake' as const, unitPath: 'C', channel: 'qr' as const };
    expect(() => assertMayAct(view, { type: 'supplement' }, bound)).toThrow(/bound to channel qr; this case came through xinmin/);
    expect(() => assertMayAct({ ...view, channel: 'qr' }, { type: 'supplement' }, bound)).not.toThrow();
  });
});

describe('the API answers the table for every route and action', () => {
  let env: TestEnv;
  let c: ReturnType<typeof caseClient>;
  /** Principals by role and unit label: S1 is the case's squad, D1 its district, S2 a squad elsewhere. */
  const keys: Record<string, string> = {};
  const key = (role: Role, at: 'S1' | 'D1' | 'S2') => keys[`${role}@${at}`]!;
  let units: { S1: string; D1: string; S2: string; D2: string };
  let stations: { W1: string; W2: string };
  /** Cases by where they lie (S1, or the city) and state: in triage, or closed with the workflow still running. */
  const cases: Record<'triageS1' | 'closedS1' | 'triageCity' | 'closedCity', { id: string; version: number }> = {} as never;

  /** Who asks and what the case's place is to them, for each relation. */
  const asking: Record<Relation, { at: 'S1' | 'D1' | 'S2'; place: 'S1' | 'City' }> = {
    own: { at: 'S1', place: 'S1' },
    below: { at: 'D1', place: 'S1' },
    elsewhere: { at: 'S2', place: 'S1' },
    above: { at: 'S1', place: 'City' },
  };

  beforeAll(async () => {
    env = await createTestEnv('access');
    c = caseClient(env);
    const ws = await c.workstations();
    const w1 = ws[0]!;
    const units1 = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null; kind: string }[];
    const d1 = units1.find((u) => u.id === w1.squadId)!.parentId!;
    const w2 = ws.find((w) => units1.find((u) => u.id === w.squadId)!.parentId !== d1)!;
    units = { S1: w1.squadId, D1: d1, S2: w2.squadId, D2: units1.find((u) => u.id === w2.squadId)!.parentId! };
    stations = { W1: w1.id, W2: w2.id };
    for (const role of ROLES) {
      for (const at of ['S1', 'D1', 'S2'] as const) keys[`${role}@${at}`] = (await env.principal(role, units[at], `${role}@${at}`)).key;
    }
    // Channel hotline: no media item, so the media actions are refused by their guards, never taken.
    const file = (workstationId?: string): Promise<Record<string, any>> => c.file({ channel: 'hotline', externalId: `acc-${Math.random()}`, ...(workstationId ? { workstationId } : {}) });
    const close = async (id: string): Promise<Record<string, any>> => {
      await c.ok(id, env.keys.desk!, { type: 'triage', decision: 'explain', explanation: '不属于执法范围，已说明' });
      return c.ok(id, env.keys.desk!, { type: 'feedback', message: '已答复' });
    };
    const triageS1 = await file(stations.W1);
    const triageCity = await file();
    const closedS1 = await close((await file(stations.W1)).id);
    const closedCity = await close((await file()).id);
    expect(closedS1.state).toBe('closed');
    expect(closedCity.assignedUnitId).toBe('310000');
    // The closed cases are erased too, so erasing them again is refused by their state (once only).
    const erase = { type: 'erase_personal_data', reason: '市民申请删除个人信息' };
    const erasedS1 = await c.ok(closedS1.id, key('supervisor', 'S1'), erase);
    const erasedCity = await c.ok(closedCity.id, env.keys.supervisor!, erase);
    for (const [name, v] of Object.entries({ triageS1, closedS1: erasedS1, triageCity, closedCity: erasedCity })) cases[name as keyof typeof cases] = { id: v.id, version: v.version };
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  const verdict = (status: number) => (status === 403 ? 'deny' : 'allow');
  const roles = ROLES;

  /** Runs `ask` for every role × relation and compares 403 / not-403 with the table. */
  const covered: Operation[] = [];
  async function matrix(
    operation: Operation,
    ask: (k: string, relation: Relation) => Promise<{ statusCode: number; body: string }>,
    expectAllowed: number[],
    /** Where the thing can lie: all four, but for what always lies at a squad (nothing is above a squad's own unit there). */
    relations: readonly Relation[] = RELATIONS,
  ) {
    covered.push(operation);
    const seen: string[] = [];
    const expected: string[] = [];
    for (const role of roles) {
      for (const relation of relations) {
        const res = await ask(key(role, asking[relation].at), relation);
        if (res.statusCode !== 403) expect(expectAllowed, `${operation} ${role}/${relation}: ${res.body}`).toContain(res.statusCode);
        else expect(res.body).toMatch(/"error"/);
        seen.push(`${role}/${relation}: ${verdict(res.statusCode)}`);
        expected.push(`${role}/${relation}: ${permits(role, operation, relation) ? 'allow' : 'deny'}`);
      }
    }
    expect(seen).toEqual(expected);
  }

  const caseAt = (relation: Relation, state: 'triage' | 'closed') => cases[`${state}${asking[relation].place}` as keyof typeof cases].id;

  it('GET /v1/cases/:id and its timeline (case.read)', async () => {
    await matrix('case.read', (k, r) => env.request('GET', `/v1/cases/${caseAt(r, 'triage')}`, { key: k }), [200]);
    await matrix('case.read', (k, r) => env.request('GET', `/v1/cases/${caseAt(r, 'closed')}/events`, { key: k }), [200]);
  });

  // For lists and counts the "place" is the unit asked for: S1 from S1, D1 and S2; D1 from S1 (above).
  const unitFor = (relation: Relation) => (relation === 'above' ? units.D1 : units.S1);

  it('GET /v1/cases (case.list)', async () => {
    await matrix('case.list', (k, r) => env.request('GET', `/v1/cases?unit=${unitFor(r)}`, { key: k }), [200]);
  });

  it('GET /v1/stream (case.stream)', async () => {
    // A stream stays open: the answer is its status, read as soon as the headers come.
    const address = await env.app.listen({ port: 0, host: '127.0.0.1' });
    await matrix(
      'case.stream',
      async (k, r) => {
        const abort = new AbortController();
        const res = await fetch(`${address}/v1/stream?unit=${unitFor(r)}`, { headers: { authorization: `Bearer ${k}` }, signal: abort.signal });
        const body = res.status === 200 ? '' : await res.text();
        abort.abort();
        return { statusCode: res.status, body };
      },
      [200],
    );
  });

  it('GET /v1/stats (stats.read)', async () => {
    await matrix('stats.read', (k, r) => env.request('GET', `/v1/stats?unit=${unitFor(r)}`, { key: k }), [200]);
  });

  it('GET /v1/stats/overview (stats.read)', async () => {
    await matrix('stats.read', (k, r) => env.request('GET', `/v1/stats/overview?unit=${unitFor(r)}`, { key: k }), [200]);
  });

  it('GET /v1/stats/matrix (stats.read)', async () => {
    await matrix('stats.read', (k, r) => env.request('GET', `/v1/stats/matrix?rows=squad&cols=week&unit=${unitFor(r)}`, { key: k }), [200]);
  });

  it('GET /v1/stats/satisfaction (stats.read)', async () => {
    await matrix('stats.read', (k, r) => env.request('GET', `/v1/stats/satisfaction?by=squad&unit=${unitFor(r)}`, { key: k }), [200]);
  });

  it('GET /v1/stats/trend (stats.read)', async () => {
    await matrix('stats.read', (k, r) => env.request('GET', `/v1/stats/trend?around=2026-11-20&weeks=4&unit=${unitFor(r)}`, { key: k }), [200]);
  });

  it('GET /v1/scorecard, /v1/scorecard/best and their CSV (scorecard.read)', async () => {
    await matrix('scorecard.read', (k, r) => env.request('GET', `/v1/scorecard?unit=${unitFor(r)}`, { key: k }), [200]);
    await matrix('scorecard.read', (k, r) => env.request('GET', `/v1/scorecard/best?level=squad&unit=${unitFor(r)}`, { key: k }), [200]);
    await matrix('scorecard.read', (k, r) => env.request('GET', `/v1/scorecard.csv?unit=${unitFor(r)}`, { key: k }), [200]);
    await matrix('scorecard.read', (k, r) => env.request('GET', `/v1/scorecard/best.csv?unit=${unitFor(r)}`, { key: k }), [200]);
  });

  it('GET /v1/audit (audit.read)', async () => {
    await matrix('audit.read', (k, r) => env.request('GET', `/v1/audit?unit=${unitFor(r)}`, { key: k }), [200]);
  });

  // The dead-letter list: a message for the S1 case and one for the city's, put on it as the delivery
  // activity would. This app redelivers to the log, so a redelivery succeeds: 200 the first time, 409 after.
  it('GET /v1/dead-letters, /v1/dead-letters/:id and the redeliveries (delivery.manage)', async () => {
    const letters = {} as Record<'S1' | 'City', string>;
    for (const place of ['S1', 'City'] as const) {
      const caseId = cases[`triage${place}`].id;
      const id = `${caseId}:access-dead-letter`;
      await env.database.sql`insert into notifications (id, case_id, recipient, "to", kind, body) values (${id}, ${caseId}, 'desk', 'C', 'case_filed', '{}'::jsonb)`;
      await moveToDeadLetters(env.database.db, { notificationId: id, caseId, sender: 'notify', error: 'notify webhook answered 503', attempts: 9, firstAttemptAt: new Date().toISOString() });
      letters[place] = id;
    }
    const letterAt = (r: Relation) => letters[asking[r].place];
    await matrix('delivery.manage', (k, r) => env.request('GET', `/v1/dead-letters?unit=${unitFor(r)}`, { key: k }), [200]);
    await matrix('delivery.manage', (k, r) => env.request('GET', `/v1/dead-letters/${letterAt(r)}`, { key: k }), [200]);
    await matrix('delivery.manage', (k, r) => env.request('POST', `/v1/dead-letters/${letterAt(r)}/redeliver`, { key: k }), [200, 409]);
    await matrix('delivery.manage', (k, r) => env.request('POST', '/v1/dead-letters/redeliver', { key: k, body: { unit: unitFor(r) } }), [200]);
  });

  it('GET and POST /v1/principals (keys.manage)', async () => {
    await matrix('keys.manage', (k, r) => env.request('GET', `/v1/principals?unit=${unitFor(r)}`, { key: k }), [200]);
    await matrix('keys.manage', (k, r) => env.request('POST', '/v1/principals', { key: k, body: { name: `desk ${r}`, role: 'desk', unitId: unitFor(r) } }), [201]);
  });

  it('GET /v1/units and /v1/workstations (org.read)', async () => {
    await matrix('org.read', (k) => env.request('GET', '/v1/units', { key: k }), [200]);
    await matrix('org.read', (k) => env.request('GET', '/v1/workstations', { key: k }), [200]);
  });

  it('POST /v1/cases (case.file): where the new case would lie', async () => {
    // With W1 the case lies in S1; without a workstation it waits for triage at the city, above S1.
    await matrix(
      'case.file',
      (k, r) =>
        env.request('POST', '/v1/cases', {
          key: k,
          body: sampleIntake({ channel: 'hotline', externalId: `file-${Math.random()}`, ...(r === 'above' ? {} : { workstationId: stations.W1 }) }),
        }),
      [201],
    );
  });

  // Suggestions (人民建议征集): one received at W1 (in S1) and one at the city, filed once for the three
  // operations. Answering one still received is refused by its state (409) wherever the table allows, so
  // the matrix changes no suggestion either.
  let suggestionsFiled: Promise<Record<'S1' | 'City', string>> | undefined;
  const fileSuggestions = () =>
    (suggestionsFiled ??= (async () => {
      const at = async (workstationId?: string) => {
        const res = await env.request('POST', '/v1/suggestions', { body: { channel: 'hotline', externalId: `acc-s-${Math.random()}`, title: '建议', text: '建议内容', ...(workstationId ? { workstationId } : {}) } });
        expect(res.statusCode, res.body).toBe(201);
        return res.json().id as string;
      };
      return { S1: await at(stations.W1), City: await at() };
    })());
  const suggestionAt = async (relation: Relation) => (await fileSuggestions())[asking[relation].place];

  it('POST /v1/suggestions (suggestion.file): where the new suggestion would lie', async () => {
    const body = (r: Relation) => ({ channel: 'hotline', externalId: `sfile-${Math.random()}`, title: '建议', text: '建议内容', ...(r === 'above' ? {} : { workstationId: stations.W1 }) });
    await matrix('suggestion.file', (k, r) => env.request('POST', '/v1/suggestions', { key: k, body: body(r) }), [201]);
  });

  it('GET /v1/suggestions/:id and /v1/suggestions (suggestion.read)', async () => {
    await matrix('suggestion.read', async (k, r) => env.request('GET', `/v1/suggestions/${await suggestionAt(r)}`, { key: k }), [200]);
    await matrix('suggestion.read', (k, r) => env.request('GET', `/v1/suggestions?unit=${unitFor(r)}`, { key: k }), [200]);
  });

  it('POST /v1/suggestions/:id/actions (suggestion.handle)', async () => {
    await matrix('suggestion.handle', async (k, r) => env.request('POST', `/v1/suggestions/${await suggestionAt(r)}/actions`, { key: k, body: { type: 'answer', answer: '答复' } }), [409]);
    for (const place of ['S1', 'City'] as const) {
      const s = (await env.request('GET', `/v1/suggestions/${(await fileSuggestions())[place]}`)).json();
      expect(s).toMatchObject({ state: 'received', version: 1 });
    }
  });

  // Workstation duties: a visit is logged at W1 (in S1) from S1, D1 and S2 — a workstation always lies at
  // a squad, so nothing lies "above" a squad's officer there; the reads take the unit asked for.
  it('POST /v1/duty-visits (duty.log)', async () => {
    const at = Date.now() - 3 * 3_600_000;
    const body = { workstationId: stations.W1, startedAt: new Date(at).toISOString(), endedAt: new Date(at + 2 * 3_600_000).toISOString(), activities: ['patrol'] };
    await matrix('duty.log', (k) => env.request('POST', '/v1/duty-visits', { key: k, body }), [201], ['own', 'below', 'elsewhere']);
  });

  it('GET /v1/duty-visits, /v1/duty-compliance and /v1/duty-shortfalls (duty.read)', async () => {
    await matrix('duty.read', (k, r) => env.request('GET', `/v1/duty-visits?unit=${unitFor(r)}`, { key: k }), [200]);
    await matrix('duty.read', (k, r) => env.request('GET', `/v1/duty-compliance?unit=${unitFor(r)}`, { key: k }), [200]);
    await matrix('duty.read', (k, r) => env.request('GET', `/v1/duty-shortfalls?unit=${unitFor(r)}`, { key: k }), [200]);
  });

  // Publicity items (宣传报道): one waiting at S1's squad level, one at the city level (approved by S1 and D1),
  // one released, made once for the rows below. An item always lies at a squad: nothing lies "above" a squad's
  // own there, but for a review the level's unit decides — the city's, above S1. Every action the matrix sends
  // is refused where the table allows it (the state: 409, or a return without comments: 400), so it changes
  // no item; the uploads and submissions it allows add files and items of their own.
  const jpeg = () => sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 80, b: 40 } } }).jpeg().toBuffer();
  const uploadFor = async (k: string, squad: string) => {
    const boundary = '----bangnongaccess';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
    return env.app.inject({
      method: 'POST',
      url: `/v1/publicity/files?squad=${squad}`,
      payload: Buffer.concat([head, await jpeg(), Buffer.from(`\r\n--${boundary}--\r\n`)]),
      headers: { authorization: `Bearer ${k}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  };
  let publicityMade: Promise<{ photo: string; atSquad: Record<string, any>; atCity: Record<string, any>; released: Record<string, any> }> | undefined;
  const publicityItems = () =>
    (publicityMade ??= (async () => {
      const s1 = key('supervisor', 'S1');
      const photo = (await uploadFor(s1, units.S1)).json().id as string;
      const submit = async () => {
        const res = await env.request('POST', '/v1/publicity', { key: s1, body: { title: '宣传', body: '正文', media: [{ fileId: photo }] } });
        expect(res.statusCode, res.body).toBe(201);
        return res.json();
      };
      const approve = async (id: string, k: string) => {
        const res = await env.request('POST', `/v1/publicity/${id}/actions`, { key: k, body: { type: 'review', decision: 'approve' } });
        expect(res.statusCode, res.body).toBe(200);
        return res.json();
      };
      const atSquad = await submit();
      const atCity = await approve((await approve((await submit()).id, s1)).id, key('supervisor', 'D1'));
      const released = await approve((await approve((await approve((await submit()).id, s1)).id, key('supervisor', 'D1'))).id, env.keys.supervisor!);
      expect([atSquad.reviewLevel, atCity.reviewLevel, released.state]).toEqual(['squad', 'city', 'released']);
      return { photo, atSquad, atCity, released };
    })());
  const SQUAD_ONLY = ['own', 'below', 'elsewhere'] as const;
  const publicityAct = (id: string, k: string, body: object) => env.request('POST', `/v1/publicity/${id}/actions`, { key: k, body });

  it('POST /v1/publicity/files and POST /v1/publicity (publicity.submit): for the squad named', async () => {
    const { photo } = await publicityItems();
    // "Above": S1's key names its district, which it may not submit for.
    const squadFor = (r: Relation) => (r === 'above' ? units.D1 : units.S1);
    await matrix('publicity.submit', async (k, r) => uploadFor(k, squadFor(r)), [200, 201]);
    await matrix('publicity.submit', (k, r) => env.request('POST', '/v1/publicity', { key: k, body: { squadId: squadFor(r), title: '宣传', body: '正文', media: [{ fileId: photo }] } }), [201]);
  });

  it('POST /v1/publicity/:id/actions resubmit and withdraw (publicity.submit)', async () => {
    const { atSquad, released } = await publicityItems();
    await matrix('publicity.submit', (k) => publicityAct(atSquad.id, k, { type: 'resubmit', body: '改' }), [409], SQUAD_ONLY);
    await matrix('publicity.submit', (k) => publicityAct(released.id, k, { type: 'withdraw' }), [409], SQUAD_ONLY);
  });

  it('GET /v1/publicity, /v1/publicity/:id and its files (publicity.read)', async () => {
    const { released } = await publicityItems();
    const file = released.media[0].fileId as string;
    await matrix('publicity.read', (k, r) => env.request('GET', `/v1/publicity?unit=${unitFor(r)}`, { key: k }), [200]);
    await matrix('publicity.read', (k) => env.request('GET', `/v1/publicity/${released.id}`, { key: k }), [200], SQUAD_ONLY);
    await matrix('publicity.read', (k) => env.request('GET', `/v1/publicity/${released.id}/files/${file}`, { key: k }), [200], SQUAD_ONLY);
    await matrix('publicity.read', (k) => env.request('GET', `/v1/publicity/${released.id}/files/${file}/preview`, { key: k }), [200], SQUAD_ONLY);
  });

  it('POST /v1/publicity/:id/actions review (publicity.review): at the level it waits at, only', async () => {
    const { atSquad, atCity } = await publicityItems();
    // Returning without comments: refused by its body (400) wherever the table lets the reviewer in.
    await matrix('publicity.review', (k, r) => publicityAct(r === 'above' ? atCity.id : atSquad.id, k, { type: 'review', decision: 'return' }), [400]);
  });

  it('POST /v1/publicity/:id/actions take_down (publicity.take_down)', async () => {
    const { atSquad, atCity, released } = await publicityItems();
    await matrix('publicity.take_down', (k) => publicityAct(atSquad.id, k, { type: 'take_down', reason: '不宜公开' }), [409], SQUAD_ONLY);
    // The matrix changed no item.
    for (const item of [atSquad, atCity, released]) {
      expect((await env.request('GET', `/v1/publicity/${item.id}`, { key: key('supervisor', 'D1') })).json()).toMatchObject({ state: item.state, version: item.version });
    }
  });

  // Every action on a case whose state does not allow it: the table answers first (403), and where it
  // allows, the state refuses (409) — so the matrix changes no case. Erasure is allowed in triage; the
  // closed cases are erased already.
  const allowedInTriage = new Set<ActionType>(['triage', 'withdraw', 'mark_duplicate', 'return_to_hotline', 'supplement', 'media_waive', 'erase_personal_data']);
  for (const type of ACTION_TYPES) {
    it(`POST /v1/cases/:id/actions ${type}`, async () => {
      const world = { workstationId: stations.W1, otherWorkstationId: stations.W2, originalId: cases.triageCity.id };
      const body = { type, ...(ACTIONS[type].sample(world, 0) as object) };
      await matrix(type, (k, r) => c.act(caseAt(r, allowedInTriage.has(type) ? 'closed' : 'triage'), k, body), [409]);
    });
  }

  it('an intake key bound to a channel files, reads, lists and counts that channel\'s cases only', async () => {
    const { key: qr } = await createPrincipal(env.database.db, { name: 'QR page', role: 'intake', unitId: '310000', channel: 'qr' });
    const refused = await env.request('POST', '/v1/cases', { key: qr, body: sampleIntake({ channel: 'xinmin', externalId: 'bound-1' }) });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toBe('your key is bound to channel qr; this case came through xinmin');
    const mine = await env.request('POST', '/v1/cases', { key: qr, body: sampleIntake({ channel: 'qr', externalId: 'bound-2' }) });
    expect(mine.statusCode, mine.body).toBe(201);
    expect((await env.request('GET', `/v1/cases/${mine.json().id}`, { key: qr })).statusCode).toBe(200);
    expect((await env.request('GET', `/v1/cases/${cases.triageS1.id}`, { key: qr })).statusCode).toBe(403);
    const supplement = await c.act(cases.triageS1.id, qr, { type: 'supplement', text: '补充' });
    expect(supplement.statusCode).toBe(403);
    const listed = await env.request('GET', '/v1/cases?limit=100', { key: qr });
    expect(listed.json().cases.map((x: { channel: string }) => x.channel)).toEqual(['qr']);
    expect((await env.request('GET', '/v1/cases?channel=hotline', { key: qr })).statusCode).toBe(403);
    const counted = await env.request('GET', '/v1/stats?by=channel', { key: qr });
    expect(counted.json().groups.map((g: { key: string; total: number }) => [g.key, g.total])).toEqual([['qr', 1]]);
  });

  it('a district administrator issues keys for its unit, but not keys that reach the whole city', async () => {
    const desk = await env.request('POST', '/v1/principals', { key: key('admin', 'D1'), body: { name: 'desk', role: 'desk', unitId: units.S1 } });
    expect(desk.statusCode, desk.body).toBe(201);
    for (const role of ['intake', 'reporter'] as const) {
      const wide = await env.request('POST', '/v1/principals', { key: key('admin', 'D1'), body: { name: role, role, unitId: units.D1 } });
      expect(wide.statusCode, wide.body).toBe(403);
      expect(wide.json().error).toBe(`a ${role} key reaches cases outside any one unit, so only an administrator of the city bureau issues it`);
    }
  });

  it('the matrix changed no case', async () => {
    for (const { id, version } of Object.values(cases)) expect((await c.get(id)).version, id).toBe(version);
  });

  it('every route of the API names an operation of the table, and this matrix covers each', async () => {
    const app = Fastify();
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (r) => void routes.push(r));
    await buildApp(app, { db: env.database.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org: await new OrgDirectory(env.database.db).load() });
    await app.ready();
    const named = new Set(routes.map((r) => r.config?.access).filter((a): a is Operation => typeof a === 'string'));
    for (const operation of named) expect(covered, `route operation ${operation} has no matrix test here`).toContain(operation);
    const unnamed = routes.filter((r) => !r.config?.public && !r.config?.access).map((r) => `${String(r.method)} ${r.url}`);
    expect(unnamed).toEqual([]);
    await app.close();
  });

  it('an app with a route that names no operation does not start', async () => {
    const app = Fastify();
    await buildApp(app, { db: env.database.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org: await new OrgDirectory(env.database.db).load() });
    app.get('/v1/forgotten', async () => ({}));
    await expect(app.ready()).rejects.toThrow(/GET \/v1\/forgotten.*config\.access/);
  });
});
