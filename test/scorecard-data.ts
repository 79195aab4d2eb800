// Known data for the scorecard's tests (test/scorecard.test.ts, test/browser/scorecard.test.ts), written
// straight into the tables — cases and their timelines, duty visits, publicity items — as the workflows
// would have left them, so every figure of October 2026 can be worked out by hand (README "Scorecard").
//
// 长宁区 (the district of seed 001): squad 天山路街道 (A) has workstations W1 天山二村 and W2 友谊; squad
// 北新泾街道 (B) has W3 元丰花园; squad 华阳路街道 (X) has W5 潘西, with nothing logged. 金山区 (elsewhere):
// squad 枫泾镇 (C) has W4 古镇景区.

import { caseEvents, cases, dutyVisits, publicityItems } from '../db/schema.js';
import { CITY, squadId, workstationId } from '../db/seed.js';
import type { CaseView } from '../domain/case.js';
import type { TestEnv } from './support.js';

export const D1 = '310105';
export const D2 = '310116';
export const SQUAD = { A: squadId(D1, '天山路街道'), B: squadId(D1, '北新泾街道'), X: squadId(D1, '华阳路街道'), C: squadId(D2, '枫泾镇') };
export const WS = {
  W1: workstationId('长宁区天山路街道天山二村居委城管执法社区工作室'),
  W2: workstationId('长宁区天山路街道友谊居委城管执法社区工作室'),
  W3: workstationId('长宁区北新泾街道元丰花园居委城管执法社区工作室'),
  W5: workstationId('长宁区华阳路街道潘西居委城管执法社区工作室'),
  W4: workstationId('金山区枫泾镇古镇景区城管执法社区工作室'),
};
const SQUAD_OF: Record<keyof typeof WS, keyof typeof SQUAD> = { W1: 'A', W2: 'A', W3: 'B', W5: 'X', W4: 'C' };
const DISTRICT_OF: Record<keyof typeof SQUAD, string> = { A: D1, B: D1, X: D1, C: D2 };
const pathOf = (squad: keyof typeof SQUAD) => `${CITY.id}/${DISTRICT_OF[squad]}/${SQUAD[squad]}`;

const HOUR = 3_600_000;
let seq = 0;

export interface CaseFixture {
  /** The workstation, or only a squad (a case triaged to the squad with no workstation named). */
  at: keyof typeof WS | { squad: keyof typeof SQUAD };
  filed: string;
  state?: 'closed' | 'investigating';
  outcome?: 'resolved' | 'transferred' | 'explained';
  level?: 'squad' | 'district';
  rating?: 'satisfied' | 'basically_satisfied' | 'unsatisfied';
  /** Deadline passes in its timeline: the stage clock's make it late, the others do not. */
  missed?: ('stage' | 'media' | 'return')[];
  /** An open case whose deadline is behind it now. */
  pastDeadline?: boolean;
}

export async function insertCases(env: TestEnv, rows: CaseFixture[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of rows) {
    const id = `score${String(++seq).padStart(5, '0')}`;
    ids.push(id);
    const squad = typeof r.at === 'string' ? SQUAD_OF[r.at] : r.at.squad;
    const state = r.state ?? 'closed';
    const trackingCode = `SC${String(seq).padStart(10, '0')}`;
    const deadlineAt = state === 'closed' ? undefined : new Date(Date.now() + (r.pastDeadline ? -HOUR : 72 * HOUR)).toISOString();
    // The case as its workflow would hold it, so that the lists and the case page show it as any other.
    const view: CaseView = {
      id,
      trackingCode,
      channel: 'qr',
      title: '评优测试',
      description: '油烟扰民',
      category: 'cooking_fumes',
      urgent: false,
      location: { address: '长宁区天山路1号' },
      ...(typeof r.at === 'string' ? { workstationId: WS[r.at] } : {}),
      attachments: [],
      state,
      ...(state === 'closed' ? { outcome: r.outcome ?? 'resolved' } : { stage: 'investigation' as const, deadlineAt }),
      overdue: r.pastDeadline ?? false,
      escalationLevel: r.level ?? 'squad',
      squadPath: pathOf(squad),
      assignedUnitPath: pathOf(squad),
      arrived: true,
      evidenceCount: 0,
      supplementCount: 0,
      media: { status: 'not_applicable', accompany: 'none', overdue: false },
      answered: state === 'closed',
      ...(r.rating ? { rating: { rating: r.rating, at: r.filed } } : {}),
      reopenCount: 0,
      createdAt: r.filed,
      updatedAt: r.filed,
      ...(state === 'closed' ? { closedAt: r.filed } : {}),
      version: 1,
    };
    await env.database.db.insert(cases).values({
      id,
      trackingCode,
      channel: 'qr',
      title: '评优测试',
      category: 'cooking_fumes',
      urgent: false,
      state,
      outcome: state === 'closed' ? (r.outcome ?? 'resolved') : null,
      stage: state === 'closed' ? null : 'investigation',
      deadlineAt: deadlineAt ?? null,
      overdue: r.pastDeadline ?? false,
      escalationLevel: r.level ?? 'squad',
      districtId: DISTRICT_OF[squad],
      squadId: SQUAD[squad],
      assignedUnitId: SQUAD[squad],
      assignedUnitPath: pathOf(squad),
      workstationId: typeof r.at === 'string' ? WS[r.at] : null,
      mediaStatus: 'not_applicable',
      rating: r.rating ?? null,
      view,
      createdAt: r.filed,
      updatedAt: r.filed,
      closedAt: state === 'closed' ? r.filed : null,
      version: 1,
    });
    const at = (h: number) => new Date(Date.parse(r.filed) + h * HOUR).toISOString();
    const events: { seq: number; type: string; at: string; fromState: string | null; toState: string; payload: Record<string, unknown> }[] = [
      { seq: 1, type: 'intake', at: at(0), fromState: null, toState: 'triage', payload: {} },
    ];
    for (const clock of r.missed ?? []) {
      events.push({ seq: events.length + 1, type: 'deadline_passed', at: at(events.length), fromState: 'investigating', toState: 'investigating', payload: { clock } });
    }
    await env.database.db.insert(caseEvents).values(events.map((e) => ({ ...e, caseId: id, actor: { id: 'system', role: 'system', unitPath: CITY.id } as never })));
  }
  return ids;
}

export async function insertVisits(env: TestEnv, rows: { at: keyof typeof WS; started: string; minutes: number }[]): Promise<void> {
  for (const r of rows) {
    const squad = SQUAD_OF[r.at];
    await env.database.db.insert(dutyVisits).values({
      id: `visit${String(++seq).padStart(5, '0')}`,
      officerId: 'officer-test',
      workstationId: WS[r.at],
      squadId: SQUAD[squad],
      districtId: DISTRICT_OF[squad],
      unitPath: pathOf(squad),
      startedAt: r.started,
      endedAt: new Date(Date.parse(r.started) + r.minutes * 60_000).toISOString(),
      minutes: r.minutes,
      activities: ['patrol'],
    });
  }
}

export async function insertPublicity(env: TestEnv, rows: { squad: keyof typeof SQUAD; released: string; takenDown?: string }[]): Promise<void> {
  for (const r of rows) {
    await env.database.db.insert(publicityItems).values({
      id: `pub${String(++seq).padStart(5, '0')}`,
      squadId: SQUAD[r.squad],
      districtId: DISTRICT_OF[r.squad],
      unitPath: pathOf(r.squad),
      title: '普法宣传短视频',
      state: r.takenDown ? 'taken_down' : 'released',
      view: {},
      createdAt: r.released,
      updatedAt: r.takenDown ?? r.released,
      releasedAt: r.released,
      takenDownAt: r.takenDown ?? null,
      version: 1,
    });
  }
}

/**
 * October 2026 (Shanghai): its weeks are those of Mondays 5, 12, 19 and 26 October (the last ends on
 * 2 November), its cases those filed from 1 October 00:00 to 1 November 00:00 +08:00. What each row
 * comes to is worked out in test/scorecard.test.ts.
 */
export async function insertOctober(env: TestEnv): Promise<void> {
  const oct = (day: number, hour = 10) => new Date(Date.UTC(2026, 9, day, hour - 8)).toISOString();
  await insertCases(env, [
    // W1: ten cases in October, and two just outside it.
    { at: 'W1', filed: oct(2), rating: 'satisfied' },
    { at: 'W1', filed: oct(3), rating: 'basically_satisfied' },
    { at: 'W1', filed: oct(4), rating: 'unsatisfied', missed: ['stage'] },
    { at: 'W1', filed: oct(5), level: 'district', rating: 'satisfied' },
    { at: 'W1', filed: oct(6), outcome: 'transferred' },
    { at: 'W1', filed: oct(7), outcome: 'explained', rating: 'satisfied' },
    { at: 'W1', filed: oct(8), missed: ['media'] },
    { at: 'W1', filed: oct(9), state: 'investigating' },
    { at: 'W1', filed: oct(10), state: 'investigating', pastDeadline: true },
    { at: 'W1', filed: '2026-10-31T15:59:00.000Z', rating: 'satisfied', missed: ['return'] },
    { at: 'W1', filed: '2026-09-30T15:59:00.000Z', rating: 'unsatisfied' },
    { at: 'W1', filed: '2026-10-31T16:00:00.000Z', rating: 'unsatisfied' },
    // W2: four, every one on time, solved on site, satisfied.
    ...[11, 12, 13, 14].map((day): CaseFixture => ({ at: 'W2', filed: oct(day), rating: 'satisfied' })),
    // Squad A without a workstation named.
    { at: { squad: 'A' }, filed: oct(15), rating: 'satisfied' },
    // W3: six on time, three solved at the squad, three at the district, none rated.
    ...[16, 17, 18].map((day): CaseFixture => ({ at: 'W3', filed: oct(day) })),
    ...[19, 20, 21].map((day): CaseFixture => ({ at: 'W3', filed: oct(day), level: 'district' })),
    // W4, in the other district.
    ...[22, 23, 24].map((day): CaseFixture => ({ at: 'W4', filed: oct(day), rating: 'satisfied' })),
  ]);
  await insertVisits(env, [
    // W1: weeks of 5 Oct (120 min) and 12 Oct (60 + 60) met, 19 Oct (119) not, 26 Oct met by a visit that
    // began on Sunday 1 November 23:00; the visits of the weeks of 28 Sep and 2 Nov are other periods'.
    { at: 'W1', started: oct(6), minutes: 120 },
    { at: 'W1', started: oct(13), minutes: 60 },
    { at: 'W1', started: oct(15), minutes: 60 },
    { at: 'W1', started: oct(20), minutes: 119 },
    { at: 'W1', started: '2026-11-01T15:00:00.000Z', minutes: 180 },
    { at: 'W1', started: '2026-10-04T02:00:00.000Z', minutes: 180 },
    { at: 'W1', started: '2026-11-01T16:00:00.000Z', minutes: 180 },
    // W3: every week.
    ...[5, 12, 19, 26].map((day) => ({ at: 'W3' as const, started: oct(day), minutes: 150 })),
  ]);
  await insertPublicity(env, [
    // Squad A: released on 10 Oct, and on 30 Oct (taken down in November: it still counts for October);
    // one taken down within October, one released on 1 November 00:00.
    { squad: 'A', released: oct(10) },
    { squad: 'A', released: oct(20), takenDown: oct(25) },
    { squad: 'A', released: oct(30), takenDown: '2026-11-05T02:00:00.000Z' },
    { squad: 'A', released: '2026-10-31T16:00:00.000Z' },
    // Squad B: only one taken down within October.
    { squad: 'B', released: oct(8), takenDown: oct(9) },
  ]);
}
