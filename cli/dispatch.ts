// `./bangnong dispatch report|learn`: how often smart dispatch's suggestion was what the desk decided, and
// a retraining from the desk's decisions. Reads the triage events (each records the suggestion beside the
// decision) straight from PostgreSQL; `learn` replaces the lessons the API processes read every minute.

import { parseArgs } from 'node:util';
import { connectDatabase } from '../db/client.js';
import { countAutoDispatchesTakenBack, listDispatchDecisions, replaceDispatchLessons } from '../db/queries/dispatch.js';
import { type AccuracyReport, type Share, accuracyReport, learnCategoryPhrases, learnPlaces } from '../domain/dispatch/learn.js';
import { parseShanghaiDay, shanghaiDay } from '../domain/periods.js';
import { loadConfig } from '../platform/config.js';
import { loadDispatchPolicy } from '../platform/dispatch-policy.js';

const USAGE = `usage: ./bangnong dispatch report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
       ./bangnong dispatch learn  [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--dry-run]
  report: the desk's in-scope decisions between the two days (Asia/Shanghai, both included; by default
          the last 30 days) against smart dispatch's suggestions: top-1 category, squad, workstation, the
          most frequent corrections, and the auto-dispatches the desk took back.
  learn:  retrains from the desk's decisions (by default the last 90 days): phrases that tell a category,
          addresses the desk keeps sending to one workstation. Replaces the lessons; every API process
          reads them within a minute. --dry-run prints them without saving.
  Needs DATABASE_URL (or the embedded PostgreSQL of \`./bangnong up\`).`;

const DAY_MS = 86_400_000;

function period(values: { from?: string; to?: string }, defaultDays: number): { from: Date; to: Date; label: string } {
  const parse = (value: string, flag: string) => {
    const d = parseShanghaiDay(value);
    if (!d) throw new Error(`${flag} needs a day as YYYY-MM-DD, not "${value}"\n${USAGE}`);
    return d;
  };
  const lastDay = values.to ? parse(values.to, '--to') : parseShanghaiDay(shanghaiDay(new Date()))!;
  const firstDay = values.from ? parse(values.from, '--from') : new Date(lastDay.getTime() - (defaultDays - 1) * DAY_MS);
  if (lastDay < firstDay) throw new Error(`--to (${values.to}) is before --from (${values.from})`);
  return { from: firstDay, to: new Date(lastDay.getTime() + DAY_MS), label: `${shanghaiDay(firstDay)} to ${shanghaiDay(lastDay)} (Asia/Shanghai)` };
}

const percent = (s: Share) => (s.of === 0 ? '   —   ' : `${((100 * s.right) / s.of).toFixed(1).padStart(5)} %`);
const line = (label: string, s: Share, note = '') => `  ${label.padEnd(22)} ${`${s.right}/${s.of}`.padStart(11)}  ${percent(s)}${note && `   ${note}`}`;

function printReport(r: AccuracyReport, label: string, takenBack: number): void {
  console.log(`smart dispatch, ${label}: ${r.decisions} decisions by the desk, ${r.automatic} by auto-dispatch (${takenBack} taken back by the desk)`);
  if (r.decisions === 0) {
    console.log('  no decisions of the desk on cases with a suggestion in this period');
    return;
  }
  console.log(line('category, top-1', r.category));
  console.log(line('squad', r.squadWherePlaced, 'where the address named a street/town or liaison point'));
  console.log(line('squad, every address', r.squad));
  console.log(line('workstation', r.workstation, 'where a workstation was suggested'));
  console.log('  by decided category (suggested right / decided):');
  for (const c of r.byCategory) console.log(`    ${c.category.padEnd(26)} ${`${c.suggestedRight}/${c.decided}`.padStart(9)}`);
  if (r.confusions.length) {
    console.log('  most frequent corrections (suggested → decided):');
    for (const c of r.confusions) console.log(`    ${c.suggested} → ${c.decided}: ${c.count}`);
  }
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (values.help || positionals.length !== 1 || (command !== 'report' && command !== 'learn')) throw new Error(USAGE);
  const config = loadConfig();
  const url = config.DATABASE_URL ?? `postgres://bangnong:bangnong@127.0.0.1:${config.EMBEDDED_PG_PORT}/bangnong`;
  const database = connectDatabase(url, { max: 2 });
  try {
    const p = period(values, command === 'report' ? 30 : 90);
    const range = { from: p.from.toISOString(), to: p.to.toISOString() };
    const decisions = await listDispatchDecisions(database.db, range);
    if (command === 'report') {
      const report = accuracyReport(decisions);
      const takenBack = await countAutoDispatchesTakenBack(database.db, range);
      if (values.json) console.log(JSON.stringify({ from: range.from, to: range.to, ...report, autoDispatchesTakenBack: takenBack }, null, 2));
      else printReport(report, p.label, takenBack);
      return;
    }
    const policy = loadDispatchPolicy(config.DISPATCH_POLICY_FILE);
    const phrases = learnCategoryPhrases(decisions, policy);
    const places = learnPlaces(decisions);
    console.log(`learned from ${decisions.filter((d) => !d.automatic).length} decisions of the desk, ${p.label}: ${phrases.length} phrases, ${places.length} places`);
    for (const ph of phrases.slice(0, 20)) console.log(`  phrase 「${ph.phrase}」 → ${ph.category}  weight ${ph.weight.toFixed(2)}, taught ${ph.support}×`);
    for (const pl of places.slice(0, 20)) console.log(`  place  「${pl.key}」 → ${pl.workstationId}  taught ${pl.support}× (${Math.round(pl.weight * 100)} %)`);
    if (values['dry-run']) {
      console.log('dry run: nothing saved');
      return;
    }
    await replaceDispatchLessons(
      database.db,
      [
        ...phrases.map((ph) => ({ kind: 'phrase' as const, key: ph.phrase, target: ph.category, weight: ph.weight, support: ph.support })),
        ...places.map((pl) => ({ kind: 'place' as const, key: pl.key, target: pl.workstationId, weight: pl.weight, support: pl.support })),
      ],
      new Date().toISOString(),
    );
    console.log('saved: every API process uses them within a minute');
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
