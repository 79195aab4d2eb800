// `./bangnong import-12345 FILE`: files the work orders of a 12345 hotline export (CSV or JSON) as cases of
// channel hotline, through the API of any running Bangnong, with an intake key — as the hotline's own system
// would. Each record is mapped by the column mapping (platform/hotline-mapping.ts) and POSTed to /v1/cases
// with its work-order number as externalId, so importing the same file again creates nothing new: the API
// answers 200 for a work order it has. Rows that cannot be filed are listed with their reason in a CSV report.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  DEFAULT_HOTLINE_MAPPING_FILE,
  type HotlineIntake,
  type HotlineMapping,
  columnOf,
  knownColumns,
  loadHotlineMapping,
  mapWorkOrder,
} from '../platform/hotline-mapping.js';

const USAGE = `usage: ./bangnong import-12345 FILE [--mapping FILE] [--report FILE] [--url URL] [--key KEY]
                                  [--concurrency N] [--format csv|json] [--encoding auto|utf-8|gb18030]
  files the work orders of a 12345 export (CSV with a header row, or JSON: an array of records or
  {"records": [...]}) as cases of channel hotline. Importing the same file again creates nothing new.
  --mapping   the column mapping (default policy/hotline-mapping.json, or HOTLINE_MAPPING_FILE)
  --report    where the rejected rows go, as CSV (default FILE.rejected.csv, written when a row is rejected)
  --url       the API (default BANGNONG_URL, else http://127.0.0.1:3000)
  --key       an intake key bound to channel hotline or to none (default BANGNONG_KEY); one is issued by
              ./bangnong principal create --role intake --unit 310000 --channel hotline
  --concurrency  work orders in flight at once (default 4, at most 32)
  --encoding  of a CSV file: auto (default) reads UTF-8, and GB18030 (GBK) when the bytes are not UTF-8
exit status: 0 every row filed or already there; 1 some rows rejected (see the report); 2 nothing or not
everything could be imported (a bad file, mapping or key, or the service unreachable: run it again).`;

/** Stops the import as a whole: exit status 2 with the message. */
class Stop extends Error {}

// ——— Reading the export ———

/** One record of the export, with its row as a spreadsheet numbers it (the header is row 1; in JSON, the record's place from 1). */
interface SourceRow {
  row: number;
  record: Record<string, unknown>;
  /** Why the row cannot even be read as a record. */
  unreadable?: string;
}

function decode(bytes: Buffer, encoding: string): { text: string; note?: string } {
  if (encoding === 'gb18030' || encoding === 'gbk') return { text: new TextDecoder('gb18030').decode(bytes) };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    if (encoding !== 'auto') throw new Stop(`the file is not UTF-8: export it as UTF-8, or pass --encoding gb18030 for a GBK export`);
    // Exports opened and saved by a Chinese Excel are GBK: GB18030 reads them and is a superset of GBK.
    return { text: new TextDecoder('gb18030').decode(bytes), note: 'the file is not UTF-8: read as GB18030 (GBK)' };
  }
}

function readCsv(text: string, mapping: HotlineMapping): { rows: SourceRow[]; warnings: string[] } {
  let parsed: { record: Record<string, string>; info: { records: number; columns: { name: string }[]; error?: unknown } }[];
  try {
    parsed = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true });
  } catch (e) {
    // An unclosed quote or the like: the rows after it cannot be told apart.
    throw new Stop(`the CSV cannot be read: ${(e as Error).message}`);
  }
  const header: string[] = parsed[0] ? parsed[0].info.columns.map((c) => c.name) : (parseCsv(text, { bom: true, to_line: 1 })[0] ?? []);
  const missing = (['externalId', 'description', 'address'] as const).map((f) => mapping.columns[f]).filter((column) => !header.includes(column));
  if (missing.length) {
    throw new Stop(`the file has no column ${missing.join(', ')}, which the mapping needs; its header is: ${header.join(', ') || '(empty)'}. Is it a 12345 export, or does it need --mapping?`);
  }
  const known = new Set(knownColumns(mapping));
  const unknown = header.filter((column) => !known.has(column));
  const warnings = unknown.length ? [`columns the mapping does not take, left out: ${unknown.join(', ')} (list them under "ignored" to silence this)`] : [];
  const rows = parsed.map(({ record, info }) => ({
    row: info.records + 1,
    record,
    ...(info.error ? { unreadable: `has ${Object.keys(record).length === header.length ? 'more' : 'fewer'} fields than the header's ${header.length}` } : {}),
  }));
  return { rows, warnings };
}

function readJson(text: string): { rows: SourceRow[]; warnings: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new Stop(`the file is not JSON: ${(e as Error).message}`);
  }
  const records = Array.isArray(json) ? json : (json as { records?: unknown })?.records;
  if (!Array.isArray(records)) throw new Stop('the JSON must be an array of records, or an object with an array "records"');
  const rows = records.map((record, i) =>
    record !== null && typeof record === 'object' && !Array.isArray(record)
      ? { row: i + 1, record: record as Record<string, unknown> }
      : { row: i + 1, record: {}, unreadable: 'is not a record (an object of columns)' },
  );
  return { rows, warnings: [] };
}

// ——— Talking to the API ———

interface Answer {
  status: number;
  json: { error?: string; issues?: { path: string; message: string }[]; role?: string; channel?: string; name?: string } & Record<string, unknown>;
}

const MAX_ATTEMPTS = 6;
/** Told to slow down (429, the API's rate limit per key) this many times in a row, the import gives up. */
const MAX_THROTTLED = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(base: string, key: string) {
  /**
   * One request; answers that say "later" (429, 503) and a connection that fails are tried again, up to
   * `attempts` times in all, then stop the import.
   */
  return async function request(method: 'GET' | 'POST', path: string, body?: unknown, attempts = MAX_ATTEMPTS): Promise<Answer> {
    let throttled = 0;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (e) {
        if (attempt < attempts) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (e as Error).message;
        throw new Stop(`cannot reach Bangnong at ${base} (${why}): is it running (./bangnong up), and is --url or BANGNONG_URL right?`);
      }
      const text = await res.text();
      let json: Answer['json'];
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        json = { error: text.slice(0, 200) };
      }
      const retryAfter = Number(res.headers.get('retry-after'));
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 250 * 2 ** Math.min(attempt, 6);
      // The rate limit is no fault of the row: wait as told, without spending the row's attempts.
      if (res.status === 429 && ++throttled <= MAX_THROTTLED) {
        attempt--;
        await sleep(wait);
        continue;
      }
      if (res.status === 429) throw new Stop(`Bangnong at ${base} kept refusing for the rate limit (429: ${json.error ?? ''}); lower --concurrency, or raise RATE_LIMIT_PER_MINUTE`);
      if (res.status === 503 && attempt < attempts) {
        await sleep(wait);
        continue;
      }
      if (res.status === 503) throw new Stop(`Bangnong at ${base} is unavailable (503: ${json.error ?? ''}); nothing more was filed — run the import again later`);
      if (res.status === 401) throw new Stop(`the key was refused (401: ${json.error ?? 'unknown key'}): pass an intake key with --key or BANGNONG_KEY`);
      return { status: res.status, json };
    }
  };
}

type Request = ReturnType<typeof client>;

/** The key must be one that may file hotline cases: an intake key, bound to hotline or to no channel. */
async function checkKey(request: Request): Promise<void> {
  // Asked once: a service that is not there at the start is not waited for.
  const me = await request('GET', '/v1/me', undefined, 1);
  if (me.status !== 200) throw new Stop(`the service did not say who the key belongs to (${me.status}: ${me.json.error ?? ''})`);
  if (me.json.role !== 'intake' && me.json.role !== 'desk') {
    const role = String(me.json.role);
    throw new Stop(`the key is ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} key (${me.json.name}): filing work orders takes an intake key, issued by ./bangnong principal create --role intake --unit 310000 --channel hotline`);
  }
  if (me.json.channel && me.json.channel !== 'hotline') throw new Stop(`the key is bound to channel ${me.json.channel}: work orders are filed through channel hotline`);
}

// ——— Filing ———

type Status = 'created' | 'existing' | 'rejected';
interface RowResult {
  row: number;
  workOrder: string;
  status: Status;
  reason?: string;
}

/** What the API's refusal says, with each field named as the export names its column. */
function reasonOf(mapping: HotlineMapping, answer: Answer): string {
  const issues = answer.json.issues ?? [];
  if (issues.length) return issues.map((i) => `${columnOf(mapping, i.path)}: ${i.message}`).join('; ');
  return `${answer.status}: ${answer.json.error ?? 'refused'}`;
}

async function file(request: Request, mapping: HotlineMapping, intake: HotlineIntake): Promise<{ status: Status; reason?: string }> {
  const answer = await request('POST', '/v1/cases', intake);
  if (answer.status === 201) return { status: 'created' };
  if (answer.status === 200) return { status: 'existing' };
  return { status: 'rejected', reason: reasonOf(mapping, answer) };
}

/** Each row mapped, or why not; a work-order number seen before in the file is filed once, at its first row. */
function prepare(mapping: HotlineMapping, rows: SourceRow[]): { row: SourceRow; workOrder: string; intake?: HotlineIntake; reason?: string }[] {
  const firstRow = new Map<string, number>();
  return rows.map((row) => {
    const workOrder = String(row.record[mapping.columns.externalId] ?? '').trim();
    if (row.unreadable) return { row, workOrder, reason: `the row ${row.unreadable}` };
    const mapped = mapWorkOrder(mapping, row.record);
    if (!mapped.ok) return { row, workOrder, reason: mapped.problems.map((p) => `${p.column}: ${p.message}`).join('; ') };
    const first = firstRow.get(mapped.intake.externalId);
    if (first !== undefined) return { row, workOrder, reason: `${mapping.columns.externalId} ${workOrder} is also at row ${first}: only the first row of a work order is filed` };
    firstRow.set(mapped.intake.externalId, row.row);
    return { row, workOrder, intake: mapped.intake };
  });
}

interface Progress {
  update(done: number, tally: Record<Status, number>): void;
  stop(): void;
}

/** A bar on a terminal; plain lines, about every tenth of the way, in a log or a pipe. */
function progress(total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: '  {bar} {value}/{total} work orders | created {created} | already there {existing} | rejected {rejected} | ETA {eta_formatted}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { created: 0, existing: 0, rejected: 0 });
    return { update: (done, tally) => bar.update(done, tally), stop: () => bar.stop() };
  }
  const step = Math.max(1, Math.ceil(total / 10));
  return {
    update: (done, tally) => {
      if (done % step === 0 || done === total) console.error(`[import-12345] ${done}/${total} work orders: created ${tally.created}, already there ${tally.existing}, rejected ${tally.rejected}`);
    },
    stop: () => {},
  };
}

/** Files the prepared rows, `concurrency` at a time; a Stop ends the run after the requests in flight. */
async function run(request: Request, mapping: HotlineMapping, prepared: ReturnType<typeof prepare>, concurrency: number): Promise<{ results: RowResult[]; stopped?: Stop }> {
  const results: RowResult[] = [];
  const tally: Record<Status, number> = { created: 0, existing: 0, rejected: 0 };
  const bar = progress(prepared.length);
  let next = 0;
  let stopped: Stop | undefined;
  const record = (r: RowResult) => {
    results.push(r);
    tally[r.status]++;
    bar.update(results.length, tally);
  };
  const worker = async () => {
    while (!stopped && next < prepared.length) {
      const p = prepared[next++]!;
      if (!p.intake) {
        record({ row: p.row.row, workOrder: p.workOrder, status: 'rejected', reason: p.reason });
        continue;
      }
      try {
        record({ row: p.row.row, workOrder: p.workOrder, ...(await file(request, mapping, p.intake)) });
      } catch (e) {
        if (!(e instanceof Stop)) throw e;
        stopped ??= e;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(prepared.length, 1)) }, worker));
  } finally {
    bar.stop();
  }
  return { results: results.sort((a, b) => a.row - b.row), stopped };
}

function writeReport(file: string, mapping: HotlineMapping, rejected: RowResult[]): void {
  // With a BOM, so a spreadsheet opens the Chinese as Chinese.
  const rows = [['row', mapping.columns.externalId, 'reason'], ...rejected.map((r) => [r.row, r.workOrder, r.reason ?? ''])];
  writeFileSync(file, stringify(rows, { bom: true, record_delimiter: 'windows' }));
}

// ——— The command ———

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        mapping: { type: 'string' },
        report: { type: 'string' },
        url: { type: 'string' },
        key: { type: 'string' },
        concurrency: { type: 'string', default: '4' },
        format: { type: 'string' },
        encoding: { type: 'string', default: 'auto' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new Stop(`${(e as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1) throw new Stop(`name one export file to import\n${USAGE}`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) throw new Stop(`--concurrency "${values.concurrency}" is not 1 to 32`);
  const input = positionals[0]!;
  const format = values.format ?? (/\.json$/i.test(input) ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') throw new Stop(`--format "${format}" is not csv or json`);
  if (!['auto', 'utf-8', 'utf8', 'gb18030', 'gbk'].includes(values.encoding)) throw new Stop(`--encoding "${values.encoding}" is not auto, utf-8 or gb18030`);
  const key = values.key ?? process.env.BANGNONG_KEY;
  if (!key) throw new Stop('no key: pass an intake key with --key or BANGNONG_KEY (./bangnong principal create --role intake --unit 310000 --channel hotline issues one)');
  return {
    input,
    format,
    encoding: values.encoding,
    key,
    concurrency,
    mappingFile: values.mapping ?? process.env.HOTLINE_MAPPING_FILE ?? DEFAULT_HOTLINE_MAPPING_FILE,
    report: values.report ?? `${input}.rejected.csv`,
    reportAsked: values.report !== undefined,
    base: (values.url ?? process.env.BANGNONG_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''),
  };
}

async function main(): Promise<number> {
  const o = options();
  let mapping: HotlineMapping;
  try {
    mapping = loadHotlineMapping(o.mappingFile);
  } catch (e) {
    throw new Stop((e as Error).message);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(o.input);
  } catch (e) {
    throw new Stop(`cannot read ${o.input}: ${(e as Error).message}`);
  }
  const { text, note } = o.format === 'json' ? { text: bytes.toString('utf8'), note: undefined } : decode(bytes, o.encoding);
  const { rows, warnings } = o.format === 'json' ? readJson(text) : readCsv(text, mapping);
  for (const line of [note, ...warnings]) if (line) console.error(`[import-12345] ${line}`);

  const request = client(o.base, o.key);
  await checkKey(request);
  console.log(`importing ${rows.length} work orders from ${o.input} into ${o.base} (${o.concurrency} at a time)`);
  const { results, stopped } = await run(request, mapping, prepare(mapping, rows), o.concurrency);

  const count = (s: Status) => results.filter((r) => r.status === s).length;
  const rejected = results.filter((r) => r.status === 'rejected');
  const unprocessed = rows.length - results.length;
  console.log(
    `${o.input}: ${rows.length} work orders — created ${count('created')}, already there ${count('existing')} (filed before: nothing new), rejected ${rejected.length}` +
      (unprocessed ? `, not processed ${unprocessed}` : ''),
  );
  for (const r of rejected.slice(0, 5)) console.log(`  row ${r.row}${r.workOrder ? ` (${mapping.columns.externalId} ${r.workOrder})` : ''}: ${r.reason}`);
  if (rejected.length > 5) console.log(`  … and ${rejected.length - 5} more`);
  if (rejected.length || o.reportAsked) {
    writeReport(o.report, mapping, rejected);
    console.log(`the rejected rows and why: ${o.report}`);
  }
  if (stopped) throw stopped;
  return rejected.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Stop ? `import-12345: ${e.message}` : e);
    process.exit(2);
  },
);
