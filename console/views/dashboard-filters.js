// The dashboard's filter: unit, category, channel and period, kept in the hash's query (#/?unit=…) so a
// reload or a shared link shows the same figures. Every panel asks the API with the same query.

import { el } from '../dom.js';
import { t, term } from '../i18n.js';

// The API's values (domain/case.ts); their names are in the catalogue.
const CATEGORIES = [
  'illegal_construction', 'load_bearing_damage', 'change_of_use', 'facade_damage', 'illegal_renting', 'green_space_damage',
  'property_management', 'night_construction_noise', 'cooking_fumes', 'street_vending', 'construction_waste',
  'outdoor_advertising', 'waste_sorting', 'other',
];
const CHANNELS = ['xinmin', 'qr', 'hotline', 'property', 'patrol', 'walkin', 'open311'];
const KEYS = ['unit', 'category', 'channel', 'from', 'to', 'around'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filter in the hash now: only known keys, dates only when they are dates. */
export function readFilter(hash = location.hash) {
  const query = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  const filter = {};
  for (const key of KEYS) {
    const value = query.get(key);
    if (!value) continue;
    if (['from', 'to', 'around'].includes(key) && !DATE.test(value)) continue;
    filter[key] = value;
  }
  return filter;
}

export function writeFilter(filter) {
  const query = new URLSearchParams();
  for (const key of KEYS) if (filter[key]) query.set(key, filter[key]);
  const text = query.toString();
  // The dashboard is home for a supervisor (#/) and a page of its own beside a workbench (#/dashboard).
  const base = location.hash.startsWith('#/dashboard') ? '#/dashboard' : '#/';
  location.hash = text ? `${base}?${text}` : base;
}

/** Today in Shanghai, YYYY-MM-DD. */
export function shanghaiToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** The API's query for the filter: dates are Shanghai days, `to` included (the API's `to` is exclusive). */
export function apiQuery(filter, extra = {}, { period = true } = {}) {
  const query = new URLSearchParams();
  for (const key of ['unit', 'category', 'channel']) if (filter[key]) query.set(key, filter[key]);
  if (period && filter.from) query.set('from', new Date(`${filter.from}T00:00:00+08:00`).toISOString());
  if (period && filter.to) query.set('to', new Date(Date.parse(`${filter.to}T00:00:00+08:00`) + 86_400_000).toISOString());
  for (const [key, value] of Object.entries(extra)) query.set(key, String(value));
  return query.toString();
}

/** The units the viewer may narrow to: its own and every unit below it, squads under their district. */
export function unitsBelow(units, me) {
  const mine = units.filter((u) => u.path === me.unit.path || u.path.startsWith(`${me.unit.path}/`));
  return mine.sort((a, b) => a.path.localeCompare(b.path));
}

function select(id, label, options, value) {
  return el('label', { class: 'filter' }, el('span', {}, label),
    el('select', { id, name: id },
      options.map(([v, text]) => el('option', { value: v, selected: v === (value ?? '') }, text))));
}

export function filterForm(filter, units, me) {
  const unitOptions = [['', t('dashboard.filter.allUnits', { unit: me.unit.name })],
    ...units.filter((u) => u.path !== me.unit.path).map((u) => [u.id, u.kind === 'squad' && me.unit.kind === 'city' ? `\u2003${u.name}` : u.name])];
  const dateInput = (id, label, value) =>
    el('label', { class: 'filter' }, el('span', {}, label), el('input', { id, name: id, type: 'date', value: value ?? '' }));
  const form = el('form', { class: 'filters', id: 'filters', 'aria-label': t('dashboard.filter.title') },
    select('filter-unit', t('dashboard.filter.unit'), unitOptions, filter.unit),
    select('filter-category', t('dashboard.filter.category'), [['', t('dashboard.filter.all')], ...CATEGORIES.map((c) => [c, term('category', c)])], filter.category),
    select('filter-channel', t('dashboard.filter.channel'), [['', t('dashboard.filter.all')], ...CHANNELS.map((c) => [c, t(`dashboard.channel.${c}`)])], filter.channel),
    dateInput('filter-from', t('dashboard.filter.from'), filter.from),
    dateInput('filter-to', t('dashboard.filter.to'), filter.to),
    el('div', { class: 'filter-buttons' },
      el('button', { type: 'submit', id: 'filter-apply' }, t('dashboard.filter.apply')),
      el('button', { type: 'button', class: 'link', id: 'filter-reset', onclick: () => writeFilter(filter.around ? { around: filter.around } : {}) }, t('dashboard.filter.reset'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = (id) => form.querySelector(`#${id}`).value || undefined;
    writeFilter({ unit: value('filter-unit'), category: value('filter-category'), channel: value('filter-channel'), from: value('filter-from'), to: value('filter-to'), around: filter.around });
  });
  return form;
}
