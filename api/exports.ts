// Lists and statistics as CSV, for a supervisor's spreadsheet: the same rows the JSON routes answer, in
// the reader's language (the console's catalogue), with names for units, categories and states, and times
// in Shanghai. UTF-8 with a byte-order mark, so that Excel opens Chinese text as Chinese.

import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, type Language, type Messages, messages } from '../platform/messages.js';
import type { CaseServiceDeps, Reader } from './cases.js';
import { type CaseListQuery, listCasesFor } from './lists.js';
import { HttpError } from './errors.js';
import type { CaseBody } from './schemas.js';
import type { dashboardMatrix, dashboardOverview, dashboardSatisfaction, dashboardTrend } from './stats.js';

/** The query every export adds to its route's own: the language of its headers and names. */
export const exportQuery = { lang: z.enum(LANGUAGES).default('zh-CN').describe('the language of the headers and of the names in the cells') };

/** What an export answers with 200 (api/plugins/docs.ts lists it as text/csv). */
export const csvAnswer = z.string().describe('CSV, UTF-8 with a byte-order mark, CRLF line ends: a header row, then the rows');

/** The most rows one export holds; a wider filter is refused, not cut short. */
export const EXPORT_MAX_ROWS = 10_000;

export interface Csv {
  /** A file name for the download: bangnong-<what>-<Shanghai date>.csv */
  filename: string;
  body: string;
}

export type Cell = string | number | null | undefined;

/** A file of a header row and rows, as every export writes it. */
export function csv(what: string, header: string[], rows: Cell[][]): Csv {
  const body = stringify([header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : c)))], { bom: true, record_delimiter: 'windows' });
  return { filename: `bangnong-${what}-${shanghaiDate(new Date())}.csv`, body };
}

const SHANGHAI_MS = 8 * 3_600_000;
const shanghaiDate = (d: Date) => new Date(d.getTime() + SHANGHAI_MS).toISOString().slice(0, 10);
/** 2026-11-23 14:05, Shanghai time: what a spreadsheet reads as a date and time. */
const shanghaiTime = (iso: string | undefined) => (iso ? new Date(Date.parse(iso) + SHANGHAI_MS).toISOString().slice(0, 16).replace('T', ' ') : '');
/** 0.853 → 85.3 (a percentage, for a spreadsheet to chart). */
export const percent = (ratio: number | null) => (ratio === null ? '' : Math.round(ratio * 1000) / 10);

function unitNames(deps: CaseServiceDeps, m: Messages): (id: string | null | undefined) => string {
  const names = new Map(deps.org.allUnits().map((u) => [u.id, u.name]));
  const byPath = new Map(deps.org.allUnits().map((u) => [u.path, u.name]));
  return (id) => (id ? (names.get(id) ?? byPath.get(id) ?? id) : m.t('dashboard.unassigned'));
}

/** Every case the list's filter matches, most overdue first, as the list shows each one (masked or not). */
export async function casesCsv(deps: CaseServiceDeps, reader: Reader, q: Omit<CaseListQuery, 'cursor' | 'limit'>, lang: Language): Promise<Csv> {
  const all: CaseBody[] = [];
  let cursor: string | undefined;
  do {
    const page = await listCasesFor(deps, reader, { ...q, limit: 200, cursor });
    all.push(...page.cases);
    cursor = page.next;
    if (all.length > EXPORT_MAX_ROWS) {
      throw new HttpError(400, `more than ${EXPORT_MAX_ROWS.toLocaleString('en')} cases match: narrow the export by unit, category, channel or period (from, to)`);
    }
  } while (cursor);
  const m = messages(lang);
  const unit = unitNames(deps, m);
  const now = Date.now();
  const column = (k: string) => m.t(`export.case.${k}`);
  const header = ['id', 'trackingCode', 'title', 'category', 'channel', 'state', 'stage', 'deadline', 'overdue', 'lateMinutes', 'level', 'district', 'assignedUnit', 'address', 'filedAt', 'outcome', 'media', 'rating', 'citizen', 'phone'].map(column);
  const rows = all.map((c) => [
    c.id,
    c.trackingCode,
    c.title,
    m.term('category', c.category ?? 'unknown'),
    m.t(`dashboard.channel.${c.channel}`),
    m.term('state', c.state),
    m.term('stage', c.stage),
    shanghaiTime(c.deadlineAt),
    m.t(c.overdue ? 'export.yes' : 'export.no'),
    c.overdue && c.deadlineAt ? Math.max(0, Math.floor((now - Date.parse(c.deadlineAt)) / 60_000)) : '',
    m.term('level', c.escalationLevel),
    c.location.district ?? '',
    unit(c.assignedUnitId),
    c.location.address,
    shanghaiTime(c.createdAt),
    c.outcome ? m.term('case.outcomes', c.outcome) : '',
    m.t(`export.media.${c.media.status}`),
    c.rating ? m.t(`export.rating.${c.rating.rating}`) : '',
    c.citizen?.name ?? '',
    c.citizen?.phone ?? '',
  ]);
  return csv('cases', header, rows);
}

type Overview = Awaited<ReturnType<typeof dashboardOverview>>;
type Matrix = Awaited<ReturnType<typeof dashboardMatrix>>;
type Satisfaction = Awaited<ReturnType<typeof dashboardSatisfaction>>;
type Trend = Awaited<ReturnType<typeof dashboardTrend>>;

/** The headline figures, then the hours spent in each state. */
export function overviewCsv(o: Overview, lang: Language): Csv {
  const m = messages(lang);
  const rows: Cell[][] = [
    [m.t('dashboard.figure.total'), o.total],
    [m.t('dashboard.figure.open'), o.open],
    [m.t('dashboard.figure.overdue'), o.overdue, percent(o.overdueRate)],
    [m.t('dashboard.figure.solvedOnSite'), o.solvedOnSite, percent(o.shares.solvedOnSite)],
    [m.t('dashboard.figure.escalated'), o.escalated, percent(o.shares.escalated)],
    [m.t('export.overview.transferred'), o.transferred, percent(o.shares.transferred)],
    [m.t('export.overview.explained'), o.explained, percent(o.shares.explained)],
    ...o.stages.map((s) => [m.t('export.overview.stage', { state: m.term('state', s.state) }), s.stays, '', s.medianHours, s.p90Hours]),
  ];
  const header = ['measure', 'count', 'percent', 'medianHours', 'p90Hours'].map((k) => m.t(`export.overview.${k}`));
  return csv('overview', header, rows.map((r) => [...r, ...Array<Cell>(header.length - r.length).fill('')]));
}

/**
 * The heat table as the dashboard shows it: a row per unit (or category, channel), a column per category
 * (or channel, week), and the row's total. Rows and columns most cases first; weeks in order.
 */
export function matrixCsv(deps: CaseServiceDeps, x: Matrix, lang: Language): Csv {
  const m = messages(lang);
  const unit = unitNames(deps, m);
  const name = (dimension: string, key: string | null): string => {
    if (dimension === 'district' || dimension === 'squad') return unit(key);
    if (dimension === 'category') return m.term('category', key ?? 'unknown');
    if (dimension === 'channel') return key ? m.t(`dashboard.channel.${key}`) : m.t('value.none');
    return key ?? m.t('value.none');
  };
  const totals = (pick: (c: Matrix['cells'][number]) => string | null) => {
    const sums = new Map<string | null, number>();
    for (const c of x.cells) sums.set(pick(c), (sums.get(pick(c)) ?? 0) + c.total);
    return sums;
  };
  const rowTotals = totals((c) => c.row);
  const colTotals = totals((c) => c.col);
  const rows = [...rowTotals].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const cols = [...colTotals].sort(x.cols === 'week' ? (a, b) => String(a[0]).localeCompare(String(b[0])) : (a, b) => b[1] - a[1]).map(([k]) => k);
  const count = new Map(x.cells.map((c) => [`${c.row}|${c.col}`, c.total]));
  const header = [m.t(`export.dimension.${x.rows}`), ...cols.map((c) => name(x.cols, c)), m.t('dashboard.total')];
  const body = rows.map((r) => [name(x.rows, r), ...cols.map((c) => count.get(`${r}|${c}`) ?? 0), rowTotals.get(r) ?? 0]);
  return csv(`${x.rows}-by-${x.cols}`, header, body);
}

/** Ratings per unit: counts, then shares in percent. */
export function satisfactionCsv(deps: CaseServiceDeps, s: Satisfaction, lang: Language): Csv {
  const m = messages(lang);
  const unit = unitNames(deps, m);
  const header = [m.t(`export.dimension.${s.by}`), ...['total', 'closed', 'rated', 'satisfied', 'basicallySatisfied', 'unsatisfied', 'satisfaction', 'ratedShare'].map((k) => m.t(`export.satisfaction.${k}`))];
  const rows = s.groups.map((g) => [unit(g.key), g.total, g.closed, g.rated, g.satisfied, g.basicallySatisfied, g.unsatisfied, percent(g.satisfaction), percent(g.ratedShare)]);
  return csv(`satisfaction-by-${s.by}`, header, rows);
}

/** Week by week around the chosen date, then the weeks before and after summed, and the change. */
export function trendCsv(x: Trend, lang: Language): Csv {
  const m = messages(lang);
  const header = ['week', 'offset', 'total', 'rated', 'satisfied', 'basicallySatisfied', 'unsatisfied', 'satisfaction'].map((k) => m.t(`export.trend.${k}`));
  const rows: Cell[][] = x.series.map((w) => [w.week, w.offset, w.total, w.rated, w.satisfied, w.basicallySatisfied, w.unsatisfied, percent(w.satisfaction)]);
  rows.push(
    [m.t('export.trend.before', { n: x.weeks }), '', x.before.total, x.before.rated, '', '', '', percent(x.before.satisfaction)],
    [m.t('export.trend.after', { n: x.weeks }), '', x.after.total, x.after.rated, '', '', '', percent(x.after.satisfaction)],
    [m.t('export.trend.change'), '', percent(x.change.total), '', '', '', '', x.change.satisfaction === null ? '' : Math.round(x.change.satisfaction * 1000) / 10],
  );
  return csv(`trend-${x.around}`, header, rows);
}

/** Answers with the file: a download named for what it holds. */
export function sendCsv(reply: FastifyReply, file: Csv) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('cache-control', 'no-store')
    .send(file.body);
}
