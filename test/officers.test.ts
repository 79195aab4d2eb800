// GET /v1/officers: the officers a case can be assigned to, by name — of a unit and below it, never
// another role, never a revoked one — which the console shows instead of principal ids.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { revokePrincipal } from '../db/queries/principals.js';
import { type TestEnv, createTestEnv } from './support.js';

let env: TestEnv;
const u = { D: '', S1: '', S2: '', E: '' };
const ids: Record<string, string> = {};

beforeAll(async () => {
  env = await createTestEnv('officers');
  const all = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null; kind: string }[];
  const squadsOf = (d: string) => all.filter((x) => x.parentId === d).map((x) => x.id).sort();
  const [d, e] = all.filter((x) => x.kind === 'district' && squadsOf(x.id).length >= 2).map((x) => x.id).sort();
  [u.S1, u.S2] = squadsOf(d!) as [string, string];
  Object.assign(u, { D: d, E: squadsOf(e!)[0] });
  for (const [label, role, unit] of [['张警官', 'officer', u.S1], ['李警官', 'officer', u.S2], ['王警官', 'officer', u.E], ['赵主管', 'supervisor', u.S1], ['离职的警官', 'officer', u.S1]] as const) {
    ids[label] = (await env.principal(role, unit, label)).id;
  }
  await revokePrincipal(env.database.db, { principalId: ids['离职的警官']! });
}, 60_000);
afterAll(async () => env?.close());

const officers = async (query: string) => {
  const res = await env.request('GET', `/v1/officers${query}`, { key: env.keys.supervisor });
  return { status: res.statusCode, body: res.json() };
};

it("When a squad's officers are asked for, then its officers by name, and no supervisor and no revoked officer", async () => {
  const { status, body } = await officers(`?unit=${u.S1}`);
  expect(status).toBe(200);
  expect(body.officers).toEqual([{ id: ids['张警官'], name: '张警官', unitId: u.S1 }]);
});

it("When a district's are asked for, then those of its squads, and none of another district", async () => {
  const names = (await officers(`?unit=${u.D}`)).body.officers.map((o: { name: string }) => o.name);
  expect(names.sort()).toEqual(['张警官', '李警官'].sort());
  expect((await officers('')).body.officers.map((o: { name: string }) => o.name)).toContain('王警官');
});

it('When the unit is unknown or the query has another field, then 400 naming it', async () => {
  expect(await officers('?unit=nowhere')).toMatchObject({ status: 400, body: { issues: [{ path: 'querystring.unit' }] } });
  expect(await officers('?role=officer')).toMatchObject({ status: 400 });
});
