// The QR code of a community workstation (城管码): the address of the citizen's filing page for that
// workstation, as a PNG, an SVG, and a printable A4 sheet per squad to hang at each workstation. The codes
// are drawn by the `qrcode` library; the sheet is plain HTML whose only style is inline and pinned by its
// hash in the page's CSP, with no script at all.

import { createHash } from 'node:crypto';
import QRCode from 'qrcode';
import type { UnitRow, WorkstationRow } from '../db/schema.js';
import { badRequest, notFound } from './errors.js';
import type { OrgDirectory } from './org.js';

/**
 * The filing page of a workstation, where its QR code leads: the citizen's pages (console/citizen/) read
 * the workstation from the address's fragment, so the server never needs to see it to serve the page.
 */
export function filingPageUrl(publicBaseUrl: string, workstationId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/citizen/#/w/${encodeURIComponent(workstationId)}`;
}

// M (15 % of the code may be lost): a sticker at a workstation gets scratched and rained on, and an
// address of ~60 characters still fits a small, easily scanned code.
const ERROR_CORRECTION = 'M' as const;
/** The quiet zone around the code, in modules: the four the standard asks for. */
const MARGIN = 4;

export const QR_PNG_DEFAULT_PX = 512;
const CARDS_PER_PAGE = 6;

export async function qrPng(text: string, widthPx = QR_PNG_DEFAULT_PX): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: ERROR_CORRECTION, margin: MARGIN, width: widthPx });
}

export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: ERROR_CORRECTION, margin: MARGIN });
}

/** A workstation by id, or 404 naming it. */
export async function workstationOr404(org: OrgDirectory, id: string): Promise<WorkstationRow> {
  const station = await org.workstation(id);
  if (!station) throw notFound(`no workstation "${id}": GET /v1/workstations lists them`);
  return station;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// A4 portrait, six codes a page (two columns, three rows): the cards are grouped by page in the markup, so
// each page breaks where the sheet says and no card is cut in two. The screen shows the same pages on a
// grey desk with a line saying how to print them; the printer gets only the pages.
const SHEET_STYLE = `
@page { size: A4 portrait; margin: 12mm; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: #111; }
body { margin: 0; background: #e9ecef; }
.hint { max-width: 186mm; margin: 8mm auto 4mm; font-size: 11pt; color: #444; }
.page { width: 186mm; height: 273mm; margin: 0 auto 8mm; padding: 0; background: #fff; display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: repeat(3, 87mm) 1fr; break-after: page; page-break-after: always; }
.page:last-of-type { break-after: auto; page-break-after: auto; }
.card { padding: 4mm 5mm; border: 0.3mm dashed #999; display: flex; flex-direction: column; align-items: center; justify-content: space-between; text-align: center; break-inside: avoid; page-break-inside: avoid; overflow: hidden; }
.card h2 { margin: 0; font-size: 12.5pt; line-height: 1.3; font-weight: 700; }
.card svg { width: 50mm; height: 50mm; display: block; }
.card .call { margin: 0; font-size: 11pt; font-weight: 700; }
.card .small { margin: 0; font-size: 7pt; color: #444; word-break: break-all; }
.foot { grid-column: 1 / -1; grid-row: 4; align-self: end; margin: 0; font-size: 8pt; color: #666; text-align: center; }
@media print {
  body { background: #fff; }
  .hint { display: none; }
  .page { margin: 0; }
}
`;

/** The CSP source that lets the sheet's one style block apply, and nothing else. */
export const QR_SHEET_STYLE_HASH = `'sha256-${createHash('sha256').update(SHEET_STYLE).digest('base64')}'`;

/** One card: the workstation's full name, its code and what to do with it, and the address spelled out. */
async function card(publicBaseUrl: string, station: WorkstationRow): Promise<string> {
  const url = filingPageUrl(publicBaseUrl, station.id);
  return [
    `<article class="card" data-workstation="${escapeHtml(station.id)}">`,
    `<h2>${escapeHtml(station.fullName)}</h2>`,
    await qrSvg(url),
    '<p class="call">扫码反映城管问题 · 跟踪办理进度</p>',
    `<p class="small">${escapeHtml(url)}</p>`,
    '</article>',
  ].join('');
}

/**
 * The printable sheet of a squad: every workstation of the squad with its full name and code, in Chinese,
 * for A4. 400 for a unit that is not a squad (a district's sheet would be its squads' sheets).
 */
export async function qrSheet(org: OrgDirectory, publicBaseUrl: string, unitId: string): Promise<string> {
  const unit: UnitRow | undefined = await org.unit(unitId);
  if (!unit) throw notFound(`no unit "${unitId}": GET /v1/units lists them`);
  if (unit.kind !== 'squad') throw badRequest(`unit ${unit.id} (${unit.name}) is a ${unit.kind}: a QR sheet is printed per squad (GET /v1/units lists the squads)`, 'params.id');
  const stations = org.workstations({}).filter((w) => w.squadId === unit.id);
  const cards = await Promise.all(stations.map((w) => card(publicBaseUrl, w)));
  const pages: string[][] = [];
  for (let i = 0; i < cards.length; i += CARDS_PER_PAGE) pages.push(cards.slice(i, i + CARDS_PER_PAGE));
  const title = `${unit.name} 社区工作室二维码`;
  const name = escapeHtml(unit.name);
  return [
    '<!doctype html>',
    '<html lang="zh-CN"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${SHEET_STYLE}</style>`,
    '</head><body>',
    `<p class="hint">${escapeHtml(title)}：共 ${stations.length} 个，每页 ${CARDS_PER_PAGE} 个。用浏览器打印（Ctrl+P），纸张选 A4、缩放 100%，沿虚线裁开后张贴。</p>`,
    pages.length
      ? pages.map((page, i) => `<section class="page">\n${page.join('\n')}\n<p class="foot">${name} · 第 ${i + 1}/${pages.length} 页</p>\n</section>`).join('\n')
      : `<section class="page"><p class="foot">${name}暂无社区工作室。</p></section>`,
    '</body></html>',
  ].join('\n');
}
