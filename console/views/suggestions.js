// 人民建议, the suggestions: listed apart from complaints for the desk and the supervisors who acknowledge and
// answer them. The list (#/suggestions) shows those still open by default, the overdue ones first (the
// API's order: the earliest deadline leads), each with the time left or how late; the chips pick a state.
// A suggestion (#/suggestions/<id>) shows what was suggested, by whom (masked where the API masks it), its
// deadline and short timeline, and the form of the one action it takes now that the viewer may take:
// acknowledge (受理, with an optional note for the citizen), then answer (答复). Each goes to its action
// endpoint; a refusal says where the suggestion stands now.

import { ApiError, api } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, duration, t, term } from '../i18n.js';

const PAGE_SIZE = 100;
/** The chips of the list: the open ones (the default), each state, everything. */
const FILTERS = {
  open: 'received,acknowledged',
  received: 'received',
  acknowledged: 'acknowledged',
  answered: 'answered',
  all: '',
};

/** The organisation changes rarely: read once per page load, for the units' names. */
let unitsOnce;
const unitNames = () => (unitsOnce ??= api('GET', '/v1/units')
  .then((r) => new Map(r.units.map((u) => [u.id, u.name])))
  .catch((err) => { unitsOnce = undefined; throw err; }));

/** "剩余 3 小时" or "超期 2 小时", against the step's deadline; a lapsed or answered one says so. */
function timeLeft(s, now) {
  if (s.lapsedAt) return { text: t('suggestions.lapsed'), late: true };
  if (!s.deadlineAt) return { text: t('suggestions.noDeadline'), late: false };
  const ms = Date.parse(s.deadlineAt) - now;
  return ms >= 0 ? { text: t('suggestions.timeLeft', { span: duration(ms) }), late: false } : { text: t('suggestions.lateBy', { span: duration(-ms) }), late: true };
}

/** The API's refusal in words: a 409 says where the suggestion stands and what it takes there. */
function refusal(err) {
  if (!(err instanceof ApiError)) return err instanceof Error && err.message ? err.message : t('error.unexpected');
  const body = err.body ?? {};
  if (err.status === 409 && body.state) {
    const allowed = (body.allowed ?? []).map((a) => t(`suggestions.action.${a}`)).join(t('suggestions.listSeparator')) || t('value.none');
    return t('suggestions.conflict', { error: err.message, state: t(`suggestions.state.${body.state}`), allowed });
  }
  if (Array.isArray(body.issues) && body.issues.length) return `${err.message} (${body.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`;
  return err.message;
}

const stateBadge = (s) => el('span', { class: `suggestion-state suggestion-state-${s.state}`, 'data-state': s.state }, t(`suggestions.state.${s.state}`));

export async function renderSuggestions(view) {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const filter = Object.hasOwn(FILTERS, params.get('state') ?? '') ? params.get('state') : 'open';
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (FILTERS[filter]) query.set('state', FILTERS[filter]);
  const [page, names] = await Promise.all([api('GET', `/v1/suggestions?${query}`), unitNames()]);
  const now = Date.now();
  const chips = el('div', { class: 'suggestion-filters', role: 'group', 'aria-label': t('suggestions.filterLabel') },
    Object.keys(FILTERS).map((name) => el('a', {
      href: `#/suggestions?state=${name}`,
      class: 'suggestion-chip',
      id: `suggestions-filter-${name}`,
      'aria-current': name === filter ? 'true' : undefined,
    }, t(`suggestions.filter.${name}`))));
  const rows = page.suggestions.map((s) => {
    const left = timeLeft(s, now);
    return el('tr', { 'data-suggestion': s.id, class: s.overdue ? 'overdue' : undefined },
      el('td', {}, el('a', { href: `#/suggestions/${encodeURIComponent(s.id)}`, class: 'suggestion-title' }, s.title)),
      el('td', {}, stateBadge(s)),
      el('td', {}, el('span', { class: left.late ? 'late' : undefined }, left.text)),
      el('td', {}, names.get(s.unitId) ?? s.unitId),
      el('td', {}, t(`suggestions.channel.${s.channel}`)),
      el('td', {}, dateTime(s.createdAt)));
  });
  replace(view,
    el('div', { class: 'suggestions-head' },
      el('h1', {}, t('suggestions.title')),
      el('p', { class: 'hint' }, t('suggestions.intro'))),
    chips,
    el('section', { class: 'panel' },
      rows.length
        ? el('div', { class: 'suggestions-table' }, el('table', { class: 'list', id: 'suggestions-list' },
          el('thead', {}, el('tr', {}, ['title', 'state', 'deadline', 'unit', 'channel', 'filed'].map((c) => el('th', { scope: 'col' }, t(`suggestions.column.${c}`))))),
          el('tbody', {}, rows)))
        : el('p', { class: 'empty', id: 'suggestions-empty' }, t(`suggestions.empty.${filter}`)),
      page.next ? el('p', { class: 'hint', id: 'suggestions-more' }, t('suggestions.more', { n: rows.length })) : []));
}

/** What was suggested, where, by whom, and where it stands. */
function facts(s, names, now) {
  const row = (label, value, id) => (value === undefined || value === null || value === '' ? [] : [el('dt', {}, t(label)), el('dd', { id }, value)]);
  const left = timeLeft(s, now);
  const who = s.citizen ? [s.citizen.name, s.citizen.phone].filter(Boolean).join(' ') : '';
  return el('dl', { class: 'facts', id: 'suggestion-facts' },
    row('suggestions.fact.state', stateBadge(s)),
    row('suggestions.fact.deadline', s.stage || s.lapsedAt
      ? el('span', { class: left.late ? 'late' : undefined, id: 'suggestion-left' }, s.stage ? `${t(`suggestions.stage.${s.stage}`)} · ${left.text}` : left.text)
      : undefined),
    row('suggestions.fact.unit', names.get(s.unitId) ?? s.unitId),
    row('suggestions.fact.channel', t(`suggestions.channel.${s.channel}`)),
    row('suggestions.fact.filed', dateTime(s.createdAt)),
    row('suggestions.fact.address', s.location?.address),
    row('suggestions.fact.citizen', who, 'suggestion-citizen'),
    row('suggestions.fact.tracking', s.trackingCode),
    row('suggestions.fact.acknowledgement', s.acknowledgement, 'suggestion-acknowledgement'),
    row('suggestions.fact.answer', s.answer, 'suggestion-answer'));
}

function timeline(s) {
  return el('ol', { class: 'timeline', id: 'suggestion-timeline' }, s.timeline.map((e) => el('li', { 'data-event': e.type },
    el('span', { class: 'event' }, t(`suggestions.event.${e.type}`)),
    el('time', { datetime: e.at }, dateTime(e.at)),
    el('span', { class: 'actor' }, term('role', e.actor.role)))));
}

let fieldSeq = 0;
function field(label, control, hint) {
  control.id ||= `suggestion-f${++fieldSeq}`;
  return el('div', { class: 'field' }, el('label', { for: control.id }, label), control, hint ? el('p', { class: 'hint' }, hint) : []);
}

/** The form of the action the suggestion takes now: the note of an acknowledgement, or the answer. */
function actionForm(s, type, onDone) {
  const text = type === 'acknowledge'
    ? el('textarea', { id: 'suggestion-note', rows: 3, maxlength: 2000 })
    : el('textarea', { id: 'suggestion-answer-text', rows: 6, maxlength: 5000, required: true });
  const error = el('p', { class: 'error', role: 'alert', id: `suggestion-error-${type}` });
  const button = el('button', { type: 'submit' }, t(`suggestions.submit.${type}`));
  const form = el('form', { class: 'action-form suggestion-form', id: `suggestion-form-${type}`, 'data-action': type },
    el('h2', {}, t(`suggestions.action.${type}`)),
    field(t(`suggestions.form.${type}`), text, t(`suggestions.form.${type}Hint`)),
    el('div', { class: 'row' }, button),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const value = text.value.trim();
    if (type === 'answer' && !value) {
      error.textContent = t('suggestions.form.answerNeeded');
      return;
    }
    const body = type === 'answer' ? { type, answer: value } : { type, ...(value ? { note: value } : {}) };
    button.disabled = true;
    try {
      const after = await api('POST', `/v1/suggestions/${encodeURIComponent(s.id)}/actions`, body);
      await onDone(after, t('suggestions.done', { action: t(`suggestions.action.${type}`), state: t(`suggestions.state.${after.state}`) }));
    } catch (err) {
      error.textContent = refusal(err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

export async function renderSuggestion(view, me, id) {
  const [first, names] = await Promise.all([api('GET', `/v1/suggestions/${encodeURIComponent(id)}`), unitNames()]);
  const draw = (s, status) => {
    const forms = s.allowedActions.filter(() => me.may['suggestion.handle']).map((type) => actionForm(s, type, async (after, done) => {
      if (view.isConnected) draw(after, done);
    }));
    replace(view,
      el('a', { href: '#/suggestions', id: 'suggestion-back' }, t('suggestions.back')),
      el('h1', { id: 'suggestion-title' }, s.title),
      status ? el('p', { class: 'suggestion-status', id: 'suggestion-status', role: 'status' }, status) : [],
      el('div', { class: 'suggestion-page' },
        el('section', { class: 'panel' },
          el('div', { class: 'suggestion-text', id: 'suggestion-text' }, s.text),
          facts(s, names, Date.now())),
        el('section', { class: 'panel' },
          forms.length ? forms : el('p', { class: 'empty', id: 'suggestion-no-actions' }, t(s.lapsedAt ? 'suggestions.lapsedNoActions' : 'suggestions.noActions')),
          el('h2', {}, t('suggestions.timeline')),
          timeline(s))));
  };
  draw(first);
}
