// Drives cases through the HTTP contract the way a well-behaved client does under faults: every
// request is retried (same body, same Idempotency-Key) until it gets a definite answer.

import { type Stack, call } from '../../dev/stack.js';

export interface Tally {
  attempts: number;
  retries: number;
  statuses: Record<string, number>;
  /** Longest time one step took, retries included (ms). */
  slowestStepMs: number;
}

export const newTally = (): Tally => ({ attempts: 0, retries: 0, statuses: {}, slowestStepMs: 0 });

const RETRYABLE = new Set([0, 500, 502, 503, 504]);

/** Sends until the answer is not a transient failure; returns that answer. */
export async function send(
  stack: Stack,
  tally: Tally,
  method: 'GET' | 'POST',
  url: string,
  key: string,
  body?: unknown,
  idempotencyKey?: string,
  giveUpAfterMs = 180_000,
) {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    tally.attempts++;
    if (attempt > 0) tally.retries++;
    let status = 0;
    let json: any;
    try {
      ({ status, json } = await call(stack, method, url, key, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}));
    } catch {
      status = 0; // connection refused or reset: the API is restarting
    }
    tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
    if (!RETRYABLE.has(status)) {
      tally.slowestStepMs = Math.max(tally.slowestStepMs, Date.now() - started);
      return { status, json };
    }
    if (Date.now() - started > giveUpAfterMs) throw new Error(`${method} ${url} still failing (${status}) after ${giveUpAfterMs / 1000}s`);
    await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** Math.min(attempt, 4), 3000)));
  }
}

export const LIFECYCLE_EVENTS = ['intake', 'triage', 'accept', 'resolve', 'feedback', 'media_waive'];

/** intake → triage → accept → resolve → feedback → media_waive: the case ends closed. */
export async function runLifecycle(stack: Stack, tally: Tally, tag: string, workstationId: string): Promise<string> {
  const k = stack.keys;
  const filed = await send(stack, tally, 'POST', '/v1/cases', k.intake, {
    channel: 'xinmin',
    externalId: tag,
    title: `故障测试 ${tag}`,
    description: '占道经营',
    location: { address: '黄浦区南京东路1号' },
  });
  if (filed.status !== 201 && filed.status !== 200) throw new Error(`intake of ${tag}: ${filed.status} ${JSON.stringify(filed.json)}`);
  const id = filed.json.id as string;
  const steps: [string, Record<string, unknown>][] = [
    [k.desk, { type: 'triage', decision: 'in_scope', category: 'street_vending', workstationId }],
    [k.officer, { type: 'accept' }],
    [k.officer, { type: 'resolve', result: '已劝离' }],
    [k.officer, { type: 'feedback', message: '已处理' }],
    [k.desk, { type: 'media_waive' }],
  ];
  for (const [key, body] of steps) {
    const res = await send(stack, tally, 'POST', `/v1/cases/${id}/actions`, key, body, `${tag}:${body.type}`);
    if (res.status !== 200) throw new Error(`${body.type} on ${id}: ${res.status} ${JSON.stringify(res.json)}`);
  }
  return id;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Files cases with `clients` clients while PostgreSQL stops for 30 s and starts again: 5 s before, the
 * outage, then until `afterAccepted` cases are taken after it (or `afterMs` has passed). Counts the answers
 * per phase; keeps every case answered 2xx (tag → id).
 */
export async function intakeAcrossPostgresOutage(stack: Stack, tagPrefix: string, o: { clients?: number; afterAccepted?: number; afterMs?: number } = {}) {
  const accepted = new Map<string, string>();
  const statuses: Record<string, number> = {};
  let phase: 'before' | 'outage' | 'after' = 'before';
  const byPhase = { before: { accepted: 0, refused: 0 }, outage: { accepted: 0, refused: 0 }, after: { accepted: 0, refused: 0 } };
  let stop = false;
  let i = 0;
  const load = Promise.all(
    Array.from({ length: o.clients ?? 8 }, async () => {
      while (!stop) {
        const tag = `${tagPrefix}-${i++}`;
        let status = 0;
        let json: any;
        try {
          ({ status, json } = await call(stack, 'POST', '/v1/cases', stack.keys.intake, { channel: 'hotline', externalId: tag, title: '噪音', description: '夜间噪音', location: { address: '徐汇区' } }));
        } catch {
          status = 0;
        }
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 201 || status === 200) {
          accepted.set(tag, json.id);
          byPhase[phase].accepted++;
        } else if (status === 503) byPhase[phase].refused++;
        await sleep(20);
      }
    }),
  );
  await sleep(5000);
  phase = 'outage';
  await stack.stopPostgres();
  await sleep(30_000);
  await stack.startPostgres();
  phase = 'after';
  const until = Date.now() + (o.afterMs ?? 5000);
  while (Date.now() < until && byPhase.after.accepted < (o.afterAccepted ?? Infinity)) await sleep(250);
  stop = true;
  await load;
  return { accepted, statuses, byPhase };
}
