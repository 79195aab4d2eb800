// The dashboard's figures: the heat table (HTML), and the map and charts (ECharts, drawn on a canvas;
// tooltips as rich text, so no data is ever parsed as HTML). Every word comes from the catalogue.

import { el } from '../dom.js';
import { t, term } from '../i18n.js';

const BLUE = '#2f6fb3';
const RED = '#c0392b';
const GREEN = '#2e8b57';
/** The charts on the page: each with the observer that redraws it when its box changes size. */
const charts = new Set();

/** Drops the charts of the page shown before (their elements are gone). */
export function disposeCharts() {
  for (const entry of charts) {
    entry.observer.disconnect();
    entry.chart?.dispose();
  }
  charts.clear();
}

// A box with no width or height (not laid out yet, hidden, or leaving the page) has nothing to draw
// into: ECharts would build a map's projection on an empty rectangle and fail on it (seen under load in
// CI: "Cannot read properties of null (reading '0')" from the map's view transform).
const drawable = (container) => container.isConnected && container.clientWidth > 0 && container.clientHeight > 0;

/** Draws `option` into `container` once it has a size, and again at every change of its size (the scorecard's chart too). */
export function drawChart(container, option) {
  draw(container, option);
}

function draw(container, option) {
  if (!window.echarts) {
    container.append(el('p', { class: 'empty' }, t('dashboard.noCharts')));
    return;
  }
  // A page replaced while its data was on the way has nothing to draw into.
  if (!container.isConnected) return;
  const entry = { chart: undefined, observer: undefined };
  const render = () => {
    if (!drawable(container)) return;
    if (!entry.chart) {
      entry.chart = window.echarts.init(container, undefined, { renderer: 'canvas' });
      entry.chart.setOption({ animation: false, aria: { enabled: true }, tooltip: { renderMode: 'richText' }, ...option });
    } else if (!entry.chart.isDisposed()) {
      entry.chart.resize();
    }
  };
  entry.observer = new ResizeObserver(render);
  entry.observer.observe(container);
  charts.add(entry);
  render();
}

const percent = (ratio) => (ratio === null || ratio === undefined ? t('value.none') : `${(ratio * 100).toFixed(1)}%`);
const sumBy = (cells, key) => {
  const sums = new Map();
  for (const c of cells) {
    const k = c[key] ?? 'unknown';
    const s = sums.get(k) ?? { total: 0, overdue: 0 };
    s.total += c.total;
    s.overdue += c.overdue;
    sums.set(k, s);
  }
  return sums;
};

/** Cases (and overdue) by category, summed from the heat table's cells. */
export function categoryChart(container, matrix) {
  const groups = [...sumBy(matrix.cells, 'col')].filter(([, s]) => s.total > 0).sort((a, b) => b[1].total - a[1].total);
  if (groups.length === 0) {
    container.append(el('p', { class: 'empty' }, t('dashboard.noCases')));
    return;
  }
  draw(container, {
    grid: { left: 8, right: 16, top: 8, bottom: 36, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: groups.map(([k]) => term('category', k)) },
    series: [
      { name: t('dashboard.total'), type: 'bar', data: groups.map(([, s]) => s.total), itemStyle: { color: BLUE } },
      { name: t('dashboard.overdue'), type: 'bar', data: groups.map(([, s]) => s.overdue), itemStyle: { color: RED } },
    ],
    legend: { bottom: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
  });
}

/** Units × categories, each cell shaded by its count in five steps (CSS classes: the CSP allows no inline style). */
export function heatTable(matrix, unitName) {
  const categories = [...sumBy(matrix.cells, 'col')].filter(([, s]) => s.total > 0).sort((a, b) => b[1].total - a[1].total).map(([k]) => k);
  const rows = [...sumBy(matrix.cells, 'row')].sort((a, b) => b[1].total - a[1].total).map(([k]) => k);
  if (rows.length === 0) return el('p', { class: 'empty', id: 'heat-table' }, t('dashboard.noCases'));
  const count = new Map(matrix.cells.map((c) => [`${c.row ?? 'unknown'}|${c.col ?? 'unknown'}`, c.total]));
  const max = Math.max(...count.values(), 1);
  const shade = (n) => (n === 0 ? 0 : Math.min(5, Math.ceil((n / max) * 5)));
  const rowName = (k) => (k === 'unknown' ? t('dashboard.unassigned') : unitName(k));
  const totals = sumBy(matrix.cells, 'row');
  return el('div', { class: 'heat-wrap' },
    el('table', { class: 'heat', id: 'heat-table' },
      el('caption', { class: 'visually-hidden' }, t('dashboard.heat.caption', { rows: t(`dashboard.heat.rows.${matrix.rows}`) })),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, t(`dashboard.heat.rows.${matrix.rows}`)),
        categories.map((c) => el('th', { scope: 'col', 'data-col': c }, term('category', c))),
        el('th', { scope: 'col', class: 'heat-total' }, t('dashboard.total')))),
      el('tbody', {}, rows.map((r) => el('tr', { 'data-row': r },
        el('th', { scope: 'row' }, rowName(r)),
        categories.map((c) => {
          const n = count.get(`${r}|${c}`) ?? 0;
          return el('td', { class: `heat-${shade(n)}`, 'data-col': c, title: `${rowName(r)} · ${term('category', c)}: ${n}` }, String(n));
        }),
        el('td', { class: 'heat-total' }, String(totals.get(r).total)))))));
}

let shanghai;
async function shanghaiMap() {
  shanghai ??= fetch('vendor/shanghai.geojson').then((r) => r.json()).then((geojson) => {
    window.echarts.registerMap('shanghai', geojson);
    return true;
  });
  return shanghai;
}

/** Shanghai's districts shaded by their complaints; district names are the map's feature names. */
export async function districtMap(container, matrix, unitName) {
  if (!window.echarts) {
    draw(container, {});
    return;
  }
  await shanghaiMap();
  const data = [...sumBy(matrix.cells, 'row')].filter(([k]) => k !== 'unknown').map(([k, s]) => ({ name: unitName(k), value: s.total }));
  const max = Math.max(1, ...data.map((d) => d.value));
  draw(container, {
    visualMap: { min: 0, max, left: 8, bottom: 8, calculable: true, text: [t('dashboard.map.more'), t('dashboard.map.fewer')], inRange: { color: ['#e8f0f9', '#7fa9d6', '#1f4e85'] } },
    series: [{
      name: t('dashboard.map.series'),
      type: 'map',
      map: 'shanghai',
      roam: false,
      label: { show: true, fontSize: 10 },
      emphasis: { label: { show: true } },
      itemStyle: { areaColor: '#f5f7fa', borderColor: '#9aa5b1' },
      data,
    }],
  });
}

/** Cases per week (Shanghai weeks, named by their Monday). */
export function weeklyChart(container, matrix) {
  const weeks = [...sumBy(matrix.cells, 'col')].filter(([k]) => k !== 'unknown').sort(([a], [b]) => a.localeCompare(b));
  draw(container, {
    grid: { left: 8, right: 16, top: 32, bottom: 36, containLabel: true },
    xAxis: { type: 'category', name: t('dashboard.axis.week'), nameLocation: 'middle', nameGap: 26, data: weeks.map(([k]) => k) },
    yAxis: { type: 'value', name: t('dashboard.axis.cases'), minInterval: 1 },
    series: [
      { name: t('dashboard.total'), type: 'line', data: weeks.map(([, s]) => s.total), itemStyle: { color: BLUE } },
      { name: t('dashboard.overdue'), type: 'line', data: weeks.map(([, s]) => s.overdue), itemStyle: { color: RED } },
    ],
    legend: { top: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
  });
}

/** Median and 90th-percentile hours spent in each state. */
export function stageChart(container, overview) {
  const stages = overview.stages.filter((s) => s.stays > 0);
  // No stay has ended yet (every case still in its first state): nothing to measure.
  if (stages.length === 0) {
    container.append(el('p', { class: 'empty' }, t('dashboard.stage.none')));
    return;
  }
  // Hours, unless every stage is quicker than that (a demo walked in seconds): then minutes or seconds.
  const longest = Math.max(...stages.map((s) => s.p90Hours));
  const [unit, per] = longest >= 1 ? ['hours', 1] : longest >= 1 / 60 ? ['minutes', 60] : ['seconds', 3600];
  const inUnit = (hours) => Math.round(hours * per * 100) / 100;
  draw(container, {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', name: t(`dashboard.axis.${unit}`) },
    yAxis: { type: 'category', inverse: true, data: stages.map((s) => term('state', s.state)) },
    series: [
      { name: t('dashboard.stage.median'), type: 'bar', data: stages.map((s) => inUnit(s.medianHours)), itemStyle: { color: BLUE } },
      { name: t('dashboard.stage.p90'), type: 'bar', data: stages.map((s) => inUnit(s.p90Hours)), itemStyle: { color: '#e08e0b' } },
    ],
    legend: { top: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
  });
}

/** Satisfaction (satisfied or basically, of the rated) by district or squad. */
export function satisfactionChart(container, satisfaction, unitName) {
  const groups = satisfaction.groups.filter((g) => g.key !== null);
  draw(container, {
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', name: t('dashboard.axis.percent'), min: 0, max: 100 },
    yAxis: { type: 'category', inverse: true, data: groups.map((g) => unitName(g.key)) },
    series: [
      { name: t('dashboard.satisfaction.rate'), type: 'bar', data: groups.map((g) => (g.satisfaction === null ? null : Math.round(g.satisfaction * 1000) / 10)), itemStyle: { color: GREEN } },
      { name: t('dashboard.satisfaction.rated'), type: 'bar', data: groups.map((g) => (g.ratedShare === null ? null : Math.round(g.ratedShare * 1000) / 10)), itemStyle: { color: '#9aa5b1' } },
    ],
    legend: { top: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
  });
}

/** Weeks before and from the chosen date: counts and satisfaction, and what changed. */
export function trendPanel(container, summary, trend) {
  const change = trend.change.total === null ? t('value.none') : `${trend.change.total > 0 ? '+' : ''}${(trend.change.total * 100).toFixed(1)}%`;
  const satChange = trend.change.satisfaction === null ? t('value.none') : `${trend.change.satisfaction > 0 ? '+' : ''}${(trend.change.satisfaction * 100).toFixed(1)}`;
  summary.append(el('table', { class: 'list trend-summary', id: 'trend-summary' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }), ['before', 'after', 'change'].map((h) => el('th', { scope: 'col' }, t(`dashboard.trend.${h}`))))),
    el('tbody', {},
      el('tr', { 'data-measure': 'total' }, el('th', { scope: 'row' }, t('dashboard.trend.total')),
        el('td', {}, String(trend.before.total)), el('td', {}, String(trend.after.total)), el('td', {}, change)),
      el('tr', { 'data-measure': 'satisfaction' }, el('th', { scope: 'row' }, t('dashboard.satisfaction.rate')),
        el('td', {}, percent(trend.before.satisfaction)), el('td', {}, percent(trend.after.satisfaction)), el('td', {}, trend.change.satisfaction === null ? satChange : t('dashboard.trend.points', { n: satChange }))))));
  const series = trend.series;
  const zero = series.findIndex((w) => w.offset === 0);
  draw(container, {
    grid: { left: 8, right: 8, top: 52, bottom: 36, containLabel: true },
    xAxis: { type: 'category', name: t('dashboard.axis.week'), nameLocation: 'middle', nameGap: 26, data: series.map((w) => w.week) },
    yAxis: [
      { type: 'value', name: t('dashboard.axis.cases'), minInterval: 1 },
      { type: 'value', name: t('dashboard.axis.percent'), min: 0, max: 100 },
    ],
    series: [
      { name: t('dashboard.trend.total'), type: 'bar', data: series.map((w) => w.total), itemStyle: { color: BLUE },
        markLine: zero < 0 ? undefined : { symbol: 'none', label: { formatter: t('dashboard.trend.start') }, lineStyle: { color: RED }, data: [{ xAxis: zero }] } },
      { name: t('dashboard.satisfaction.rate'), type: 'line', yAxisIndex: 1, connectNulls: true, data: series.map((w) => (w.satisfaction === null ? null : Math.round(w.satisfaction * 1000) / 10)), itemStyle: { color: GREEN } },
    ],
    legend: { top: 0 },
    tooltip: { renderMode: 'richText', trigger: 'axis' },
  });
}

/** The headline figures of the overview. */
export function keyFigures(overview) {
  const figure = (id, value) => el('div', { class: 'figure', 'data-figure': id }, el('span', { class: 'figure-value' }, value), el('span', { class: 'figure-label' }, t(`dashboard.figure.${id}`)));
  return el('div', { class: 'figures', id: 'figures' },
    figure('total', String(overview.total)),
    figure('open', String(overview.open)),
    figure('overdue', String(overview.overdue)),
    figure('overdueRate', percent(overview.overdueRate)),
    figure('solvedOnSite', percent(overview.shares.solvedOnSite)),
    figure('escalated', percent(overview.shares.escalated)));
}
