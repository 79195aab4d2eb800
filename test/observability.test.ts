// What operators see inside, through the real processes: the API (api/server.ts) and a worker
// (worker/main.ts) started as `./bangnong up` starts them, sending traces to an OTLP/HTTP receiver run
// here and serving the worker's Temporal metrics on a port of its own; and how far the working-day
// calendar reaches, in /readyz, the worker's log and its metrics.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase } from '../db/client.js';
import { createPrincipal } from '../db/queries/principals.js';
import { CITY } from '../db/seed.js';
import { freePort } from '../dev/services.js';
import { calendarCoversThrough, calendarOutlook } from '../domain/calendar.js';
import { REPO_ROOT } from '../platform/config.js';
import { withDatabase } from './global-setup.js';
import { defaultPolicy, eventually, sampleIntake } from './support.js';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  attributes: Record<string, unknown>;
}

type AnyValue = { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
const valueOf = (v: AnyValue) => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
const attributesOf = (list: { key: string; value: AnyValue }[] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/** A tiny OTLP/HTTP receiver: takes JSON export requests at /v1/traces and keeps their spans. */
function otlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/traces' || !String(req.headers['content-type']).includes('json')) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const rs of body.resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name']);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined, name: s.name, service, attributes: attributesOf(s.attributes) });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { spans, server };
}

/** Starts one of the entry points as its own process, keeping what it prints. */
function startProcess(entry: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  child.stdout!.on('data', (c: Buffer) => (output.text += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (output.text += c.toString('utf8')));
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, output, stop };
}

/** The JSON lines a pino logger printed. */
const logLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('operators can see inside', () => {
  const receiver = otlpReceiver();
  let api: ReturnType<typeof startProcess>;
  let worker: ReturnType<typeof startProcess>;
  let apiUrl = '';
  let metricsUrl = '';
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    const otlp = `http://127.0.0.1:${(receiver.server.address() as { port: number }).port}`;

    const dbName = `bn_observability_${process.pid}_${Date.now()}`;
    const admin = postgres(withDatabase(inject('postgresAdminUrl'), 'postgres'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${dbName} template ${inject('templateDatabase')}`);
    await admin.end();
    const databaseUrl = withDatabase(inject('postgresAdminUrl'), dbName);
    const database = connectDatabase(databaseUrl, { max: 2 });
    for (const role of ['intake', 'desk'] as const) keys[role] = (await createPrincipal(database.db, { name: role, role, unitId: CITY.id })).key;
    await database.close();

    // A calendar whose notice ends with 2025: every deadline computed today falls past it, whatever today is.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bn-observability-'));
    const calendarFile = path.join(dir, 'calendar.json');
    writeFileSync(calendarFile, JSON.stringify({ utcOffsetMinutes: 480, holidays: ['2025-01-01', '2025-10-01'], workdays: ['2025-09-28'] }));

    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const common = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `test-observability-${process.pid}`,
      FILES_DIR: path.join(dir, 'files'),
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
    };
    worker = startProcess('worker/main.ts', { ...common, WORKFLOW_BUNDLE: inject('workflowBundlePath'), WORKER_METRICS_PORT: String(metricsPort) });
    api = startProcess('api/server.ts', { ...common, API_PORT: String(apiPort), CALENDAR_FILE: calendarFile });
    await eventually(async () => worker.output.text, (t) => t.includes('worker polling') || worker.child.exitCode !== null, 120_000, 'the worker to poll');
    await eventually(() => fetch(`${apiUrl}/healthz`).then((r) => r.status, () => 0), (s) => s === 200 || api.child.exitCode !== null, 120_000, 'the API to listen');
    expect(worker.child.exitCode, worker.output.text).toBeNull();
    expect(api.child.exitCode, api.output.text).toBeNull();
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    receiver.server.close();
  });

  const call = async (method: 'GET' | 'POST', url: string, key: string | null, body?: unknown) => {
    const res = await fetch(`${apiUrl}${url}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  let caseId = '';

  it('When a case is filed and an action taken through the API, then one trace runs from each request through the Temporal call and the workflow to the projection activity in the worker', async () => {
    const filed = await call('POST', '/v1/cases', keys.intake!, sampleIntake({ externalId: 'otel-1' }));
    expect(filed.status).toBe(201);
    caseId = String(filed.json.id);
    const acted = await call('POST', `/v1/cases/${caseId}/actions`, keys.desk!, { type: 'supplement', text: '居民补充：噪音持续到凌晨两点' });
    expect(acted.status, JSON.stringify(acted.json)).toBe(200);

    const spans = receiver.spans;
    const requestSpan = (route: string) => spans.find((s) => s.name === 'request' && s.attributes['http.route'] === route && s.attributes['http.request.method'] === 'POST');
    const byId = (id: string | undefined) => spans.find((s) => s.spanId === id);
    /** The names from a span up to its trace's root, as far as the spans have arrived. */
    const chain = (span: ReceivedSpan | undefined) => {
      const names: string[] = [];
      for (let s = span; s; s = byId(s.parentSpanId)) names.push(`${s.name} (${s.service})`);
      return names;
    };

    // The action: HTTP request → the update's client call → its handling in the workflow → the projection it waits for.
    const actionChain = await eventually(
      async () => {
        const request = requestSpan('/v1/cases/:id/actions');
        const run = spans.find((s) => s.name === 'RunActivity:projectCase' && s.traceId === request?.traceId);
        return chain(run);
      },
      (names) => names.at(-1) === 'request (bangnong-api)',
      30_000,
      'the action trace to reach from the projection up to the HTTP request',
    );
    expect(actionChain.slice(0, 4)).toEqual([
      'RunActivity:projectCase (bangnong-worker)',
      'StartActivity:projectCase (bangnong-worker)',
      'HandleUpdate:caseAction (bangnong-worker)',
      'StartWorkflowUpdate:caseAction (bangnong-api)',
    ]);

    // The filing: the same from the request through the workflow's start to its first projection (the
    // workflow's own span, RunWorkflow, is sent when the case's workflow finishes).
    const filing = requestSpan('/v1/cases')!;
    expect(filing).toBeDefined();
    const inFiling = spans.filter((s) => s.traceId === filing.traceId).map((s) => `${s.name} (${s.service})`);
    expect(inFiling).toEqual(expect.arrayContaining(['StartWorkflow:caseWorkflow (bangnong-api)', 'StartActivity:projectCase (bangnong-worker)', 'RunActivity:projectCase (bangnong-worker)']));
    const startWorkflow = spans.find((s) => s.name === 'StartWorkflow:caseWorkflow' && s.traceId === filing.traceId)!;
    expect(chain(startWorkflow).at(-1)).toBe('request (bangnong-api)');
    // Probes and scrapes stay out of the traces.
    await call('GET', '/readyz', null);
    expect(spans.filter((s) => s.attributes['http.route'] === '/readyz')).toEqual([]);
  });

  it("When Prometheus scrapes the worker's metrics port, then it finds the worker's own Temporal metrics and the deadline counted past the calendar", async () => {
    const text = await eventually(
      () => fetch(metricsUrl).then((r) => r.text()),
      (t) => t.includes('bangnong_deadlines_beyond_calendar'),
      30_000,
      'the worker metrics to show the calendar counter',
    );
    for (const name of ['temporal_workflow_task_execution_latency', 'temporal_sticky_cache_size', 'temporal_worker_task_slots_available', 'temporal_request']) {
      expect(text, name).toMatch(new RegExp(`^${name}`, 'm'));
    }
    // Filed under a calendar that ends with 2025: the triage deadline is flagged once, though two projections carried it.
    const counted = text.split('\n').filter((l) => l.startsWith('bangnong_deadlines_beyond_calendar{') && l.includes('field="deadlineAt"'));
    expect(counted).toHaveLength(1);
    expect(counted[0]).toMatch(/workflowType="caseWorkflow"/);
    expect(counted[0]).toMatch(/ 1$/);
  });

  it('When a deadline falls past the calendar, then the worker logs a warning naming the case, and /readyz reports the gap while staying ready', async () => {
    const warning = logLines(worker.output.text).find((l) => String(l.msg).startsWith('a deadline falls past the working-day calendar'));
    expect(warning).toMatchObject({ level: 40, caseId, field: 'deadlineAt', coversThrough: '2025-12-31', workflowType: 'caseWorkflow' });
    expect(String(warning!.msg)).toMatch(/add the next year to the calendar/);

    const ready = await call('GET', '/readyz', null);
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ready', postgres: 'ok', temporal: 'ok', calendar: { coversThrough: '2025-12-31', gap: true, status: 'expired' } });
    // The API said so as it started.
    expect(logLines(api.output.text).some((l) => l.level === 40 && String(l.msg).includes('covers through 2025-12-31'))).toBe(true);
  });
});

describe('how far the working-day calendar reaches', () => {
  const policy = defaultPolicy();
  const at = (local: string) => new Date(`${local}+08:00`);

  it('When the calendar holds the notices up to 2026, then it covers through 2026-12-31', () => {
    expect(calendarCoversThrough(policy.calendar)).toBe('2026-12-31');
    expect(calendarCoversThrough({ utcOffsetMinutes: 480, holidays: [], workdays: [] })).toBeUndefined();
  });

  it('When no deadline computed today reaches past the calendar and its end is further than the warning days, then it is ok', () => {
    const outlook = calendarOutlook(policy, at('2026-06-01T10:00'), 60);
    expect(outlook).toMatchObject({ coversThrough: '2026-12-31', daysLeft: 213, gap: false, status: 'ok', longestDuration: '60wd' });
    // 60 working days from 1 June, past the Dragon Boat and the mid-autumn holidays.
    expect(outlook.furthestDeadline.slice(0, 10)).toBe('2026-08-25');
  });

  it('When the longest deadline of the policy reaches past the calendar, then it warns, whatever the warning days', () => {
    const outlook = calendarOutlook(policy, at('2026-11-23T10:00'), 0);
    expect(outlook).toMatchObject({ coversThrough: '2026-12-31', daysLeft: 38, gap: true, status: 'warning' });
    expect(outlook.furthestDeadline > '2027-01-01').toBe(true);
  });

  it('When only the warning days reach its end, then it warns; when today is past it, it has expired', () => {
    // Deadlines of a day: none reaches the end, but 20 days are left, within 30.
    const short = { ...policy, deadlines: { ...policy.deadlines }, suggestion: undefined, publicity: undefined, hotlineReturn: undefined, grace: '1d', ratingWindow: '1d', reopenWindow: '1d', urgent: {}, categories: {} };
    for (const stage of Object.keys(short.deadlines) as (keyof typeof short.deadlines)[]) short.deadlines[stage] = '1d';
    expect(calendarOutlook(short, at('2026-12-11T10:00'), 30)).toMatchObject({ daysLeft: 20, gap: false, status: 'warning' });
    expect(calendarOutlook(short, at('2026-12-11T10:00'), 10)).toMatchObject({ status: 'ok' });
    expect(calendarOutlook(policy, at('2027-01-04T10:00'), 60)).toMatchObject({ daysLeft: -4, gap: true, status: 'expired' });
  });
});
