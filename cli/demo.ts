// `./bangnong demo [--cases N] [--seed S] [--api URL]`: files N realistic complaints across the 100 pilot
// liaison points into a running `./bangnong up` and walks them through the lifecycle (dev/demo-data.ts),
// with a progress bar, then shows where they stand. Its principals are created straight in PostgreSQL,
// like `./bangnong principal`, and their keys kept in .data/demo-keys.json for the next run.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { and, inArray, isNull } from 'drizzle-orm';
import { connectDatabase } from '../db/client.js';
import { isConnectionFailure } from '../db/errors.js';
import { createPrincipal } from '../db/queries/principals.js';
import { principals } from '../db/schema.js';
import { CITY } from '../db/seed.js';
import {
  type DemoCaseResult,
  type IssueKey,
  demoPolicy,
  httpApi,
  issueDemoKeys,
  issueIntakeKeys,
  planDemo,
  readStations,
  runDemo,
  tally,
} from '../dev/demo-data.js';
import { loadConfig } from '../platform/config.js';
import { loadPolicy } from '../platform/policy-file.js';

const USAGE = `usage: ./bangnong demo [--cases N] [--seed S] [--api URL] [--concurrency C]
  files N complaints (100 by default) across the 100 pilot liaison points and walks them through the
  lifecycle; --seed makes the same complaints and walks again (a new run still files new cases);
  --api is the running API (http://127.0.0.1:3000 by default). Needs \`./bangnong up\` running.`;

class UsageError extends Error {}

async function checkApi(base: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) });
  } catch {
    throw new Error(`cannot reach the API at ${base}: run \`./bangnong up\` first (in another terminal) and wait for "Bangnong is up", or pass --api URL`);
  }
  if (!res.ok) {
    throw new Error(`the API at ${base} is not ready (${res.status}: ${(await res.text()).slice(0, 200)}): wait until \`./bangnong up\` prints "Bangnong is up", then run this again`);
  }
}

/** Side-by-side columns of (name, count) lists under their headings. */
function columns(sections: [string, [string, number][]][]): string {
  const width = 24;
  const rows = Math.max(...sections.map(([, list]) => list.length));
  const cell = (name: string, n: number | string) => `${name.padEnd(width - 6)}${String(n).padStart(5)} `;
  const lines = [sections.map(([heading]) => cell(heading, 'cases')).join('│ '), sections.map(() => '─'.repeat(width)).join('┼─')];
  for (let i = 0; i < rows; i++) lines.push(sections.map(([, list]) => {
      const row = list[i];
      return row ? cell(row[0], row[1]) : ' '.repeat(width);
    }).join('│ '));
  return lines.join('\n');
}

function summary(cases: DemoCaseResult[]): string {
  const walked = cases.filter((c) => c.state);
  const count = (f: (c: DemoCaseResult) => boolean) => walked.filter(f).length;
  return [
    columns([
      ['state', tally(walked, (c) => c.state)],
      ['outcome', tally(walked, (c) => c.outcome ?? '(open)')],
      ['media item', tally(walked, (c) => c.media)],
      ['channel', tally(walked, (c) => c.channel)],
    ]),
    '',
    `overdue now ${count((c) => Boolean(c.overdue))} · reopened ${count((c) => (c.reopenCount ?? 0) > 0)} · ` +
      `escalated to a district ${count((c) => c.escalationLevel === 'district')}, to the city ${count((c) => c.escalationLevel === 'city')} · ` +
      `${new Set(walked.map((c) => c.district)).size} districts`,
  ].join('\n');
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        cases: { type: 'string', default: '100' },
        seed: { type: 'string' },
        api: { type: 'string' },
        concurrency: { type: 'string', default: '8' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const cases = Number(values.cases);
  if (!Number.isInteger(cases) || cases < 1 || cases > 100_000) throw new UsageError(`--cases "${values.cases}" is not a number of cases (1 to 100000)`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency "${values.concurrency}" is not 1 to 64`);
  const config = loadConfig();
  const base = (values.api ?? `http://${config.API_HOST}:${config.API_PORT}`).replace(/\/+$/, '');
  const seed = values.seed ?? String(Date.now() % 1_000_000);
  // A run of its own: the same seed makes the same complaints, filed again as new cases.
  const run = `${seed}-${Date.now().toString(36)}`;
  await checkApi(base);

  const url = config.DATABASE_URL ?? `postgres://bangnong:bangnong@127.0.0.1:${config.EMBEDDED_PG_PORT}/bangnong`;
  const database = connectDatabase(url, { max: 1 });
  try {
    // Keys of earlier runs are used again while their principals live, so runs do not pile up principals.
    const keysFile = path.join(config.DATA_DIR, 'demo-keys.json');
    const saved: Record<string, { id: string; key: string }> = existsSync(keysFile) ? JSON.parse(readFileSync(keysFile, 'utf8')) : {};
    const savedIds = Object.values(saved).map((s) => s.id);
    const live = new Set(
      savedIds.length === 0
        ? []
        : (await database.db.select({ id: principals.id }).from(principals).where(and(inArray(principals.id, savedIds), isNull(principals.revokedAt)))).map((r) => r.id),
    );
    const issue: IssueKey = async ({ label, role, unitId, channel }) => {
      const known = saved[label];
      if (known && live.has(known.id)) return known.key;
      const { principal, key } = await createPrincipal(database.db, { name: label, role, unitId, ...(channel ? { channel } : {}) });
      saved[label] = { id: principal.id, key };
      live.add(principal.id);
      return key;
    };

    const api = httpApi(base);
    const intake = await issueIntakeKeys(issue, CITY.id);
    const stations = await readStations(api, intake.hotline);
    const plan = planDemo({ cases, seed, run, stations });
    const keys = await issueDemoKeys(issue, CITY.id, plan);
    writeFileSync(keysFile, JSON.stringify(saved, null, 2), { mode: 0o600 });

    console.log(`[bangnong] filing ${cases} cases into ${base} (seed ${seed}, ${concurrency} at a time)`);
    const bar = new cliProgress.SingleBar(
      { format: '  {bar} {percentage}% | {value}/{total} cases filed and walked | {failed} failed | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(plan.length, 0, { failed: 0 });
    const report = await runDemo({ api, plan, keys, concurrency, onProgress: (done, failed) => bar.update(done, { failed }) });
    bar.stop();

    console.log(`\n${summary(report.cases)}`);
    if (report.throttled > 0) console.log(`(the API asked to slow down ${report.throttled} times: its rate limits, RATE_LIMIT_PER_MINUTE and RATE_LIMIT_PUBLIC_PER_MINUTE; waited out)`);

    const waiting = report.cases.filter((c) => c.late && !c.overdue && c.deadlineAt);
    if (waiting.length > 0) {
      const last = new Date(Math.max(...waiting.map((c) => Date.parse(c.deadlineAt!))));
      if (last.getTime() - Date.now() <= 30 * 60_000) {
        console.log(`\n${waiting.length} urgent cases left waiting turn overdue by ${last.toLocaleTimeString()} (their deadlines).`);
      } else {
        // Deadlines cannot be sped up for a running stack: each case keeps the policy it was filed under.
        const file = path.join(config.DATA_DIR, 'demo-deadlines.json');
        const { calendar: _calendar, ...policy } = demoPolicy(loadPolicy(config.POLICY_FILE, config.CALENDAR_FILE));
        writeFileSync(file, JSON.stringify(policy, null, 2));
        console.log(
          `\n${waiting.length} urgent cases were left waiting in triage or for acceptance; under the policy \`up\` runs with they turn overdue ` +
            `only at ${last.toLocaleString()}. For overdue cases within 15 minutes, stop \`./bangnong up\`, start it as\n` +
            `  POLICY_FILE=${path.relative(process.cwd(), file) || file} ./bangnong up\nand run the demo again (cases already filed keep their deadlines).`,
        );
      }
    }
    if (report.problems.length > 0) {
      console.error(`\n${report.problems.length} cases stopped on an answer the demo did not expect:`);
      for (const line of report.problems.slice(0, 10)) console.error(`  ${line}`);
      if (report.problems.length > 10) console.error(`  … and ${report.problems.length - 10} more`);
      console.error('The API\'s log in the `./bangnong up` terminal says more. A 401 or 403: the API runs on another database than this command ' +
        '(set DATABASE_URL as `up` has it); a 5xx: Temporal or PostgreSQL was busy or down, run the demo again.');
      process.exitCode = 1;
    }
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  if (err instanceof UsageError) console.error(`${err.message}\n${USAGE}`);
  else if (isConnectionFailure(err)) console.error('cannot reach PostgreSQL: the demo creates its principals there; start `./bangnong up` (its embedded PostgreSQL) or set DATABASE_URL, then run this again');
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
