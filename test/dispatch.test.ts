// Smart dispatch (智能派单) through the API, on a real Temporal and PostgreSQL: every new case carries a
// suggestion with its reasons, in the case and in the desk's list; the desk's triage records where it
// differs; `./bangnong dispatch report` counts it and `learn` retrains; a channel's auto-dispatch triages
// as the system, and the desk takes it back (retriage).

import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../platform/config.js';
import { loadDispatchPolicy } from '../platform/dispatch-policy.js';
import { type Case, caseClient, recordHistory } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv } from './support.js';

interface Workstation { id: string; squadId: string; district: string; street: string; name: string }

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
let linfen: Workstation;
let sanyingfang: Workstation;

const FUMES = {
  title: '楼下饭店油烟直排',
  description: '临汾路380弄小区门口的饭店油烟没有净化设备，直接排到居民窗口，晚上开窗全是油烟味。',
  location: { address: '上海市静安区临汾路３８０弄１２号' },
};

beforeAll(async () => {
  env = await createTestEnv('dispatch', { dispatchPolicy: { ...loadDispatchPolicy(), autoDispatch: { threshold: 0.5, channels: ['patrol'] } } });
  c = caseClient(env);
  const stations = (await env.request('GET', '/v1/workstations')).json().workstations as Workstation[];
  linfen = stations.find((w) => w.name.startsWith('临汾路380弄'))!;
  sanyingfang = stations.find((w) => w.name.startsWith('三营房'))!;
});

afterAll(async () => env?.close());

/** `node cli/dispatch.ts …` as `./bangnong dispatch …` runs it, against the test's database. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/dispatch.ts', ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: env.databaseUrl, LOG_LEVEL: 'silent' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('the suggestion on a new case', () => {
  let filed: Case;

  it('When a citizen writes of 油烟 at a liaison point\'s compound, then the case suggests cooking fumes at that workstation and says why', async () => {
    filed = await c.file({ ...FUMES, citizen: undefined });
    expect(filed.state).toBe('triage');
    expect(filed.suggestion).toMatchObject({ category: 'cooking_fumes', unitId: linfen.squadId, workstationId: linfen.id, place: 'liaison_point' });
    expect(filed.suggestion.confidence).toBeGreaterThan(0.5);
    expect(filed.suggestion.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ about: 'category', kind: 'phrase', text: '油烟', target: 'cooking_fumes' }),
        expect.objectContaining({ about: 'place', kind: 'liaison_point', target: linfen.id }),
      ]),
    );
    // Read back, and in the desk's queue, the same suggestion.
    expect((await c.get(filed.id)).suggestion).toEqual(filed.suggestion);
    const queue = (await env.request('GET', '/v1/cases?state=triage&limit=200', { key: env.keys.desk })).json().cases as Case[];
    expect(queue.find((q) => q.id === filed.id)?.suggestion).toEqual(filed.suggestion);
  });

  it('When the address names only a district, then the suggestion goes to the district bureau, and with no place at all to no unit', async () => {
    const district = await c.file({ title: '路边摊贩占道经营', description: '每天傍晚有流动摊贩在人行道上卖水果，占道经营。', location: { address: '宝山区某某路88号' } });
    expect(district.suggestion).toMatchObject({ category: 'street_vending', unitId: '310113', place: 'district' });
    expect(district.suggestion.workstationId).toBeUndefined();
    const nowhere = await c.file({ title: '有人在绿地里种菜', description: '小区绿化带被人毁掉种菜。', location: { address: '我家楼下' } });
    expect(nowhere.suggestion).toMatchObject({ category: 'green_space_damage', place: 'none', placeConfidence: 0 });
    expect(nowhere.suggestion.unitId).toBeUndefined();
  });

  it('When the desk dispatches elsewhere and as another category, then the triage event records the correction, and the report counts it', async () => {
    await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'street_vending', workstationId: sanyingfang.id });
    const triage = (await c.events(filed.id)).find((e) => e.type === 'triage')!;
    expect(triage.payload).toMatchObject({
      suggestion: { category: 'cooking_fumes', unitId: linfen.squadId, workstationId: linfen.id },
      decided: { category: 'street_vending', unitId: sanyingfang.squadId, workstationId: sanyingfang.id },
      corrected: ['category', 'unit', 'workstation'],
    });
    await recordHistory(filed.id, 'suggestion-corrected');
    // A second case the desk takes as suggested.
    const followed = await c.file({ ...FUMES, title: '饭店油烟扰民' });
    await c.ok(followed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes', workstationId: linfen.id });

    const report = await cli(['report', '--json']);
    expect(report.code, report.stderr).toBe(0);
    const figures = JSON.parse(report.stdout);
    expect(figures).toMatchObject({ decisions: 2, automatic: 0, category: { right: 1, of: 2 }, squadWherePlaced: { right: 1, of: 2 }, workstation: { right: 1, of: 2 } });
    expect(figures.confusions).toEqual([{ suggested: 'cooking_fumes', decided: 'street_vending', count: 1 }]);
    const text = await cli(['report']);
    expect(text.stdout).toMatch(/category, top-1\s+1\/2\s+50\.0 %/);
    expect(text.stdout).toContain('cooking_fumes → street_vending: 1');
  });

  it('When the report is asked for a day that is not one, then it says so and exits non-zero', async () => {
    const bad = await cli(['report', '--from', '2026-13-01']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--from needs a day as YYYY-MM-DD, not "2026-13-01"');
  });
});

describe('learning from the desk', () => {
  it('When the desk twice sends an address no street names to one workstation, then after `dispatch learn` a new complaint there is suggested to it', async () => {
    const address = (n: number) => ({ address: `宝山区共和新路4700弄${n}号` });
    for (const n of [12, 15]) {
      const filed = await c.file({ title: '违法搭建', description: '楼顶有人搭建彩钢板房。', location: address(n) });
      expect(filed.suggestion.place).toBe('district');
      await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'illegal_construction', workstationId: sanyingfang.id });
    }
    const learned = await cli(['learn']);
    expect(learned.code, learned.stderr).toBe(0);
    // The place key: district, road (its last characters, so 七宝漕宝路 and 漕宝路 agree) and lane.
    expect(learned.stdout).toMatch(new RegExp(`place\\s+「宝山区\\|[^」]*新路\\|4700弄」 → ${sanyingfang.id}\\s+taught 2×`));
    expect(learned.stdout).toContain('saved');
    await env.app.services.dispatcher!.reloadLessons();

    const next = await c.file({ title: '楼顶加盖', description: '3号楼顶有人加盖房子。', location: address(3) });
    expect(next.suggestion).toMatchObject({ unitId: sanyingfang.squadId, workstationId: sanyingfang.id });
    expect(next.suggestion.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'learned_place', target: sanyingfang.id })]));
    expect(next.suggestion.model).toMatch(/\+[1-9]\d*$/);
  });
});

describe('auto-dispatch', () => {
  it('When a channel with auto-dispatch files a complaint the model is sure of, then the system dispatches it, the timeline says so, and the desk takes it back', async () => {
    const filed = await c.file({ ...FUMES, channel: 'patrol', title: '饭店油烟直排扰民' });
    expect(filed).toMatchObject({ state: 'dispatched', category: 'cooking_fumes', workstationId: linfen.id, assignedUnitId: linfen.squadId });
    expect(filed.autoDispatch.confidence).toBe(filed.suggestion.confidence);
    const events = await c.events(filed.id);
    expect(events.map((e) => [e.type, e.actor.role, e.to])).toEqual([
      ['intake', 'intake', 'triage'],
      ['triage', 'system', 'dispatched'],
    ]);
    expect(events[1]!.payload).toMatchObject({ decision: 'in_scope', automatic: true, corrected: [] });

    // Another channel, off by default: the same complaint waits for the desk.
    const manual = await c.file({ ...FUMES, channel: 'xinmin', title: '饭店油烟直排扰民' });
    expect(manual.state).toBe('triage');
    await c.ok(manual.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes', workstationId: linfen.id });
    // The desk's 自动派单 queue: the dispatched cases the system dispatched, not those the desk did.
    const listed = async (autoDispatched: string) =>
      ((await env.request('GET', `/v1/cases?state=dispatched&autoDispatched=${autoDispatched}`, { key: env.keys.desk })).json().cases as Case[]).map((x) => x.id);
    expect(await listed('true')).toEqual([filed.id]);
    expect(await listed('false')).toContain(manual.id);
    expect(await listed('false')).not.toContain(filed.id);
    const bad = await env.request('GET', '/v1/cases?autoDispatched=yes', { key: env.keys.desk });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('querystring.autoDispatched');

    const back = await c.ok(filed.id, env.keys.desk!, { type: 'retriage', reason: '该饭店属于市场监管范围，重新研判' });
    expect(back).toMatchObject({ state: 'triage', assignedUnitId: '310000' });
    expect(back.autoDispatch).toBeUndefined();
    expect(back.workstationId).toBeUndefined();
    const retriage = (await c.events(filed.id)).at(-1)!;
    expect(retriage).toMatchObject({ type: 'retriage', from: 'dispatched', to: 'triage', payload: { autoDispatched: true, previousWorkstationId: linfen.id } });
    await recordHistory(filed.id, 'auto-dispatched-taken-back');

    // Accepted cases are past taking back.
    const accepted = await c.file({ ...FUMES, channel: 'patrol', title: '又是饭店油烟' });
    await c.ok(accepted.id, env.keys.officer!, { type: 'accept' });
    const refused = await c.act(accepted.id, env.keys.desk!, { type: 'retriage', reason: '重新研判' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ state: 'investigating' });

    const report = JSON.parse((await cli(['report', '--json'])).stdout);
    expect(report).toMatchObject({ automatic: 2, autoDispatchesTakenBack: 1 });
  });
});
