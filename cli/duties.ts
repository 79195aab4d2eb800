// `./bangnong duties backfill --from YYYY-MM-DD --to YYYY-MM-DD [--kind weekly|monthly]`: checks past
// weeks and months now — a period before the schedules existed, or one missed while the workers were down.
// Each period is one run of the check workflow with that period named (platform/schedules.ts
// `backfillDuties`), run by the workers; a shortfall found before is not recorded or told twice.

import { parseArgs } from 'node:util';
import type { ShortfallKind } from '../domain/duties.js';
import { parseShanghaiDay, shanghaiDay } from '../domain/periods.js';
import { loadConfig } from '../platform/config.js';
import { loadDutiesPolicy } from '../platform/duties-policy.js';
import { backfillDuties } from '../platform/schedules.js';
import { connectClient, temporalSettings } from '../platform/temporal.js';

const USAGE = `usage: ./bangnong duties backfill --from YYYY-MM-DD --to YYYY-MM-DD [--kind weekly|monthly]
  Checks every Asia/Shanghai week whose Monday, and every month whose 1st, lies between the two days
  (both included) and has ended: each workstation's liaison visits, each squad's released publicity.
  Shortfalls are recorded once and told to the squad's supervisors, as the schedules do.
  Needs the workers running, and TEMPORAL_ADDRESS (or the dev server of \`./bangnong up\`).`;

const KINDS: Record<string, ShortfallKind> = { weekly: 'weekly_visits', monthly: 'monthly_publicity' };

function day(value: string | undefined, flag: string): Date {
  const parsed = value ? parseShanghaiDay(value) : undefined;
  if (!parsed) throw new Error(`${flag} needs a day as YYYY-MM-DD${value ? `, not "${value}"` : ''}\n${USAGE}`);
  return parsed;
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, kind: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || positionals[0] !== 'backfill' || positionals.length > 1) throw new Error(USAGE);
  const from = day(values.from, '--from');
  const to = day(values.to, '--to');
  if (to < from) throw new Error(`--to (${values.to}) is before --from (${values.from})`);
  if (values.kind && !KINDS[values.kind]) throw new Error(`--kind is weekly or monthly, not "${values.kind}"`);
  const config = loadConfig();
  const policy = loadDutiesPolicy(config.DUTIES_POLICY_FILE);
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
  const { client, connection } = await connectClient(temporalSettings({ ...config, TEMPORAL_ADDRESS: address }));
  try {
    const range = { start: from, end: new Date(to.getTime() + 86_400_000) };
    console.log(`checking the duties of ${values.from} to ${values.to} (Asia/Shanghai) on task queue ${config.TEMPORAL_TASK_QUEUE}…`);
    const runs = await backfillDuties(client, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      policy,
      range,
      kinds: values.kind ? [KINDS[values.kind]!] : undefined,
      onRun: (run) => {
        const what = run.kind === 'weekly_visits' ? `week of ${shanghaiDay(run.period.start)}` : `month ${shanghaiDay(run.period.start).slice(0, 7)}`;
        const whom = run.kind === 'weekly_visits' ? 'workstations' : 'squads';
        if (run.skipped) console.log(`  ${what}: not checked, ${run.skipped}`);
        else console.log(`  ${what}: ${run.result!.checked} ${whom} checked, ${run.result!.short} short (${run.result!.created} new)   [${run.workflowId}]`);
      },
    });
    if (runs.length === 0) console.log('  no week starts and no month begins in that range');
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
