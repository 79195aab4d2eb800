// 创范评优, the scorecard (#/scorecard): every workstation (or squad) of the viewer's unit over a period, with
// each measure, its score and its rank, as GET /v1/scorecard answers them; the top scores as a chart, the
// "50 best" list, the formula in words from the policy the API applied, and the table as CSV. The settings
// (level, unit, period) live in the hash's query, so a reload or a shared link shows the same scorecard.

import { api } from '../api.js';
import { el, replace } from '../dom.js';
import { currentLanguage, t } from '../i18n.js';
import { disposeCharts, drawChart } from './dashboard-charts.js';
import { unitsBelow } from './dashboard-filters.js';

const MEASURES = ['dutyCompliance', 'onTimeRate', 'solvedOnSiteRate', 'satisfaction', 'publicityCompliance'];
const KEYS = ['level', 'unit', 'month', 'week', 'from', 'to'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;
/** How many of the best the chart shows. */
const CHART_TOP = 20;

/** The settings in the hash now: only known keys, periods only when well formed. */
function readSettings(hash = location.hash) {
  const query = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  const s = { level: query.get('level') === 'squad' ? 'squad' : 'workstation' };
  if (query.get('unit')) s.unit = query.get('unit');
  if (MONTH.test(query.get('month') ?? '')) s.month = query.get('month');
  else if (DATE.test(query.get('week') ?? '')) s.week = query.get('week');
  else if (DATE.test(query.get('from') ?? '') && DATE.test(query.get('to') ?? '')) Object.assign(s, { from: query.get('from'), to: query.get('to') });
  return s;
}

function writeSettings(s) {
  const query = new URLSearchParams();
  for (const key of KEYS) if (s[key]) query.set(key, s[key]);
  location.hash = `#/scorecard?${query}`;
}

/** The API's query: dates are Shanghai days, `to` included (the API's `to` is exclusive). */
function apiQuery(s, extra = {}) {
  const query = new URLSearchParams({ level: s.level });
  if (s.unit) query.set('unit', s.unit);
  if (s.month) query.set('month', s.month);
  if (s.week) query.set('week', s.week);
  if (s.from && s.to) {
    query.set('from', new Date(`${s.from}T00:00:00+08:00`).toISOString());
    query.set('to', new Date(Date.parse(`${s.to}T00:00:00+08:00`) + 86_400_000).toISOString());
  }
  for (const [key, value] of Object.entries(extra)) query.set(key, String(value));
  return query.toString();
}

const percent = (ratio) => (ratio === null || ratio === undefined ? t('value.none') : `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`);
const score = (value) => (value === null || value === undefined ? t('value.none') : value.toFixed(2));
const shanghaiDay = (iso) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);

/** The settings form: level, unit, and one period (a month, a week, or two dates). */
function settingsForm(s, card, units, me) {
  const kind = s.week ? 'week' : s.from ? 'range' : 'month';
  const field = (id, label, control) => el('label', { class: 'filter', id: `${id}-field` }, el('span', {}, label), control);
  const select = (id, options, value) => el('select', { id, name: id }, options.map(([v, text]) => el('option', { value: v, selected: v === value }, text)));
  const levelSelect = select('scorecard-level', ['workstation', 'squad'].map((l) => [l, t(`scorecard.level.${l}`)]), s.level);
  const unitSelect = select('scorecard-unit', [['', t('scorecard.form.allUnits', { unit: me.unit.name })],
    ...units.filter((u) => u.path !== me.unit.path).map((u) => [u.id, u.kind === 'squad' && me.unit.kind === 'city' ? `\u2003${u.name}` : u.name])], s.unit ?? '');
  const kindSelect = select('scorecard-period', ['month', 'week', 'range'].map((k) => [k, t(`scorecard.periodKind.${k}`)]), kind);
  const month = el('input', { id: 'scorecard-month', name: 'month', type: 'month', value: s.month ?? (card.period.kind === 'month' ? card.period.label : '') });
  const week = el('input', { id: 'scorecard-week', name: 'week', type: 'date', value: s.week ?? '' });
  const from = el('input', { id: 'scorecard-from', name: 'from', type: 'date', value: s.from ?? '' });
  const to = el('input', { id: 'scorecard-to', name: 'to', type: 'date', value: s.to ?? '' });
  const fields = {
    month: [field('scorecard-month', t('scorecard.form.month'), month)],
    week: [field('scorecard-week', t('scorecard.form.week'), week)],
    range: [field('scorecard-from', t('scorecard.form.from'), from), field('scorecard-to', t('scorecard.form.to'), to)],
  };
  // Only the chosen kind's inputs are shown (the `hidden` attribute: the CSP allows no inline style).
  const showKind = () => {
    for (const [k, list] of Object.entries(fields)) for (const f of list) f.hidden = k !== kindSelect.value;
  };
  kindSelect.addEventListener('change', showKind);
  showKind();
  const form = el('form', { class: 'filters scorecard-form', id: 'scorecard-form', 'aria-label': t('scorecard.form.label') },
    field('scorecard-level', t('scorecard.form.level'), levelSelect),
    field('scorecard-unit', t('scorecard.form.unit'), unitSelect),
    field('scorecard-period', t('scorecard.form.period'), kindSelect),
    ...fields.month, ...fields.week, ...fields.range,
    el('div', { class: 'filter-buttons' }, el('button', { type: 'submit', id: 'scorecard-apply' }, t('scorecard.form.apply'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = { level: levelSelect.value, unit: unitSelect.value || undefined };
    if (kindSelect.value === 'month' && month.value) next.month = month.value;
    if (kindSelect.value === 'week' && week.value) next.week = week.value;
    if (kindSelect.value === 'range' && from.value && to.value) Object.assign(next, { from: from.value, to: to.value });
    writeSettings(next);
  });
  return form;
}

/** The table's columns: what each shows, and the value it sorts by (numbers high first, names A–Z). */
function columns(level) {
  const text = (key) => ({ key, text: (r) => r[key], sort: (r) => r[key], numeric: false });
  const number = (key, show = (r) => String(r[key])) => ({ key, text: show, sort: (r) => r[key], numeric: true });
  return [
    number('rank', (r) => (r.rank === null ? t('value.none') : String(r.rank))),
    text('name'),
    ...(level === 'workstation' ? [{ ...text('squad'), text: (r) => r.squadName, sort: (r) => r.squadName }] : [number('workstations')]),
    { ...text('district'), text: (r) => r.districtName, sort: (r) => r.districtName },
    number('dutyCompliance', (r) => `${percent(r.dutyCompliance)}（${r.weeksMet}/${r.weeksJudged}）`),
    number('cases'),
    number('onTimeRate', (r) => percent(r.onTimeRate)),
    number('solvedOnSiteRate', (r) => percent(r.solvedOnSiteRate)),
    number('satisfaction', (r) => percent(r.satisfaction)),
    number('publicityReleased'),
    number('publicityCompliance', (r) => percent(r.publicityCompliance)),
    number('score', (r) => score(r.score)),
  ];
}

/** Rank ascending (unranked last) is the default order; any other column sorts on a click. */
function sortRows(rows, column, direction) {
  const value = (r) => (column.key === 'rank' && r.rank === null ? Infinity : column.sort(r));
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === y) return (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.id.localeCompare(b.id);
    if (x === null) return 1;
    if (y === null) return -1;
    return (typeof x === 'string' ? x.localeCompare(y, 'zh-CN') : x - y) * sign;
  });
}

function scoreTable(card) {
  const cols = columns(card.level);
  const note = (r) => (r.unranked ? t(`scorecard.unranked.${r.unranked}`, { n: card.formula.minimumCases }) : '');
  const head = el('tr', {});
  const body = el('tbody', {});
  let sorted = { key: 'rank', direction: 'ascending' };
  const draw = () => {
    const column = cols.find((c) => c.key === sorted.key);
    body.replaceChildren(...sortRows(card.rows, column, sorted.direction).map((r) =>
      el('tr', { 'data-id': r.id, class: r.rank === null ? 'unranked' : undefined },
        cols.map((c) => el(c.key === 'name' ? 'th' : 'td', { 'data-col': c.key, ...(c.key === 'name' ? { scope: 'row' } : {}), class: c.numeric ? 'num' : undefined }, c.text(r))),
        el('td', { 'data-col': 'note', class: 'note' }, note(r)))));
    head.replaceChildren(...cols.map((c) => {
      const label = t(`scorecard.column.${c.key}`);
      return el('th', { scope: 'col', 'data-col': c.key, 'aria-sort': c.key === sorted.key ? sorted.direction : 'none' },
        el('button', { type: 'button', class: 'sort', 'aria-label': t('scorecard.table.sortBy', { column: label }), onclick: () => {
          // A second click turns the order round; a new column starts with its natural order.
          const direction = c.key === sorted.key ? (sorted.direction === 'ascending' ? 'descending' : 'ascending') : c.numeric && c.key !== 'rank' ? 'descending' : 'ascending';
          sorted = { key: c.key, direction };
          draw();
        } }, label));
    }), el('th', { scope: 'col', 'data-col': 'note' }, t('scorecard.column.note')));
  };
  draw();
  if (card.rows.length === 0) return el('p', { class: 'empty', id: 'scorecard-table' }, t('scorecard.table.empty', { level: t(`scorecard.level.${card.level}`) }));
  return el('div', { class: 'scorecard-table-wrap' },
    el('table', { class: 'scorecard-table', id: 'scorecard-table' },
      el('caption', { class: 'visually-hidden' }, t('scorecard.table.caption', { level: t(`scorecard.level.${card.level}`) })),
      el('thead', {}, head), body));
}

const ranked = (card) => card.rows.filter((r) => r.rank !== null);

function bestList(card) {
  const best = ranked(card).slice(0, card.formula.best);
  if (best.length === 0) return el('p', { class: 'empty', id: 'best-list' }, t('scorecard.best.none'));
  const unit = (r) => (card.level === 'workstation' ? r.squadName : r.districtName);
  return el('ol', { class: 'best-list', id: 'best-list' },
    best.map((r) => el('li', { 'data-id': r.id }, t('scorecard.best.item', { name: r.name, unit: unit(r), score: score(r.score) }))));
}

/** The formula in words, from the weights and rules the API applied (policy/scorecard.json). */
function formula(card) {
  const f = card.formula;
  const weighed = MEASURES.filter((m) => f.weights[m] > 0);
  const terms = weighed.map((m) => t('scorecard.formula.term', { measure: t(`scorecard.measure.${m}`), weight: `${Math.round(f.weights[m] * 100)}%` })).join(t('scorecard.formula.plus'));
  const values = { visits: card.duty.weekly.minVisits, minutes: card.duty.weekly.minMinutes, items: card.duty.monthly.minReleased };
  return el('div', { class: 'scorecard-formula', id: 'scorecard-formula' },
    el('p', { class: 'formula' }, t('scorecard.formula.score', { terms })),
    el('ul', {},
      weighed.map((m) => el('li', { 'data-measure': m }, t(`scorecard.formula.${m}`, values))),
      el('li', {}, t('scorecard.formula.cases')),
      el('li', {}, t(`scorecard.formula.missing.${f.missing}`)),
      el('li', {}, t('scorecard.formula.minimum', { n: f.minimumCases })),
      el('li', {}, t('scorecard.formula.ties')),
      el('li', {}, t('scorecard.formula.best', { n: f.best }))));
}

/** The best scores as bars, best at the top. */
function topChart(container, card) {
  const top = ranked(card).slice(0, CHART_TOP);
  if (top.length === 0) {
    container.append(el('p', { class: 'empty' }, t('scorecard.chart.none')));
    return;
  }
  drawChart(container, {
    grid: { left: 8, right: 48, top: 8, bottom: 32, containLabel: true },
    xAxis: { type: 'value', name: t('scorecard.chart.axis'), nameLocation: 'middle', nameGap: 24, min: 0, max: 100 },
    // Long names are cut (the table and the list give them whole), so the bars keep room on a phone.
    yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name), axisLabel: { width: 140, overflow: 'truncate' } },
    series: [{
      name: t('scorecard.chart.series'), type: 'bar', data: top.map((r) => r.score), itemStyle: { color: '#2f6fb3' },
      // Two places, as the table and the list show a score.
      label: { show: true, position: 'right', formatter: (p) => score(p.value) },
    }],
    tooltip: { renderMode: 'richText', trigger: 'axis' },
  });
}

let latestRender = 0;

export async function renderScorecard(view, me) {
  const render = ++latestRender;
  disposeCharts();
  const s = readSettings();
  const [card, unitList] = await Promise.all([api('GET', `/v1/scorecard?${apiQuery(s)}`), api('GET', '/v1/units')]);
  // A later render (a new setting, a route change) has the page now.
  if (render !== latestRender) return;
  const chartHeight = Math.min(CHART_TOP, Math.max(ranked(card).length, 1));
  const chart = el('div', { class: `chart scorecard-chart scorecard-chart-${chartHeight > 10 ? 'tall' : 'short'}`, id: 'scorecard-chart', role: 'img', 'aria-label': t('scorecard.chart.title', { n: CHART_TOP }) });
  const summary = t('scorecard.summary', {
    period: card.period.label,
    from: shanghaiDay(card.period.from),
    to: shanghaiDay(new Date(Date.parse(card.period.to) - 1).toISOString()),
    weeks: card.period.weeksJudged,
    months: card.period.monthsJudged,
    ranked: ranked(card).length,
    total: card.rows.length,
  });
  replace(view,
    el('div', { class: 'scorecard-head' }, el('h1', {}, t('scorecard.title')), el('p', { class: 'intro' }, t('scorecard.intro'))),
    settingsForm(s, card, unitsBelow(unitList.units, me), me),
    el('p', { class: 'scorecard-summary', id: 'scorecard-summary' }, summary),
    el('div', { class: 'panels panels-even' },
      el('section', { class: 'panel', id: 'panel-scorecard-chart' }, el('h2', {}, t('scorecard.chart.title', { n: CHART_TOP })), chart),
      el('section', { class: 'panel', id: 'panel-best' }, el('h2', {}, t('scorecard.best.title', { n: card.formula.best })), bestList(card))),
    el('section', { class: 'panel', id: 'panel-scorecard-table' },
      el('div', { class: 'panel-head' }, el('h2', {}, t('scorecard.table.title')),
        el('a', { class: 'export', id: 'export-scorecard', href: `/v1/scorecard.csv?${apiQuery(s, { lang: currentLanguage() })}`, download: '' }, t('scorecard.export'))),
      scoreTable(card)),
    el('section', { class: 'panel', id: 'panel-scorecard-formula' }, el('h2', {}, t('scorecard.formula.title')), formula(card)));
  topChart(chart, card);
}
