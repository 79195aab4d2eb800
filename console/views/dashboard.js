// 总览: the overdue cases of the viewer's unit, most late first, and the cases by category.

import { api } from '../api.js';
import { el, replace } from '../dom.js';
import { duration, t, term } from '../i18n.js';

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

function categoryChart(container, stats) {
  const groups = stats.groups.filter((g) => g.total > 0);
  if (!window.echarts || groups.length === 0) {
    container.append(el('p', { class: 'empty' }, t('dashboard.noCases')));
    return;
  }
  const chart = window.echarts.init(container, undefined, { renderer: 'canvas' });
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 16, top: 8, bottom: 36, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: groups.map((g) => term('category', g.key ?? 'unknown')) },
    series: [
      { name: t('dashboard.total'), type: 'bar', data: groups.map((g) => g.total), itemStyle: { color: '#2f6fb3' } },
      { name: t('dashboard.overdue'), type: 'bar', data: groups.map((g) => g.overdue), itemStyle: { color: '#c0392b' } },
    ],
    legend: { bottom: 0 },
  });
  new ResizeObserver(() => chart.resize()).observe(container);
}

export async function renderDashboard(view, me) {
  const [list, stats] = await Promise.all([
    api('GET', '/v1/cases?overdue=true&limit=100'),
    me.may['stats.read'] ? api('GET', '/v1/stats?by=category') : undefined,
  ]);
  const chart = el('div', { class: 'chart', id: 'category-chart', role: 'img', 'aria-label': t('dashboard.byCategory') });
  replace(view,
    el('h1', {}, t('nav.dashboard')),
    el('div', { class: 'panels' },
      el('section', { class: 'panel' }, el('h2', {}, t('dashboard.overdueTitle')), overdueTable(list.cases, Date.now())),
      stats ? el('section', { class: 'panel' }, el('h2', {}, t('dashboard.byCategory')), chart) : undefined));
  if (stats) categoryChart(chart, stats);
}
