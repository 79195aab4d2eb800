// A case: where it stands, its deadline, its timeline, and the actions its state allows that the
// viewer's role may take (allowedActions from the API, the role's operations from /v1/me).

import { ApiError, api } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, duration, t, term } from '../i18n.js';

function facts(c) {
  const row = (label, value) => [el('dt', {}, t(label)), el('dd', {}, value)];
  return el('dl', { class: 'facts' },
    row('case.state', term('state', c.state)),
    row('case.stage', term('stage', c.stage)),
    row('case.deadline', c.deadlineAt ? dateTime(c.deadlineAt) : t('value.none')),
    c.overdue ? row('case.overdueBy', duration(Date.now() - Date.parse(c.deadlineAt))) : [],
    row('case.category', term('category', c.category)),
    row('case.level', term('level', c.escalationLevel)),
    row('case.tracking', c.trackingCode),
    row('case.filed', dateTime(c.createdAt)));
}

function timeline(events) {
  return el('ol', { class: 'timeline', id: 'timeline' }, events.map((e) =>
    el('li', {},
      el('time', { datetime: e.at }, dateTime(e.at)),
      el('span', { class: 'event' }, term('action', e.type)),
      el('span', { class: 'transition' }, e.from ? `${term('state', e.from)} → ${term('state', e.to)}` : term('state', e.to)),
      el('span', { class: 'actor' }, term('role', e.actor.role)))));
}

/** A placeholder form for one action: its further fields as JSON, until each action has its own form. */
function actionForm(c, type, done) {
  const fields = el('textarea', { id: `fields-${type}`, rows: 3, spellcheck: 'false' }, '{}');
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'action-form' },
    el('label', { for: `fields-${type}` }, t('case.actionFields', { action: term('action', type) })),
    fields,
    el('div', { class: 'row' }, el('button', { type: 'submit' }, t('case.submit')), el('button', { type: 'button', class: 'link', onclick: () => form.remove() }, t('case.cancel'))),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    let extra;
    try {
      extra = JSON.parse(fields.value || '{}');
    } catch {
      error.textContent = t('case.badFields');
      return;
    }
    try {
      await api('POST', `/v1/cases/${encodeURIComponent(c.id)}/actions`, { ...extra, type });
      await done();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : t('error.unexpected');
    }
  });
  return form;
}

export async function renderCase(view, me, id) {
  const [c, { events }] = await Promise.all([api('GET', `/v1/cases/${encodeURIComponent(id)}`), api('GET', `/v1/cases/${encodeURIComponent(id)}/events`)]);
  const actions = c.allowedActions.filter((type) => me.may[type]);
  const forms = el('div', { class: 'forms' });
  const reload = () => renderCase(view, me, id);
  replace(view,
    el('p', {}, el('a', { href: '#/' }, t('case.back'))),
    el('h1', { id: 'case-title' }, c.title),
    el('div', { class: 'panels' },
      el('section', { class: 'panel' }, el('h2', {}, t('case.where')), facts(c)),
      el('section', { class: 'panel' },
        el('h2', {}, t('case.actions')),
        actions.length
          ? el('div', { class: 'actions', id: 'actions' }, actions.map((type) =>
            el('button', { type: 'button', 'data-action': type, onclick: () => replace(forms, actionForm(c, type, reload)) }, term('action', type))))
          : el('p', { class: 'empty' }, t('case.noActions')),
        forms)),
    el('section', { class: 'panel' }, el('h2', {}, t('case.timeline')), timeline(events)));
}
