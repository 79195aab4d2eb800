// API keys: administrators list, create, rotate and revoke them through the API (and operators through
// the CLI); a rotated key works through its overlap and not after; a revoked key is refused at once on
// another API instance (LISTEN/NOTIFY); with PostgreSQL out of reach no key is accepted (503); and bearer
// JWTs from an identity provider map to principals.

import { execFile } from 'node:child_process';
import { type Server, createServer } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type CryptoKey, type JWK, SignJWT, exportJWK, generateKeyPair } from 'jose';
import pino from 'pino';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { OrgDirectory } from '../api/org.js';
import { type Database, connectDatabase } from '../db/client.js';
import { CITY } from '../db/seed.js';
import { type JwtSettings, REPO_ROOT, loadConfig } from '../platform/config.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

const MINHANG = '310112';
const PUDONG = '310115';

let env: TestEnv;
let squad: string;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  env = await createTestEnv('keys', {
    principals: {
      'admin@city': { role: 'admin', unitId: CITY.id },
      'admin@minhang': { role: 'admin', unitId: MINHANG },
      'desk@pudong': { role: 'desk', unitId: PUDONG },
    },
  });
  const units = (await env.request('GET', '/v1/units')).json().units as { id: string; parentId: string | null }[];
  squad = units.find((u) => u.parentId === MINHANG)!.id;
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await env?.close();
});

const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Another API instance on the same database (a pool of its own), as a second process behind the balancer would be. */
async function anotherInstance(o: { databaseUrl?: string; jwt?: JwtSettings } = {}): Promise<{ app: FastifyInstance; database: Database }> {
  const database = connectDatabase(o.databaseUrl ?? env.databaseUrl, { max: 3 });
  const app = Fastify({ loggerInstance: quietLog as FastifyBaseLogger });
  await buildApp(app, { db: database.db, temporal: env.temporal, taskQueue: env.taskQueue, policy: env.policy, org: await new OrgDirectory(database.db).load(), jwt: o.jwt });
  await app.ready();
  closers.push(async () => {
    await app.close();
    await database.close();
  });
  return { app, database };
}

type Method = 'GET' | 'POST' | 'DELETE';
const call = (app: FastifyInstance, method: Method, url: string, key: string | undefined, body?: unknown) =>
  app.inject({ method, url, payload: body as never, headers: key ? { authorization: `Bearer ${key}` } : {} });
const api = (method: Method, url: string, key: string, body?: unknown) => call(env.app, method, url, key, body);
const admin = () => env.keys['admin@city']!;

/** Polls until the answer's status is `status`; fails after `ms` with the last answer. */
async function untilStatus<R extends { statusCode: number; body: string }>(send: () => Promise<R>, status: number, ms: number): Promise<{ res: R; after: number }> {
  const started = Date.now();
  for (;;) {
    const res = await send();
    if (res.statusCode === status) return { res, after: Date.now() - started };
    if (Date.now() - started > ms) throw new Error(`still ${res.statusCode} after ${ms} ms, not ${status}: ${res.body}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function newDesk(unitId = squad, key = admin()) {
  const res = await api('POST', '/v1/principals', key, { name: 'desk for a test', role: 'desk', unitId });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { key: string; keyId: string; principal: { id: string; keys: { id: string; state: string; prefix: string; lastUsedAt: string | null }[] } };
}

describe('keys through the admin API', () => {
  it('When an administrator creates, lists, rotates and revokes, then each answer shows the keys but never a key, and each stopped key is refused', async () => {
    const created = await newDesk();
    expect(created.key).toMatch(/^bn_[\w-]{43}$/);
    expect(created.principal).toMatchObject({ role: 'desk', unitId: squad, channel: null, revokedAt: null });
    expect(created.principal.keys).toEqual([expect.objectContaining({ id: created.keyId, prefix: created.key.slice(0, 11), state: 'active', lastUsedAt: null, expiresAt: null })]);
    expect((await api('GET', '/v1/units', created.key)).statusCode).toBe(200);

    const listed = await api('GET', '/v1/principals', admin());
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(created.key);
    expect(listed.body).not.toMatch(/keyHash|key_hash/);
    expect(listed.json().principals.map((p: { id: string }) => p.id)).toContain(created.principal.id);
    // The use is recorded beside the request, not before its answer.
    const lastUsed = (p: { id: string; keys: { lastUsedAt: string | null }[] }[]) => p.find((x) => x.id === created.principal.id)!.keys[0]!.lastUsedAt;
    await eventually(async () => lastUsed((await api('GET', '/v1/principals', admin())).json().principals), (at) => at !== null, 5_000, 'lastUsedAt');

    // Rotation with no overlap: the old key stops now, the new one works.
    const rotated = await api('POST', `/v1/principals/${created.principal.id}/keys`, admin(), { overlapSeconds: 0 });
    expect(rotated.statusCode, rotated.body).toBe(201);
    const { key: newKey, keyId: newKeyId, previousKeysExpireAt } = rotated.json();
    expect(newKey).not.toBe(created.key);
    expect(Math.abs(Date.parse(previousKeysExpireAt) - Date.now())).toBeLessThan(5_000);
    expect(rotated.json().principal.keys.map((k: { state: string }) => k.state)).toEqual(['expired', 'active']);
    expect((await api('GET', '/v1/units', created.key)).statusCode).toBe(401);
    expect((await api('GET', '/v1/units', newKey)).statusCode).toBe(200);

    const revokedKey = await api('DELETE', `/v1/keys/${newKeyId}`, admin());
    expect(revokedKey.statusCode, revokedKey.body).toBe(200);
    expect(revokedKey.json().keys.find((k: { id: string }) => k.id === newKeyId)).toMatchObject({ state: 'revoked', revokedAt: expect.any(String) });
    expect((await api('GET', '/v1/units', newKey)).statusCode).toBe(401);

    // A whole principal: every key of it stops, and it cannot be rotated back to life.
    const other = await newDesk();
    const second = (await api('POST', `/v1/principals/${other.principal.id}/keys`, admin(), {})).json();
    expect((await api('GET', '/v1/units', other.key)).statusCode).toBe(200);
    const revoked = await api('DELETE', `/v1/principals/${other.principal.id}`, admin());
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).toEqual(expect.any(String));
    expect(revoked.json().keys.map((k: { state: string }) => k.state)).toEqual(['revoked', 'revoked']);
    for (const key of [other.key, second.key]) expect((await api('GET', '/v1/units', key)).statusCode).toBe(401);
    const again = await api('POST', `/v1/principals/${other.principal.id}/keys`, admin(), {});
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatch(/revoked.*create a new principal/);
  });

  it('When a request is wrong, then 400 names the field and 404 the missing principal or key', async () => {
    const unknownField = await api('POST', '/v1/principals', admin(), { name: 'x', role: 'desk', unitId: squad, keyHash: 'x' });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().issues[0].path).toBe('body.keyHash');
    const noUnit = await api('POST', '/v1/principals', admin(), { name: 'x', role: 'desk', unitId: 'nowhere' });
    expect(noUnit.statusCode).toBe(400);
    expect(noUnit.json().issues[0].path).toBe('body.unitId');
    const channel = await api('POST', '/v1/principals', admin(), { name: 'x', role: 'desk', unitId: squad, channel: 'xinmin' });
    expect(channel.statusCode).toBe(400);
    expect(channel.json().issues[0].path).toBe('body.channel');
    const badRole = await api('POST', '/v1/principals', admin(), { name: 'x', role: 'citizen', unitId: squad });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().issues[0].path).toBe('body.role');
    const overlap = await api('POST', `/v1/principals/${env.principalIds.desk}/keys`, admin(), { overlapSeconds: -1 });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().issues[0].path).toBe('body.overlapSeconds');
    expect((await api('POST', '/v1/principals/nobody/keys', admin(), {})).statusCode).toBe(404);
    expect((await api('DELETE', '/v1/principals/nobody', admin())).json().error).toMatch(/no principal "nobody"/);
    expect((await api('DELETE', '/v1/keys/nokey', admin())).statusCode).toBe(404);

    // An intake principal bound to a channel, and a rotation without a body (the 24 h default).
    const intake = await api('POST', '/v1/principals', admin(), { name: '12345 hotline', role: 'intake', unitId: CITY.id, channel: 'hotline' });
    expect(intake.statusCode).toBe(201);
    expect(intake.json().principal.channel).toBe('hotline');
    const rotated = await call(env.app, 'POST', `/v1/principals/${intake.json().principal.id}/keys`, admin());
    expect(rotated.statusCode, rotated.body).toBe(201);
    expect(Date.parse(rotated.json().previousKeysExpireAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect((await api('GET', '/v1/units', intake.json().key)).statusCode).toBe(200);
  });

  it('When a rotation leaves an overlap, then the old key works through it and is refused after', async () => {
    const desk = await newDesk();
    expect((await api('GET', '/v1/units', desk.key)).statusCode).toBe(200);
    const rotated = await api('POST', `/v1/principals/${desk.principal.id}/keys`, admin(), { overlapSeconds: 2 });
    expect(rotated.statusCode).toBe(201);
    const rotatedAt = Date.now();
    expect(rotated.json().principal.keys.map((k: { state: string }) => k.state)).toEqual(['expiring', 'active']);
    expect((await api('GET', '/v1/units', desk.key)).statusCode).toBe(200);
    expect((await api('GET', '/v1/units', rotated.json().key)).statusCode).toBe(200);
    await untilStatus(() => api('GET', '/v1/units', desk.key), 401, 4_000);
    expect(Date.now() - rotatedAt).toBeGreaterThanOrEqual(1_500);
    expect((await api('GET', '/v1/units', rotated.json().key)).statusCode).toBe(200);
  });

  it('When someone other than an administrator of the unit asks, then 403 says why', async () => {
    for (const key of [env.keys.desk!, env.keys.supervisor!, env.keys.intake!]) {
      const res = await api('GET', '/v1/principals', key);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toMatch(/may not keys\.manage.*admin/);
    }
    expect((await api('POST', '/v1/principals', env.keys.supervisor!, { name: 'x', role: 'desk', unitId: squad })).statusCode).toBe(403);
    expect((await api('DELETE', `/v1/principals/${env.principalIds.officer}`, env.keys.desk!)).statusCode).toBe(403);

    // Minhang's administrator: Minhang's principals only.
    const district = env.keys['admin@minhang']!;
    const listed = (await api('GET', '/v1/principals', district)).json().principals as { unitPath: string }[];
    expect(listed.length).toBeGreaterThan(0);
    for (const p of listed) expect(p.unitPath.startsWith(`${CITY.id}/${MINHANG}`)).toBe(true);
    expect((await api('GET', `/v1/principals?unit=${PUDONG}`, district)).statusCode).toBe(403);
    const elsewhere = await api('POST', '/v1/principals', district, { name: 'x', role: 'desk', unitId: PUDONG });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().error).toMatch(/outside your unit/);
    expect((await api('POST', '/v1/principals', district, { name: 'x', role: 'admin', unitId: CITY.id })).statusCode).toBe(403);
    expect((await api('POST', `/v1/principals/${env.principalIds['desk@pudong']}/keys`, district, {})).statusCode).toBe(403);
    expect((await api('DELETE', `/v1/principals/${env.principalIds.desk}`, district)).statusCode).toBe(403);
    const cityKeyId = (await api('GET', '/v1/principals', admin())).json().principals.find((p: { id: string }) => p.id === env.principalIds.desk).keys[0].id;
    expect((await api('DELETE', `/v1/keys/${cityKeyId}`, district)).statusCode).toBe(403);
    expect((await api('GET', '/v1/units', env.keys.desk!)).statusCode).toBe(200);

    // …and inside it, it manages.
    const own = await newDesk(squad, district);
    expect((await api('DELETE', `/v1/keys/${own.keyId}`, district)).statusCode).toBe(200);
  });
});

describe('revocation on every instance', () => {
  it('When a key is revoked through one instance, then another instance that had it cached refuses it at once', async () => {
    const desk = await newDesk();
    const b = await anotherInstance();
    expect((await call(env.app, 'GET', '/v1/units', desk.key)).statusCode).toBe(200);
    expect((await call(b.app, 'GET', '/v1/units', desk.key)).statusCode).toBe(200);

    // The row changed behind the API's back (no NOTIFY): both instances still answer from their caches…
    const sql = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
    await sql`update api_keys set revoked_at = now() where id = ${desk.keyId}`;
    await sql.end();
    expect((await call(b.app, 'GET', '/v1/units', desk.key)).statusCode).toBe(200);

    // …until a revocation through the API tells every instance, at its commit.
    expect((await api('DELETE', `/v1/keys/${desk.keyId}`, admin())).statusCode).toBe(200);
    const { after } = await untilStatus(() => call(b.app, 'GET', '/v1/units', desk.key), 401, 2_000);
    expect(after).toBeLessThan(2_000);
    expect((await call(env.app, 'GET', '/v1/units', desk.key)).statusCode).toBe(401);
  });

  it('When PostgreSQL is out of reach, then no key is accepted, cached or not (503), and keys work again once it is back', async () => {
    const target = new URL(env.databaseUrl);
    const proxy = await tcpProxy(target.hostname, Number(target.port));
    closers.push(proxy.close);
    const url = new URL(env.databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const c = await anotherInstance({ databaseUrl: url.toString() });
    expect((await call(c.app, 'GET', '/v1/units', env.keys.desk)).statusCode).toBe(200);
    expect((await call(c.app, 'GET', '/v1/units', env.keys.desk)).statusCode).toBe(200);

    await proxy.cut();
    const { res } = await untilStatus(() => call(c.app, 'GET', '/v1/units', env.keys.desk), 503, 2_000);
    expect(res.json().error).toMatch(/key store \(PostgreSQL\) is unreachable.*retry/);
    const unknown = await call(c.app, 'GET', '/v1/units', 'bn_unknown-key');
    expect(unknown.statusCode).toBe(503);

    await proxy.restore();
    await untilStatus(() => call(c.app, 'GET', '/v1/units', env.keys.desk), 200, 10_000);
    expect((await call(c.app, 'GET', '/v1/units', 'bn_unknown-key')).statusCode).toBe(401);
  });
});

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
async function tcpProxy(host: string, port: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let listenPort = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(port, host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(listenPort, '127.0.0.1', () => {
        listenPort = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const cut = async () => {
    const closed = new Promise<void>((r) => server!.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await open();
  return { port: listenPort, cut, restore: open, close: cut };
}

describe('bearer JWTs', () => {
  const ISSUER = 'https://idp.example/realms/bangnong';
  const AUDIENCE = 'bangnong-api';
  let jwks: Server;
  let signingKey: CryptoKey;
  let app: FastifyInstance;
  let settings: JwtSettings;

  const token = (claims: Record<string, unknown>, o: { key?: CryptoKey; issuer?: string; audience?: string; expires?: string | number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('zhang.wei')
      .setIssuer(o.issuer ?? ISSUER)
      .setAudience(o.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(o.expires ?? '5m')
      .sign(o.key ?? signingKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((req, res) => {
      res.writeHead(req.url === '/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(req.url === '/jwks.json' ? JSON.stringify({ keys: [jwk] }) : '{}');
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => jwks.close(r)));
    const config = loadConfig({ AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`, AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE });
    settings = {
      jwksUrl: config.AUTH_JWKS_URL!,
      issuer: ISSUER,
      audience: AUDIENCE,
      roleClaim: config.AUTH_JWT_ROLE_CLAIM,
      unitClaim: config.AUTH_JWT_UNIT_CLAIM,
      channelClaim: config.AUTH_JWT_CHANNEL_CLAIM,
    };
    app = (await anotherInstance({ jwt: settings })).app;
  });

  it('When AUTH_JWKS_URL is set without its issuer and audience, then start-up stops naming them', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks.json' })).toThrow(/AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE/);
  });

  it('When a token is signed by the provider, then its claims are the principal; API keys still work beside it', async () => {
    const desk = await token({ bangnong_role: 'desk', bangnong_unit: MINHANG, name: '张伟' });
    const res = await call(app, 'GET', `/v1/cases?unit=${MINHANG}`, desk);
    expect(res.statusCode, res.body).toBe(200);
    expect((await call(app, 'GET', `/v1/cases?unit=${PUDONG}`, desk)).statusCode).toBe(403);
    const administrator = await token({ bangnong_role: 'admin', bangnong_unit: CITY.id });
    expect((await call(app, 'GET', '/v1/principals', administrator)).statusCode).toBe(200);
    const intake = await token({ bangnong_role: 'intake', bangnong_unit: CITY.id, bangnong_channel: 'hotline' });
    expect((await call(app, 'GET', '/v1/units', intake)).statusCode).toBe(200);
    expect((await call(app, 'GET', '/v1/units', env.keys.desk)).statusCode).toBe(200);
  });

  it('When a token is expired, from another issuer or audience, signed by another key, or names an unknown unit or role, then 401 says which', async () => {
    const claims = { bangnong_role: 'desk', bangnong_unit: CITY.id };
    const refused = async (jwt: string, why: RegExp) => {
      const res = await call(app, 'GET', '/v1/units', jwt);
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json().error).toMatch(why);
    };
    await refused(await token(claims, { expires: Math.floor(Date.now() / 1000) - 60 }), /expired/);
    await refused(await token(claims, { issuer: 'https://evil.example' }), /claim "iss"/);
    await refused(await token(claims, { audience: 'someone-else' }), /claim "aud"/);
    await refused(await token(claims, { key: (await generateKeyPair('ES256')).privateKey }), /signature/);
    await refused(await token({ ...claims, bangnong_unit: '999999' }), /claim "bangnong_unit" names no unit \("999999"\)/);
    await refused(await token({ ...claims, bangnong_role: 'mayor' }), /claim "bangnong_role" is "mayor"/);
    await refused(await token({ bangnong_unit: CITY.id }), /no "bangnong_role" claim/);
    await refused(await token({ ...claims, bangnong_channel: 'fax' }), /claim "bangnong_channel"/);
  });

  it('When the key set cannot be fetched, then a token is not accepted: 503', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const unreachable = await anotherInstance({ jwt: { ...settings, jwksUrl: `http://127.0.0.1:${port}/jwks.json` } });
    const res = await call(unreachable.app, 'GET', '/v1/units', await token({ bangnong_role: 'desk', bangnong_unit: CITY.id }));
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/key set \(AUTH_JWKS_URL\) could not be fetched.*retry/);
  });
});

describe('the principal command', () => {
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'cli/principal.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: env.databaseUrl }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });

  it('When an operator creates, lists, rotates and revokes from the command line, then the key is printed only when issued and each stop shows in the API', async () => {
    const created = await cli('create', '--role', 'intake', '--unit', CITY.id, '--name', '12345 热线', '--channel', 'hotline');
    expect(created.code, created.stderr).toBe(0);
    const [, principalId, keyId] = /^principal (\S+) .*channel hotline\), key (\S+)$/m.exec(created.stdout)!;
    const key = created.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^bn_/);
    expect((await api('GET', '/v1/units', key)).statusCode).toBe(200);

    const listed = await cli('list', '--unit', CITY.id);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(principalId);
    expect(listed.stdout).toMatch(new RegExp(`key ${keyId}  ${key.slice(0, 11)}…  active`));
    expect(listed.stdout).not.toContain(key);

    const rotated = await cli('rotate', principalId!, '--overlap', '0');
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKey = rotated.stdout.trim().split('\n').at(-1)!;
    const newKeyId = /new key (\S+);/.exec(rotated.stdout)![1]!;
    await untilStatus(() => api('GET', '/v1/units', key), 401, 2_000);
    expect((await api('GET', '/v1/units', newKey)).statusCode).toBe(200);

    expect((await cli('revoke-key', newKeyId)).code).toBe(0);
    await untilStatus(() => api('GET', '/v1/units', newKey), 401, 2_000);
    const revoked = await cli('revoke', principalId!);
    expect(revoked.stdout).toContain('and all its keys revoked');

    const wrong = await cli('rotate', principalId!, '--overlap', 'a while');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--overlap "a while" is not a duration.*\n[\s\S]*usage:/);
    const missing = await cli('revoke-key', 'nokey');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no key "nokey": `\.\/bangnong principal list`/);
  });
});
