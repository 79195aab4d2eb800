// What the API holds every caller to (api/plugins/security.ts, README "Limits"): security headers on every
// answer, /docs still drawn under its own content security policy, CORS only for the origins configured,
// rate limits that answer 429 with Retry-After, and bodies no larger than the largest a route takes.

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { OrgDirectory } from '../api/org.js';
import type { SecurityOptions } from '../api/plugins/security.js';
import { bodyLimits } from '../api/schemas.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { type TestEnv, createTestEnv, sampleIntake } from './support.js';

let env: TestEnv;
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  env = await createTestEnv('limits');
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await env?.close();
});

/** The API as api/server.ts builds it, with these limits and origins. */
async function appWith(security: SecurityOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: pino({ level: 'silent' }) as FastifyBaseLogger });
  await buildApp(app, { db: env.database.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org: await new OrgDirectory(env.database.db).load(), security });
  await app.ready();
  apps.push(app);
  return app;
}

const countCases = async () => (await env.database.sql<{ n: number }[]>`select count(*)::int as n from cases`)[0]!.n;
const directives = (csp: unknown) => new Map(String(csp).split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name!, values]));

describe('security headers', () => {
  it('When anything answers — a case list, a refusal, a missing route, a probe — then it carries the security headers and no X-Powered-By', async () => {
    const answers = [
      await env.request('GET', '/v1/cases'),
      await env.request('GET', '/v1/cases', { key: null }),
      await env.request('GET', '/v2/nothing'),
      await env.request('GET', '/healthz', { key: null }),
      await env.request('GET', '/v1/track/BN0000000000', { key: null }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 404, 200, 404]);
    for (const res of answers) {
      expect(res.headers['x-content-type-options'], res.body).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
      // A JSON answer needs nothing loaded, run or framed.
      const csp = directives(res.headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    }
  });

  it('When a person opens /docs, then the page and every script and style it loads answer 200, and its policy lets them load', async () => {
    const page = await env.request('GET', '/docs', { key: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = directives(page.headers['content-security-policy']);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toContain("'self'");
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    // Served over plain HTTP on 127.0.0.1 in development: the page's scripts must not be sent to https.
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    const assets = [...page.body.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.filter((a) => a.endsWith('.js')).length).toBeGreaterThanOrEqual(3);
    expect(assets.filter((a) => a.endsWith('.css')).length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      // Same origin ('self'): a path on this server, not another host.
      expect(asset, asset).toMatch(/^\/docs\//);
      const res = await env.request('GET', asset, { key: null });
      expect(res.statusCode, asset).toBe(200);
      if (asset.endsWith('.js')) expect(res.headers['content-type'], asset).toMatch(/javascript/);
      if (asset.endsWith('.css')) expect(res.headers['content-type'], asset).toMatch(/^text\/css/);
    }
    // What Swagger UI fetches next (connect-src 'self'): the description.
    const description = await env.request('GET', '/docs/json', { key: null });
    expect(description.statusCode).toBe(200);
    expect(description.json().info.title).toBe('Bangnong');
  });
});

describe('the API description', () => {
  it('When an integrator reads it, then every operation may answer 429 with Retry-After, and every one with a body 413', async () => {
    const spec = (await env.request('GET', '/openapi.json', { key: null })).json() as { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, { headers?: Record<string, unknown> }> }>> };
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ route: `${method} ${path}`, op })));
    expect(operations.length).toBeGreaterThanOrEqual(10);
    for (const { route, op } of operations) {
      expect(op.responses['429']?.headers, route).toHaveProperty('Retry-After');
      if (op.requestBody) expect(op.responses, route).toHaveProperty('413');
    }
  });
});

describe('CORS', () => {
  it('When no origins are configured, then no answer carries a CORS header and a preflight finds no route', async () => {
    const origin = { origin: 'https://screens.example' };
    const get = await env.request('GET', '/v1/cases', { headers: origin });
    expect(get.statusCode).toBe(200);
    expect(Object.keys(get.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const preflight = await env.app.inject({ method: 'OPTIONS', url: '/v1/cases', headers: { ...origin, 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(404);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('When an origin is configured, then its pages get CORS answers and preflights, and another origin gets none', async () => {
    const app = await appWith({ corsOrigins: ['https://screens.example'] });
    const headers = { authorization: `Bearer ${env.keys.desk}` };
    const get = await app.inject({ method: 'GET', url: '/v1/cases', headers: { ...headers, origin: 'https://screens.example' } });
    expect(get.statusCode).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe('https://screens.example');
    expect(get.headers.vary).toMatch(/Origin/i);
    expect(get.headers['access-control-allow-credentials']).toBeUndefined();
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/cases',
      headers: { origin: 'https://screens.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://screens.example');
    expect(String(preflight.headers['access-control-allow-methods']).split(/,\s*/)).toEqual(['GET', 'POST']);
    expect(String(preflight.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(['authorization', 'content-type', 'idempotency-key']);
    const other = await app.inject({ method: 'GET', url: '/v1/cases', headers: { ...headers, origin: 'https://elsewhere.example' } });
    expect(other.statusCode).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('When an address calls the citizen routes past their limit, then 429 says when to retry, as JSON, and other addresses and the probes go on', async () => {
    const app = await appWith({ rateLimit: { perMinute: 100, publicPerMinute: 3 } });
    const track = (remoteAddress: string) => app.inject({ method: 'GET', url: '/v1/track/BN0000000000', remoteAddress });
    const first = [await track('203.0.113.7'), await track('203.0.113.7'), await track('203.0.113.7')];
    expect(first.map((r) => r.statusCode)).toEqual([404, 404, 404]);
    expect(first.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0']);
    const refused = await track('203.0.113.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json()).toEqual({ error: expect.stringMatching(new RegExp(`^too many requests: .*3 times a minute; retry in ${retryAfter} s`)) });
    // The rating counts against the same address.
    const rating = await app.inject({ method: 'POST', url: '/v1/track/BN0000000000/rating', payload: { rating: 'satisfied' }, remoteAddress: '203.0.113.7' });
    expect(rating.statusCode).toBe(429);
    expect((await track('198.51.100.1')).statusCode).toBe(404);
    for (let i = 0; i < 10; i++) expect((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
  });

  it('When a key makes more requests a minute than the limit, then that key gets 429 and another key from the same address does not', async () => {
    const app = await appWith({ rateLimit: { perMinute: 4, publicPerMinute: 100 } });
    const list = (key: string) => app.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: `Bearer ${key}` }, remoteAddress: '192.0.2.10' });
    for (let i = 0; i < 4; i++) expect((await list(env.keys.desk!)).statusCode).toBe(200);
    const refused = await list(env.keys.desk!);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json().error).toMatch(/this API key .* may make 4 requests a minute/);
    // Never the key itself, in the answer or anywhere it could be read back.
    expect(refused.body).not.toContain(env.keys.desk!);
    expect((await list(env.keys.supervisor!)).statusCode).toBe(200);
    // A refused request is refused before anything is looked at: filing answers 429, nothing is filed.
    const before = await countCases();
    const filed = await app.inject({ method: 'POST', url: '/v1/cases', headers: { authorization: `Bearer ${env.keys.desk}` }, payload: sampleIntake(), remoteAddress: '192.0.2.10' });
    expect(filed.statusCode).toBe(429);
    expect(await countCases()).toBe(before);
  });

  it('When an address keeps sending keys the API refuses, then it is stopped with 429 for the rest of the minute, good key or not', async () => {
    const app = await appWith({ rateLimit: { perMinute: 100, publicPerMinute: 3 } });
    const list = (key: string) => app.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: `Bearer ${key}` }, remoteAddress: '192.0.2.66' });
    for (let i = 0; i < 4; i++) expect((await list(`bn_guess${i}`)).statusCode).toBe(401);
    const stopped = await list(env.keys.desk!);
    expect(stopped.statusCode).toBe(429);
    expect(stopped.json().error).toMatch(/more than 3 API keys the API refused/);
    expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(0);
    const elsewhere = await app.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: `Bearer ${env.keys.desk}` }, remoteAddress: '192.0.2.67' });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('When the API is configured, then the limits default to 600 a minute per key and 30 per address on the open routes, and a wrong value stops it', () => {
    const config = loadConfig({});
    expect(config.RATE_LIMIT_PER_MINUTE).toBe(600);
    expect(config.RATE_LIMIT_PUBLIC_PER_MINUTE).toBe(30);
    expect(config.CORS_ORIGINS).toBeUndefined();
    expect(loadConfig({ CORS_ORIGINS: 'https://screens.example, http://127.0.0.1:5173' }).CORS_ORIGINS).toEqual(['https://screens.example', 'http://127.0.0.1:5173']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://screens.example/app' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadConfig({ RATE_LIMIT_PUBLIC_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_PUBLIC_PER_MINUTE/);
  });
});

describe('body limits', () => {
  const kanji = (n: number) => '帮'.repeat(n); // 3 bytes of UTF-8 each
  const attachments = Array.from({ length: 50 }, (_, i) => {
    const url = `https://files.example/${i}/`;
    return { url: url + kanji(2_000 - url.length), name: kanji(200), contentType: kanji(100) };
  });
  const largestIntake = {
    ...sampleIntake(),
    externalId: kanji(200),
    title: kanji(200),
    description: kanji(10_000),
    location: { address: kanji(500), district: kanji(50), street: kanji(50), lat: -31.123456789, lng: -121.123456789 },
    workstationId: kanji(64),
    citizen: { name: kanji(100), phone: kanji(40) },
    attachments,
  };
  const bytes = (body: unknown) => Buffer.byteLength(JSON.stringify(body));

  it('When a body is larger than the largest its route takes, then 413 names the limit, as JSON, and nothing is filed', async () => {
    const before = await countCases();
    const intake = await env.request('POST', '/v1/cases', { body: { ...sampleIntake(), description: 'x'.repeat(bodyLimits.intake) } });
    expect(intake.statusCode).toBe(413);
    expect(intake.headers['content-type']).toMatch(/^application\/json/);
    expect(intake.json()).toEqual({
      error: `the request body is larger than this route takes: at most ${bodyLimits.intake} bytes (${bodyLimits.intake / 1024} KiB)`,
      issues: [{ path: 'body', message: `is larger than this route takes: at most ${bodyLimits.intake} bytes` }],
    });
    const action = await env.request('POST', '/v1/cases/nosuchcase/actions', { key: env.keys.desk, body: { type: 'supplement', text: 'x'.repeat(bodyLimits.action) } });
    expect(action.statusCode).toBe(413);
    expect(action.json().error).toContain(`at most ${bodyLimits.action} bytes`);
    const rating = await env.request('POST', '/v1/track/BN0000000000/rating', { key: null, body: { rating: 'satisfied', comment: 'x'.repeat(bodyLimits.rating) } });
    expect(rating.statusCode).toBe(413);
    expect(rating.json().error).toContain(`at most ${bodyLimits.rating} bytes`);
    expect(await countCases()).toBe(before);
  });

  it('When a body holds every field at its longest, in characters of three bytes, then it fits its route: it is read and judged on its fields', async () => {
    expect(bytes(largestIntake)).toBeLessThanOrEqual(bodyLimits.intake);
    // A bad channel, so the body is read and validated whole but nothing is filed.
    const intake = await env.request('POST', '/v1/cases', { body: { ...largestIntake, channel: 'fax' } });
    expect(intake.statusCode, intake.body.slice(0, 300)).toBe(400);
    expect(intake.json().issues.map((i: { path: string }) => i.path)).toEqual(['body.channel']);

    const supplement = { type: 'supplement', text: kanji(10_000), attachments };
    const draft = { type: 'media_draft', title: kanji(300), body: kanji(50_000) };
    for (const [body, key] of [[supplement, env.keys.desk], [draft, env.keys.reporter]] as const) {
      expect(bytes(body)).toBeLessThanOrEqual(bodyLimits.action);
      // Valid in full: only the missing case stops it.
      const res = await env.request('POST', '/v1/cases/nosuchcase/actions', { key, body });
      expect(res.statusCode, `${body.type}: ${res.body.slice(0, 300)}`).toBe(404);
    }
    const rating = { rating: 'unsatisfied', comment: kanji(2_000) };
    expect(bytes(rating)).toBeLessThanOrEqual(bodyLimits.rating);
    expect((await env.request('POST', '/v1/track/BN0000000000/rating', { key: null, body: rating })).statusCode).toBe(404);
  });
});
