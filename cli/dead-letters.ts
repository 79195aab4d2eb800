// `./bangnong dead-letters [list | redeliver ID… | redeliver --all]`: the messages the webhooks would not
// take within DELIVERY_GIVE_UP_AFTER, and sending them again once the receiver is back. Works on PostgreSQL
// and the webhooks directly, with the same settings as the workers (DATABASE_URL, *_WEBHOOK_URL,
// NOTIFY_WEBHOOK_SECRET); the API offers the same under /v1/dead-letters.

import { parseArgs } from 'node:util';
import { sendersFromConfig } from '../activities/senders.js';
import { connectDatabase } from '../db/client.js';
import { isConnectionFailure } from '../db/errors.js';
import { type DeadLetterFilter, listDeadLetters } from '../db/queries/dead-letters.js';
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { redeliverDeadLetter, redeliverDeadLetters } from '../platform/redelivery.js';

const USAGE = `usage: ./bangnong dead-letters [list] [--case ID] [--sender NAME] [--redelivered]
       ./bangnong dead-letters redeliver ID …
       ./bangnong dead-letters redeliver --all [--case ID] [--sender NAME]
  Lists the messages the webhooks would not take within DELIVERY_GIVE_UP_AFTER (their workflows went on
  without them), oldest first, with why; --redelivered lists those sent again since. Once the receiver is
  back, redeliver sends them again with the same webhook-id, through the webhooks the settings name now.
  --sender is notify, partner, hotline or demolition. Needs DATABASE_URL (or the embedded PostgreSQL of
  \`./bangnong up\`) and the same *_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET as the workers.`;

class UsageError extends Error {}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { all: { type: 'boolean' }, case: { type: 'string' }, sender: { type: 'string' }, redelivered: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [command = 'list', ...ids] = positionals;
  if (command !== 'list' && command !== 'redeliver') throw new UsageError(`unknown command "${command}"`);
  if (command === 'list' && (ids.length > 0 || values.all)) throw new UsageError('list takes no ids and no --all');
  if (command === 'redeliver' && values.redelivered) throw new UsageError('--redelivered is for list: a redelivered message is not sent again');
  if (command === 'redeliver' && (ids.length > 0) === Boolean(values.all)) throw new UsageError('redeliver needs the ids of the messages, or --all (not both)');
  if (command === 'redeliver' && ids.length > 0 && (values.case || values.sender)) throw new UsageError('--case and --sender choose what --all redelivers; with ids, leave them out');
  const filter: Omit<DeadLetterFilter, 'status'> = { caseId: values.case, sender: values.sender };

  const config = loadConfig();
  const url = config.DATABASE_URL ?? `postgres://bangnong:bangnong@127.0.0.1:${config.EMBEDDED_PG_PORT}/bangnong`;
  const database = connectDatabase(url, { max: 2 });
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, 'dead-letters');
  const deps = { db: database.db, senders: sendersFromConfig(log, config), log };
  try {
    if (command === 'list') {
      let after: { deadAt: string; id: string } | undefined;
      let shown = 0;
      do {
        const page = await listDeadLetters(database.db, { ...filter, status: values.redelivered ? 'redelivered' : 'waiting', limit: 200, after });
        for (const d of page.deadLetters) {
          const when = d.redeliveredAt ? `redelivered ${iso(d.redeliveredAt)}` : `dead since ${iso(d.deadAt)}`;
          console.log(`${d.notificationId}  ${d.kind} to ${d.recipient} via ${d.sender}, case ${d.caseId}, ${when}, ${d.attempts + d.redeliveryAttempts} attempt(s): ${d.error}`);
        }
        shown += page.deadLetters.length;
        after = page.next;
      } while (after);
      if (shown === 0) console.log(values.redelivered ? 'no redelivered messages' : 'no dead letters: every message was delivered');
      return;
    }
    if (values.all) {
      let delivered = 0;
      let failed = 0;
      for (;;) {
        const run = await redeliverDeadLetters(deps, filter, 500);
        for (const id of run.delivered) console.log(`${id}: delivered`);
        for (const f of run.failed) console.log(`${f.id}: failed again, stays on the list: ${f.error}`);
        delivered += run.delivered.length;
        failed += run.failed.length;
        // Another batch only while this one made progress: a webhook still down is not tried again and again.
        if (run.delivered.length === 0 || run.waiting === 0 || run.failed.length > 0 || run.skipped.length > 0) {
          console.log(`${delivered} delivered, ${failed} failed again, ${run.waiting} still waiting`);
          if (run.waiting > 0) process.exitCode = 1;
          return;
        }
      }
    }
    for (const id of ids) {
      const result = await redeliverDeadLetter(deps, id);
      if (result.outcome === 'delivered') console.log(`${id}: delivered`);
      else {
        process.exitCode = 1;
        if (result.outcome === 'failed') console.log(`${id}: failed again, stays on the list: ${result.error}`);
        else if (result.outcome === 'busy') console.log(`${id}: another redelivery holds it right now; list again in a moment`);
        else console.log(`${id}: not waiting — redelivered already, or no such dead letter (\`./bangnong dead-letters\` lists them)`);
      }
    }
  } finally {
    await database.close();
  }
}

const iso = (at: string) => new Date(at).toISOString();

main().catch((err) => {
  if (err instanceof UsageError) console.error(`${err.message}\n${USAGE}`);
  else if (isConnectionFailure(err)) console.error('cannot reach PostgreSQL: start `./bangnong up` (its embedded PostgreSQL) or set DATABASE_URL, then run this again');
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
