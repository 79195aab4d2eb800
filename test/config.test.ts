import { describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config.js';
import { loadPolicy } from '../platform/policy-file.js';
import { REPO_ROOT } from '../platform/config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('configuration', () => {
  it('When nothing is set, then the embedded defaults apply', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ API_PORT: 3000, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: 'bangnong-cases', EMBEDDED_PG_PORT: 54329 });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('When settings are wrong, then start-up stops with a message naming each one', () => {
    const wrong = () => loadConfig({ API_PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(wrong).toThrow(/API_PORT: /);
    expect(wrong).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(wrong).toThrow(/LOG_LEVEL: /);
    expect(() => loadConfig({ NOTIFY_WEBHOOK_URL: 'https://hooks.example/x' })).toThrow(/NOTIFY_WEBHOOK_SECRET/);
    expect(() => loadConfig({ PARTNER_WEBHOOK_URL: 'https://partner.example/x' })).toThrow(/NOTIFY_WEBHOOK_SECRET/);
    expect(() => loadConfig({ TEMPORAL_TLS_CERT: '/x.pem' })).toThrow(/TEMPORAL_TLS_KEY/);
  });

  it('When delivery settings are given, then the bound is read as a duration and the webhook secret as Standard Webhooks write it', () => {
    expect(loadConfig({}).DELIVERY_GIVE_UP_AFTER).toBe(24 * 3_600_000);
    expect(loadConfig({ DELIVERY_GIVE_UP_AFTER: '90s' }).DELIVERY_GIVE_UP_AFTER).toBe(90_000);
    expect(loadConfig({ DELIVERY_GIVE_UP_AFTER: '3d' }).DELIVERY_GIVE_UP_AFTER).toBe(3 * 86_400_000);
    expect(() => loadConfig({ DELIVERY_GIVE_UP_AFTER: 'forever' })).toThrow(/DELIVERY_GIVE_UP_AFTER: must be a number and a unit: 90s, 30m, 24h or 3d/);
    expect(() => loadConfig({ DELIVERY_GIVE_UP_AFTER: '60d' })).toThrow(/DELIVERY_GIVE_UP_AFTER: must be between 1s and 30d/);
    const whsec = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(loadConfig({ NOTIFY_WEBHOOK_URL: 'https://hooks.example/x', NOTIFY_WEBHOOK_SECRET: whsec }).NOTIFY_WEBHOOK_SECRET).toBe(whsec);
    expect(() => loadConfig({ NOTIFY_WEBHOOK_SECRET: 'whsec_not-base64-at-all!!' })).toThrow(/NOTIFY_WEBHOOK_SECRET: a whsec_ secret must be whsec_ and the base64 of 24 to 64 random bytes/);
    expect(() => loadConfig({ NOTIFY_WEBHOOK_SECRET: `whsec_${Buffer.alloc(8).toString('base64')}` })).toThrow(/24 to 64 random bytes/);
  });

  it('When the policy file is wrong, then loading it names the file and the field', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'policy-'));
    const bad = path.join(dir, 'deadlines.json');
    writeFileSync(bad, JSON.stringify({ deadlines: { triage: 'tomorrow' } }));
    expect(() => loadPolicy(bad, path.join(REPO_ROOT, 'policy', 'calendar.json'))).toThrow(/deadlines\.json is not valid[\s\S]*deadlines\.triage: a duration/);
    const good = loadPolicy(path.join(REPO_ROOT, 'policy', 'deadlines.json'), path.join(REPO_ROOT, 'policy', 'calendar.json'));
    expect(good.deadlines.escalation).toBe('5wd');
    expect(good.calendar.workdays).toContain('2026-10-10');
  });
});
