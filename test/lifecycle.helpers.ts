import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expect, inject } from 'vitest';
import { REPO_ROOT } from '../platform/config.js';
import { caseWorkflowId } from '../workflows/messages.js';
import { type TestEnv, sampleIntake } from './support.js';

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
  return { file, act, ok, get, events, workstations };
}

/**
 * Saves the case's workflow history under test/histories when RECORD_HISTORIES=1, so later changes to
 * the workflow are replayed against cases that were already running (test/replay.test.ts).
 */
export async function recordHistory(caseId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  // The CLI writes the same JSON as every Temporal tool; the SDK's own converter trips over two protobufjs copies.
  const json = execFileSync(inject('temporalCli'), ['workflow', 'show', '--address', inject('temporalAddress'), '-w', caseWorkflowId(caseId), '--output', 'json'], {
    encoding: 'utf8',
  });
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), json);
}
