// 总览: the viewer's unit at a glance. One filter (unit, category, channel, period; in the hash's query)
// narrows every panel: the overdue cases most late first, the headline figures, the heat table of units ×
// categories, the map of the districts, the weekly trend, the time in each stage, satisfaction by unit,
// and the weeks before and after a chosen date.

import { api } from '../api.js';
import { el, replace } from '../dom.js';
import { currentLanguage, duration, t, term } from '../i18n.js';
import {
  categoryChart, disposeCharts, districtMap, heatTable, keyFigures, satisfactionChart, stageChart, trendPanel, weeklyChart,
} from './dashboard-charts.js';
import { apiQuery, filterForm, readFilter, shanghaiToday, unitsBelow, writeFilter } from './dashboard-filters.js';
import { dutyShortfallsPanel } from './duties.js';

function overdueTable(cases, now) {
  if (cases.length === 0) return el('p', { class: 'empty' }, t('dashboard.noOverdue'));
  const late = (c) => now - Date.parse(c.deadlineAt);
  const rows = [...cases].sort((a, b) => late(b) - late(a)).map((c) =>
    el('tr', { 'data-case': c.id },
      el('td', {}, el('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, c.title)),
      el('td', { class: 'late' }, t('dashboard.lateBy', { span: duration(late(c)) })),
      el('td', {}, term('stage', c.stage)),
      el('td', {}, term('state', c.state))));
  return el('table', { class: 'list', id: 'overdue' },
    el('thead', {}, el('tr', {}, ['case', 'late', 'stage', 'state'].map((h) => el('th', { scope: 'col' }, t(`dashboard.column.${h}`))))),
    el('tbody', {}, rows));
}

// Live (console/live.js): any case event refetches the overdue list shown, once a burst has settled.
let liveRefresh;
window.addEventListener('bangnong:case-event', () => {
  clearTimeout(liveRefresh);
  liveRefresh = setTimeout(async () => {
    if (!document.getElementById('panel-overdue')) return;
    const list = await api('GET', `/v1/cases?${apiQuery(readFilter(), { overdue: true, limit: 100 })}`).catch(() => undefined);
    if (list) document.getElementById('panel-overdue')?.lastElementChild?.replaceWith(overdueTable(list.cases, Date.now()));
  }, 500);
});

const panel = (id, title, ...children) => el('section', { class: 'panel', id: `panel-${id}` }, el('h2', {}, title), ...children);
/** A panel whose figures download as CSV: the export route of its view, with the same query (api/exports.ts). */
const exportPanel = (id, title, url, ...children) =>
  el('section', { class: 'panel', id: `panel-${id}` },
    el('div', { class: 'panel-head' }, el('h2', {}, title),
      el('a', { class: 'export', id: `export-${id}`, href: `${url}&lang=${currentLanguage()}`, download: '' }, t('export.csv'))),
    ...children);
const chartBox = (id, label) => el('div', { class: 'chart', id, role: 'img', 'aria-label': label });

// Each render is numbered: one that a later render (a filter, a route change) has overtaken stops at its
// next step, so it never draws charts into a page that has since been replaced.
let latestRender = 0;

export async function renderDashboard(view, me) {
  const render = ++latestRender;
  const overtaken = () => render !== latestRender;
  disposeCharts();
  const filter = readFilter();
  const mayStats = Boolean(me.may['stats.read']);
  const [list, unitList] = await Promise.all([
    api('GET', `/v1/cases?${apiQuery(filter, { overdue: true, limit: 100 })}`),
    mayStats ? api('GET', '/v1/units') : undefined,
  ]);
  if (overtaken()) return;
  const overduePanel = exportPanel('overdue', t('dashboard.overdueTitle'), `/v1/cases.csv?${apiQuery(filter, { overdue: true })}`, overdueTable(list.cases, Date.now()));
  if (!mayStats) {
    replace(view, el('h1', {}, t('nav.dashboard')), el('div', { class: 'panels' }, overduePanel));
    return;
  }

  const units = unitsBelow(unitList.units, me);
  const byId = new Map(unitList.units.map((u) => [u.id, u]));
  const unitName = (id) => byId.get(id)?.name ?? id;
  const scope = (filter.unit && byId.get(filter.unit)) || me.unit;
  // A city sees its districts, a district its squads.
  const rows = scope.kind === 'city' ? 'district' : 'squad';
  const around = filter.around ?? shanghaiToday();
  const [overview, heat, districts, weekly, satisfaction, trend] = await Promise.all([
    api('GET', `/v1/stats/overview?${apiQuery(filter)}`),
    api('GET', `/v1/stats/matrix?${apiQuery(filter, { rows, cols: 'category' })}`),
    rows === 'district' ? undefined : api('GET', `/v1/stats/matrix?${apiQuery(filter, { rows: 'district', cols: 'category' })}`),
    api('GET', `/v1/stats/matrix?${apiQuery(filter, { rows: 'district', cols: 'week' })}`),
    api('GET', `/v1/stats/satisfaction?${apiQuery(filter, { by: rows })}`),
    api('GET', `/v1/stats/trend?${apiQuery(filter, { around, weeks: 8 }, { period: false })}`),
  ]);
  if (overtaken()) return;

  const charts = {
    category: chartBox('category-chart', t('dashboard.byCategory')),
    map: chartBox('district-map', t('dashboard.map.title')),
    weekly: chartBox('weekly-chart', t('dashboard.weekly.title')),
    stage: chartBox('stage-chart', t('dashboard.stage.title')),
    satisfaction: chartBox('satisfaction-chart', t('dashboard.satisfaction.title')),
    trend: chartBox('trend-chart', t('dashboard.trend.title')),
  };
  const aroundInput = el('input', { id: 'trend-around', name: 'around', type: 'date', value: around, required: true });
  const aroundForm = el('form', { class: 'trend-form', id: 'trend-form' },
    el('label', { for: 'trend-around' }, t('dashboard.trend.around')), aroundInput,
    el('button', { type: 'submit' }, t('dashboard.trend.show')));
  aroundForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (aroundInput.value) writeFilter({ ...filter, around: aroundInput.value });
  });
  const trendSummary = el('div', { class: 'trend-numbers' });

  replace(view,
    el('h1', {}, t('nav.dashboard')),
    filterForm(filter, units, me),
    el('div', { class: 'figures-head' }, el('a', { class: 'export', id: 'export-overview', href: `/v1/stats/overview.csv?${apiQuery(filter, { lang: currentLanguage() })}`, download: '' }, t('export.csv'))),
    keyFigures(overview),
    el('div', { class: 'panels' },
      overduePanel,
      panel('category', t('dashboard.byCategory'), charts.category)),
    el('div', { class: 'panels panels-even' },
      exportPanel('heat', t('dashboard.heat.title', { rows: t(`dashboard.heat.rows.${rows}`) }), `/v1/stats/matrix.csv?${apiQuery(filter, { rows, cols: 'category' })}`, heatTable(heat, unitName)),
      panel('map', t('dashboard.map.title'), charts.map)),
    el('div', { class: 'panels panels-even' },
      exportPanel('weekly', t('dashboard.weekly.title'), `/v1/stats/matrix.csv?${apiQuery(filter, { rows: 'district', cols: 'week' })}`, charts.weekly),
      panel('stage', t('dashboard.stage.title'), charts.stage)),
    el('div', { class: 'panels panels-even' },
      exportPanel('satisfaction', t('dashboard.satisfaction.title', { rows: t(`dashboard.heat.rows.${rows}`) }), `/v1/stats/satisfaction.csv?${apiQuery(filter, { by: rows })}`, charts.satisfaction),
      exportPanel('trend', t('dashboard.trend.title'), `/v1/stats/trend.csv?${apiQuery(filter, { around, weeks: 8 }, { period: false })}`, aroundForm, trendSummary, charts.trend)),
    // Workstation duties: what the duty schedules found short in the unit since last month (console/views/duties.js).
    dutyShortfallsPanel(filter, me));

  categoryChart(charts.category, heat);
  weeklyChart(charts.weekly, weekly);
  stageChart(charts.stage, overview);
  satisfactionChart(charts.satisfaction, satisfaction, unitName);
  trendPanel(charts.trend, trendSummary, trend);
  if (overtaken()) return;
  await districtMap(charts.map, districts ?? heat, unitName);
}
