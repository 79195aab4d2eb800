import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, inject } from 'vitest';
import { REPO_ROOT } from '../platform/config.js';
import { caseWorkflowId } from '../workflows/messages.js';
import { type TestEnv, eventually, sampleIntake } from './support.js';

export const HISTORIES_DIR = path.join(REPO_ROOT, 'test', 'histories');

export type Case = Record<string, any>;

/** A client of one test env, speaking the HTTP contract as an actor would. */
export function caseClient(env: TestEnv) {
  const file = async (overrides: Record<string, unknown> = {}): Promise<Case> => {
    const res = await env.request('POST', '/v1/cases', { body: sampleIntake(overrides) });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const act = async (id: string, key: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
    env.request('POST', `/v1/cases/${id}/actions`, { key, body, headers });
  /** An action that must succeed: answers the case after it. */
  const ok = async (id: string, key: string, body: Record<string, unknown>): Promise<Case> => {
    const res = await act(id, key, body);
    expect(res.statusCode, `${body.type}: ${res.body}`).toBe(200);
    return res.json();
  };
  const get = async (id: string): Promise<Case> => (await env.request('GET', `/v1/cases/${id}`)).json();
  const events = async (id: string): Promise<Case[]> => (await env.request('GET', `/v1/cases/${id}/events`)).json().events;
  const workstations = async (): Promise<Case[]> => (await env.request('GET', '/v1/workstations')).json().workstations;
  /** The district a squad belongs to, as the organisation says. */
  const districtOf = async (squadId: string): Promise<string> => {
    const units: { id: string; parentId: string | null }[] = (await env.request('GET', '/v1/units')).json().units;
    return units.find((u) => u.id === squadId)!.parentId!;
  };
  return { file, act, ok, get, events, workstations, districtOf };
}

/**
 * Saves the case's workflow history under test/histories when RECORD_HISTORIES=1, so later changes to
 * the workflow are replayed against cases that were already running (test/replay.test.ts). A history
 * already there is kept: it stands for the cases its workflow version started.
 */
export async function recordHistory(caseId: string, name: string): Promise<void> {
  await recordWorkflowHistory(caseWorkflowId(caseId), name);
}

/** The same for a workflow that is not a case's own (the erasure of a finished case, `case-<id>-erasure`). */
export async function recordWorkflowHistory(workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1' || existsSync(path.join(HISTORIES_DIR, `${name}.json`))) return;
  // The CLI writes the same JSON as every Temporal tool; the SDK's own converter trips over two protobufjs copies.
  const json = execFileSync(inject('temporalCli'), ['workflow', 'show', '--address', inject('temporalAddress'), '-w', workflowId, '--output', 'json'], {
    encoding: 'utf8',
  });
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), json);
}

/**
 * What a test env has started so far: workflows on its task queue (Temporal's count) and case rows, once
 * visibility, which lags a start by a moment, has caught up with the rows (every case here has its row).
 */
export async function startedSoFar(env: TestEnv): Promise<{ workflows: number; rows: number }> {
  const read = async () => {
    const [{ count }, [row]] = await Promise.all([
      env.temporal.workflow.count(`TaskQueue = '${env.taskQueue}'`),
      env.database.sql<{ n: number }[]>`select count(*)::int as n from cases`,
    ]);
    return { workflows: count, rows: row!.n };
  };
  return eventually(read, (n) => n.workflows >= n.rows, 10_000, 'visibility to count every case');
}

/**
 * Asserts that nothing was started since `before`: files one good case, waits until Temporal's visibility
 * counts it (so a start from before it would be counted too), and expects exactly one more of each.
 */
export async function expectOnlyOneMoreCase(env: TestEnv, before: { workflows: number; rows: number }): Promise<void> {
  const good = await caseClient(env).file({ title: '好的投诉' });
  expect((await env.request('GET', `/v1/cases/${good.id}`)).json()).toMatchObject({ id: good.id, title: '好的投诉', state: 'triage' });
  const after = await eventually(() => startedSoFar(env), (n) => n.workflows >= before.workflows + 1, 10_000, 'the good case in visibility');
  expect(after).toEqual({ workflows: before.workflows + 1, rows: before.rows + 1 });
}
