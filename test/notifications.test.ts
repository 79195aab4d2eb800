import http from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { WebhookSender } from '../activities/senders.js';
import { caseClient } from './lifecycle.helpers.js';
import { type TestEnv, createTestEnv, eventually } from './support.js';

// A Standard Webhooks secret, as their libraries write them: whsec_ and the base64 of 32 random bytes.
const SECRET = 'whsec_paCU8+rn3dCkjKubqeUepuYn84AdP94o7L8O9sXGUlI=';
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let env: TestEnv;
let server: http.Server;
const received: Received[] = [];
let failuresLeft = 2;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      // The partner platform fails twice before it takes the disposal result.
      if (req.url === '/partner' && failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end();
        return;
      }
      received.push({ path: req.url!, headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = await createTestEnv('notifications', {
    senders: { main: new WebhookSender('notify', `${base}/notify`, SECRET), partner: new WebhookSender('partner', `${base}/partner`, SECRET) },
  });
});
afterAll(async () => {
  await env?.close();
  server?.close();
});

it('When a case is resolved, then every message is POSTed signed, and the partner platform gets the disposal result despite failing at first', async () => {
  const c = caseClient(env);
  const [station] = await c.workstations();
  const filed = await c.file();
  await c.ok(filed.id, env.keys.desk!, { type: 'triage', decision: 'in_scope', category: 'cooking_fumes', workstationId: station!.id });
  await c.ok(filed.id, env.keys.officer!, { type: 'accept' });
  await c.ok(filed.id, env.keys.officer!, { type: 'resolve', result: '已安装油烟净化器' });

  const partner = await eventually(async () => received.filter((r) => r.path === '/partner'), (r) => r.length === 1, 20_000, 'the partner delivery');
  const message = JSON.parse(partner[0]!.body);
  expect(message).toMatchObject({ caseId: filed.id, recipient: 'partner', kind: 'disposal_result', body: { result: '已安装油烟净化器' } });
  // The partner verifies it with a Standard Webhooks library and the same secret; the id is the message's.
  expect(new Webhook(SECRET).verify(partner[0]!.body, partner[0]!.headers as Record<string, string>)).toEqual(message);
  expect(partner[0]!.headers['webhook-id']).toBe(message.id);
  expect(() => new Webhook(SECRET).verify(partner[0]!.body.replace('已安装', '未安装'), partner[0]!.headers as Record<string, string>)).toThrow(/No matching signature/);
  expect(failuresLeft).toBe(0);

  const kinds = received.filter((r) => r.path === '/notify').map((r) => JSON.parse(r.body).kind);
  expect(kinds).toEqual(expect.arrayContaining(['case_dispatched', 'answer_due']));
  // The outbox row is marked sent once the partner's answer is back, a moment after it received the body.
  const sql = postgres(env.databaseUrl, { max: 1 });
  const [row] = await eventually(
    () => sql`select sender, sent_at from notifications where case_id = ${filed.id} and recipient = 'partner'`,
    (rows) => rows[0]?.sent_at != null,
    10_000,
    'the partner message marked sent',
  );
  await sql.end();
  expect(row).toMatchObject({ sender: 'partner' });
});
