// After a 2xx every read finds what was written, whoever reads: intake answers only once the case is in
// the read model. Many cases are filed at once and each is read back at once, by other clients, by every
// route a person or a system would use next.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Case, caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, sampleIntake } from './support.js';

let env: TestEnv;
let c: ReturnType<typeof caseClient>;
beforeAll(async () => {
  env = await createTestEnv('ryw');
  c = caseClient(env);
});
afterAll(async () => env?.close());

describe('read-your-writes after intake', () => {
  it('When 40 cases are filed at once and each is read back the moment it is answered, then no read misses it', async () => {
    const misses: string[] = [];
    const miss = (what: string, status: number, body: string) => misses.push(`${what}: ${status} ${body.slice(0, 200)}`);
    const ids = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const filed = await env.request('POST', '/v1/cases', { body: sampleIntake({ externalId: `ryw-${i}`, title: `读写一致 ${i}` }) });
        expect(filed.statusCode, filed.body).toBe(201);
        const { id, trackingCode } = filed.json() as Case;
        // Another client (the desk), the citizen (no key) and the list, straight after the answer.
        const [one, events, track, listed] = await Promise.all([
          env.request('GET', `/v1/cases/${id}`, { key: env.keys.desk }),
          env.request('GET', `/v1/cases/${id}/events`, { key: env.keys.supervisor }),
          env.request('GET', `/v1/track/${trackingCode}`, { key: null }),
          env.request('GET', `/v1/cases?q=${id}`, { key: env.keys.desk }),
        ]);
        if (one.statusCode !== 200 || one.json().trackingCode !== trackingCode) miss(`case ${id}`, one.statusCode, one.body);
        if (events.statusCode !== 200 || events.json().events[0]?.type !== 'intake') miss(`events ${id}`, events.statusCode, events.body);
        if (track.statusCode !== 200 || track.json().state !== 'triage') miss(`tracking ${trackingCode}`, track.statusCode, track.body);
        if (listed.statusCode !== 200 || listed.json().cases.map((x: Case) => x.id).join() !== id) miss(`list ?q=${id}`, listed.statusCode, listed.body);
        // A later complaint about the same thing, marked a duplicate of this one at once.
        const later = await env.request('POST', '/v1/cases', { body: sampleIntake({ title: `重复 ${i}` }), headers: { 'idempotency-key': `ryw-later-${i}` } });
        expect(later.statusCode, later.body).toBe(201);
        const dup = await c.act(later.json().id, env.keys.desk!, { type: 'mark_duplicate', originalId: id });
        if (dup.statusCode !== 200 || dup.json().duplicateOf !== id) miss(`mark_duplicate of ${id}`, dup.statusCode, dup.body);
        return id;
      }),
    );
    expect(misses).toEqual([]);
    expect(new Set(ids).size).toBe(40);
  });

  it('When a channel without ids retries with the same Idempotency-Key, then it gets the same case; another key or another client gets a new one', async () => {
    const body = sampleIntake({ channel: 'walkin', title: '窗口来访' });
    const first = await env.request('POST', '/v1/cases', { body, headers: { 'idempotency-key': 'walkin-0001' } });
    const again = await env.request('POST', '/v1/cases', { body, headers: { 'idempotency-key': 'walkin-0001' } });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, trackingCode: first.json().trackingCode });
    const otherKey = await env.request('POST', '/v1/cases', { body, headers: { 'idempotency-key': 'walkin-0002' } });
    expect(otherKey.statusCode).toBe(201);
    const otherClient = await env.request('POST', '/v1/cases', { body, key: env.keys.desk, headers: { 'idempotency-key': 'walkin-0001' } });
    expect(otherClient.statusCode).toBe(201);
    expect(new Set([first.json().id, otherKey.json().id, otherClient.json().id]).size).toBe(3);
  });
});
