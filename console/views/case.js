// A case: where it stands, its deadlines, its evidence, its media item, its timeline, and the actions its
// state allows that the viewer's role may take (allowedActions from the API ∩ the role's operations from
// /v1/me). Each action posts to the one action endpoint; the API's answer is shown as it is. A live case
// event for this case (console/live.js) refetches it, and an open form survives the refresh.

import { ApiError, api } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, duration, t, term } from '../i18n.js';

/** Refetches after a burst of live events settles, not once per event. */
const LIVE_DEBOUNCE_MS = 300;
/** The previous page's live listener, dropped when another case (or this one again) is rendered. */
let leave;
/** The organisation changes rarely: read it once per page load. */
let unitsOnce;
const unitsList = () => (unitsOnce ??= api('GET', '/v1/units').then((r) => r.units).catch((err) => { unitsOnce = undefined; throw err; }));

const below = (units, me) => units.filter((u) => u.path === me.unit.path || u.path.startsWith(`${me.unit.path}/`));

/** A link a person may open: http(s) only; anything else is shown as text. */
function safeLink(url, text) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return text;
  return el('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer' }, text);
}

function facts(c, unitName) {
  const row = (label, value, id) => [el('dt', {}, t(label)), el('dd', { id }, value)];
  return el('dl', { class: 'facts' },
    row('case.state', term('state', c.state), 'case-state'),
    c.outcome ? row('case.outcome', term('case.outcomes', c.outcome)) : [],
    row('case.level', term('level', c.escalationLevel)),
    row('case.unit', unitName(c.assignedUnitId), 'case-unit'),
    row('case.officer', c.assignedOfficerId ?? t('value.none')),
    row('case.category', term('category', c.category)),
    row('case.tracking', c.trackingCode),
    row('case.filed', dateTime(c.createdAt)),
    c.instructions ? row('case.instructions', c.instructions) : []);
}

function deadlines(c) {
  const row = (label, value, cls) => [el('dt', {}, t(label)), el('dd', { class: cls }, value)];
  const m = c.media;
  return el('dl', { class: 'facts', id: 'deadlines' },
    row('case.stage', term('stage', c.stage)),
    row('case.deadline', c.deadlineAt ? dateTime(c.deadlineAt) : t('value.none')),
    c.overdue && c.overdueSince
      ? row('case.overdueSince', t('case.overdueSinceValue', { at: dateTime(c.overdueSince), span: duration(Date.now() - Date.parse(c.overdueSince)) }), 'late')
      : [],
    m.deadlineAt ? row('case.mediaDeadline', dateTime(m.deadlineAt), m.overdue ? 'late' : undefined) : []);
}

function media(c) {
  const m = c.media;
  if (m.status === 'not_applicable' || m.status === 'none') return el('p', { class: 'empty', id: 'media' }, term('case.mediaStatus', m.status));
  const row = (label, value) => (value ? [el('dt', {}, t(label)), el('dd', {}, value)] : []);
  return el('div', { id: 'media' },
    el('dl', { class: 'facts' },
      row('case.media.status', term('case.mediaStatus', m.status)),
      row('case.media.reviewLevel', m.reviewLevel ? term('level', m.reviewLevel) : undefined),
      row('case.media.title', m.title),
      row('case.media.comments', m.comments),
      row('case.media.published', m.publishedAt ? dateTime(m.publishedAt) : undefined),
      row('case.media.url', m.url ? safeLink(m.url, m.url) : undefined)),
    m.body ? el('div', { class: 'media-body' }, m.body) : []);
}

function evidence(events) {
  const recorded = events.filter((e) => e.type === 'record_evidence');
  if (recorded.length === 0) return el('p', { class: 'empty', id: 'evidence' }, t('case.noEvidence'));
  return el('ul', { class: 'evidence', id: 'evidence' }, recorded.map((e) => {
    const attachments = Array.isArray(e.payload.attachments) ? e.payload.attachments : [];
    return el('li', {},
      el('time', { datetime: e.at }, dateTime(e.at)),
      typeof e.payload.note === 'string' && e.payload.note ? el('p', {}, e.payload.note) : [],
      attachments.length
        ? el('ul', { class: 'attachments' }, attachments.map((a) => el('li', {}, safeLink(a.url, a.name || a.url))))
        : []);
  }));
}

function timeline(events) {
  return el('ol', { class: 'timeline', id: 'timeline' }, events.map((e) =>
    el('li', { 'data-seq': e.seq, 'data-type': e.type },
      el('time', { datetime: e.at }, dateTime(e.at)),
      el('span', { class: 'event' }, term('action', e.type)),
      el('span', { class: 'transition' }, e.from && e.from !== e.to ? `${term('state', e.from)} → ${term('state', e.to)}` : term('state', e.to)),
      el('span', { class: 'actor' }, term('role', e.actor.role)))));
}

/** The API's refusal for a person: its `error`, what a 409 says the case is and allows, a 400's fields. */
function refusal(err) {
  if (!(err instanceof ApiError)) return t('error.unexpected');
  const body = err.body ?? {};
  if (err.status === 409 && body.state) {
    const allowed = (body.allowed ?? []).map((a) => term('action', a)).join(t('case.listSeparator')) || t('value.none');
    return t('case.conflict', { error: err.message, state: term('state', body.state), allowed });
  }
  if (Array.isArray(body.issues) && body.issues.length) return `${err.message} (${body.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`;
  return err.message;
}

let fieldSeq = 0;
/** A labelled field; `control` is the input, select or textarea. */
function field(label, control) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  return el('div', { class: 'field' }, el('label', { for: id }, label), control);
}
const textArea = (id, name, required) => el('textarea', { id, name, rows: 3, required, maxlength: 5000 });
const options = (list, none) => [el('option', { value: '' }, none), ...list.map(([value, text]) => el('option', { value }, text))];

/** The further fields of one action, and how to read them into the action's body. */
async function fieldsFor(type, me) {
  switch (type) {
    case 'reassign': {
      const units = await unitsList();
      const squads = below(units, me).filter((u) => u.kind === 'squad').sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
      const district = me.unit.kind === 'district' ? me.unit : me.unit.kind === 'squad' ? units.find((u) => u.id === units.find((s) => s.id === me.unit.id)?.parentId) : undefined;
      let stations = [];
      if (district) {
        const ids = new Set(squads.map((s) => s.id));
        const answer = await api('GET', `/v1/workstations?district=${encodeURIComponent(district.name)}`);
        stations = answer.workstations.filter((w) => ids.has(w.squadId)).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
      }
      const unit = el('select', { id: 'reassign-unit', name: 'unitId' }, options(squads.map((s) => [s.id, s.name]), t('case.form.noSquad')));
      const station = stations.length
        ? el('select', { id: 'reassign-workstation', name: 'workstationId' }, options(stations.map((w) => [w.id, w.fullName || w.name]), t('case.form.noWorkstation')))
        : el('input', { id: 'reassign-workstation', name: 'workstationId', maxlength: 64, spellcheck: 'false' });
      const officer = el('input', { id: 'reassign-officer', name: 'officerId', maxlength: 64, spellcheck: 'false' });
      const reason = textArea('reassign-reason', 'reason', false);
      return {
        hint: t('case.form.reassignHint'),
        controls: [field(t('case.form.squad'), unit), field(t('case.form.workstation'), station), field(t('case.form.officer'), officer), field(t('case.form.reason'), reason)],
        read: () => {
          const body = {};
          if (unit.value) body.unitId = unit.value;
          if (station.value.trim()) body.workstationId = station.value.trim();
          if (officer.value.trim()) body.officerId = officer.value.trim();
          if (reason.value.trim()) body.reason = reason.value.trim();
          if (!body.unitId && !body.workstationId && !body.officerId) throw new Error(t('case.form.reassignNeeds'));
          return body;
        },
      };
    }
    case 'escalate':
    case 'reopen':
    case 'return_down': {
      const name = type === 'return_down' ? 'instructions' : 'reason';
      const text = textArea(`${type}-${name}`, name, true);
      return { controls: [field(t(`case.form.${name}`), text)], read: () => ({ [name]: text.value.trim() }) };
    }
    case 'media_review': {
      const choice = (value, checked) => el('label', { class: 'choice' },
        el('input', { type: 'radio', name: 'decision', value, checked, id: `review-${value}` }), t(`case.form.review.${value}`));
      const group = el('fieldset', { class: 'choices' }, el('legend', {}, t('case.form.decision')), choice('approve', true), choice('return', false));
      const comments = textArea('media_review-comments', 'comments', false);
      return {
        controls: [group, field(t('case.form.comments'), comments)],
        read: () => {
          const decision = group.querySelector('input:checked')?.value ?? 'approve';
          const body = { decision };
          if (comments.value.trim()) body.comments = comments.value.trim();
          if (decision === 'return' && !body.comments) throw new Error(t('case.form.commentsNeeded'));
          return body;
        },
      };
    }
    default: {
      // Actions without a form of their own yet: their further fields as JSON.
      const json = el('textarea', { id: `fields-${type}`, rows: 3, spellcheck: 'false' }, '{}');
      return {
        controls: [field(t('case.actionFields', { action: term('action', type) }), json)],
        read: () => {
          try {
            const extra = JSON.parse(json.value || '{}');
            if (!extra || typeof extra !== 'object' || Array.isArray(extra)) throw new Error();
            return extra;
          } catch {
            throw new Error(t('case.badFields'));
          }
        },
      };
    }
  }
}

async function actionForm(c, type, me, done) {
  const { controls, read, hint } = await fieldsFor(type, me);
  const error = el('p', { class: 'error', role: 'alert', id: 'action-error' });
  const submit = el('button', { type: 'submit' }, t('case.submitAction', { action: term('action', type) }));
  const form = el('form', { class: 'action-form', id: `form-${type}`, 'data-action': type },
    el('h3', {}, term('action', type)),
    hint ? el('p', { class: 'hint' }, hint) : [],
    controls,
    el('div', { class: 'row' }, submit, el('button', { type: 'button', class: 'link', onclick: () => form.remove() }, t('case.cancel'))),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    let body;
    try {
      body = read();
    } catch (err) {
      error.textContent = err.message;
      return;
    }
    submit.disabled = true;
    try {
      await api('POST', `/v1/cases/${encodeURIComponent(c.id)}/actions`, { ...body, type });
      form.remove();
      await done();
    } catch (err) {
      error.textContent = refusal(err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

export async function renderCase(view, me, id) {
  leave?.();
  const path = encodeURIComponent(id);
  const parts = {
    title: el('h1', { id: 'case-title' }),
    facts: el('div'),
    deadlines: el('div'),
    actions: el('div'),
    forms: el('div', { class: 'forms', id: 'forms' }),
    media: el('div'),
    evidence: el('div'),
    timeline: el('div'),
  };
  let c;

  const openForm = async (type) => {
    try {
      replace(parts.forms, await actionForm(c, type, me, update));
      parts.forms.querySelector('select, input:not([type=radio]), textarea')?.focus();
    } catch (err) {
      replace(parts.forms, el('p', { class: 'error', role: 'alert' }, refusal(err)));
    }
  };

  async function update() {
    const [fresh, { events }, units] = await Promise.all([
      api('GET', `/v1/cases/${path}`),
      api('GET', `/v1/cases/${path}/events`),
      unitsList().catch(() => []),
    ]);
    c = fresh;
    const byId = new Map(units.map((u) => [u.id, u.name]));
    const actions = c.allowedActions.filter((type) => me.may[type]);
    parts.title.textContent = c.title;
    replace(parts.facts, facts(c, (unitId) => byId.get(unitId) ?? unitId));
    replace(parts.deadlines, deadlines(c));
    replace(parts.actions, actions.length
      ? el('div', { class: 'actions', id: 'actions' }, actions.map((type) =>
        el('button', { type: 'button', 'data-action': type, onclick: () => void openForm(type) }, term('action', type))))
      : el('p', { class: 'empty' }, t('case.noActions')));
    // A form whose action the case no longer allows goes; one still allowed keeps what was typed.
    const open = parts.forms.querySelector('form[data-action]');
    if (open && !actions.includes(open.getAttribute('data-action'))) open.remove();
    replace(parts.media, media(c));
    replace(parts.evidence, evidence(events));
    replace(parts.timeline, timeline(events));
  }

  await update();
  replace(view,
    el('p', {}, el('a', { href: '#/' }, t('case.back'))),
    parts.title,
    el('div', { class: 'panels' },
      el('section', { class: 'panel' }, el('h2', {}, t('case.where')), parts.facts),
      el('section', { class: 'panel', id: 'panel-actions' }, el('h2', {}, t('case.actions')), parts.actions, parts.forms)),
    el('div', { class: 'panels panels-even' },
      el('section', { class: 'panel' }, el('h2', {}, t('case.deadlines')), parts.deadlines),
      el('section', { class: 'panel' }, el('h2', {}, t('case.media.heading')), parts.media)),
    el('div', { class: 'panels' },
      el('section', { class: 'panel' }, el('h2', {}, t('case.timeline')), parts.timeline),
      el('section', { class: 'panel' }, el('h2', {}, t('case.evidence')), parts.evidence)));

  // Live: an event of this case refetches it, while this page is the one shown.
  let timer;
  const onEvent = (event) => {
    if (!view.isConnected) return leave();
    if (event.detail?.caseId !== id) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (view.isConnected) update().catch(() => undefined);
    }, LIVE_DEBOUNCE_MS);
  };
  window.addEventListener('bangnong:case-event', onEvent);
  leave = () => {
    clearTimeout(timer);
    window.removeEventListener('bangnong:case-event', onEvent);
    leave = undefined;
  };
}
