// The API description is what integrators generate their clients from (the 12345 hotline, property
// companies, Open311 apps): it is built here by the app itself and held to Redocly's recommended rules,
// run offline with the installed CLI.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../platform/config.js';
import { type TestEnv, createTestEnv } from './support.js';

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}

let env: TestEnv;
let spec: { paths: Record<string, Record<string, Operation>> };
let operations: { route: string; op: Operation }[];

beforeAll(async () => {
  env = await createTestEnv('openapi');
  const res = await env.request('GET', '/openapi.json', { key: null });
  expect(res.statusCode).toBe(200);
  spec = res.json();
  operations = Object.entries(spec.paths).flatMap(([url, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${url}`, op })),
  );
});
afterAll(async () => env?.close());

/** Runs the installed Redocly CLI on this Node, with its telemetry and update check off: it calls no one. */
function redocly(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = path.join(REPO_ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  const envVars = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: envVars, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Redocly's own notice that Node 20 support is ending (a boxed banner on Node 20): not a finding about the description. */
const withoutNodeNotice = (text: string) => text.replace(/\u2554[\s\S]*?\u255d/g, '');

describe('the API description', () => {
  it('When Redocly lints /openapi.json with its recommended rules, then it exits 0 with no error and no warning', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bangnong-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(spec, null, 2));
      const { code, stdout, stderr } = await redocly(['lint', '--extends=recommended', '--format=json', file]);
      const report = JSON.parse(stdout) as { totals: Record<string, number>; problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
      expect(report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
      expect(code, stderr).toBe(0);
      expect(withoutNodeNotice(stderr)).not.toMatch(/warn/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('When a client generator reads the operations, then each has a unique camelCase operationId and its 4xx answers', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.sort()).toEqual(
      ['fileCase', 'getCase', 'getStats', 'getStatsOverview', 'getStatsMatrix', 'getStatsSatisfaction', 'getStatsTrend', 'listCaseEvents', 'listCases', 'listUnits', 'listWorkstations', 'rateCase', 'takeCaseAction', 'trackCase', 'listPrincipals', 'createPrincipal', 'rotateKey', 'revokeKey', 'revokePrincipal', 'listAuditLog', 'streamCaseEvents', 'signIn', 'signOut', 'whoAmI', 'exportCases', 'exportStatsOverview', 'exportStatsMatrix', 'exportStatsSatisfaction', 'exportStatsTrend', 'uploadCaseFile', 'listCaseFiles', 'getFile', 'getFilePreview', 'listSimilarCases', 'listDuplicateHints', 'listAnswerTemplates', 'listOfficers', 'pushHotlineWorkOrder', 'fileSuggestion', 'listSuggestions', 'getSuggestion', 'takeSuggestionAction', 'trackSuggestion', 'getPublicWorkstation', 'getFormToken', 'fileCitizenReport', 'supplementCaseByCitizen', 'uploadCitizenFile', 'getWorkstationQrPng', 'getWorkstationQrSvg', 'getSquadQrSheet', 'getGeoReportDiscovery', 'listGeoReportServices', 'getGeoReportServiceDefinition', 'createGeoReportRequest', 'listGeoReportRequests', 'getGeoReportRequest', 'getGeoReportRequestIdFromToken', 'uploadPublicityFile', 'submitPublicityItem', 'listPublicityItems', 'getPublicityItem', 'takePublicityAction', 'getPublicityFile', 'getPublicityFilePreview', 'logDutyVisit', 'listDutyVisits', 'getDutyVisit', 'addDutyVisitPhoto', 'getDutyVisitPhoto', 'getDutyVisitPhotoPreview', 'getDutyCompliance', 'listDutyShortfalls', 'getScorecard', 'getScorecardBest', 'exportScorecard', 'exportScorecardBest', 'listDeadLetters', 'getDeadLetter', 'redeliverDeadLetter', 'redeliverDeadLetters'].sort(),
    );
    for (const { route, op } of operations) {
      expect(op.operationId, route).toMatch(/^[a-z][a-zA-Z]*$/);
      expect(Object.keys(op.responses).filter((status) => /^4\d\d$/.test(status)), route).not.toEqual([]);
    }
  });

  it('When an operation needs no key, then the description says so, and every other one answers 401 without one', () => {
    for (const { route, op } of operations) {
      if (route.includes('/v1/track/') || route.includes('/v1/public/') || route.includes(' /open311/') || route.endsWith(' /v1/session')) {
        expect(op.security, route).toEqual([]);
        // Signing in refuses a wrong key in its body with 401; no other open route answers 401.
        if (route !== 'POST /v1/session') expect(op.responses, route).not.toHaveProperty('401');
      } else {
        expect(op.security, route).toBeUndefined();
        expect(op.responses, route).toHaveProperty('401');
      }
    }
  });
});
