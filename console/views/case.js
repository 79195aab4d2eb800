// A case: where it stands, its deadlines, its evidence, its media item, its timeline, and the actions its
// state allows that the viewer's role may take (allowedActions from the API ∩ the role's operations from
// /v1/me). Each action posts to the one action endpoint; the API's answer is shown as it is. A live case
// event for this case (console/live.js) refetches it, and an open form survives the refresh.

import { api, apiRefusal } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, duration, t, term } from '../i18n.js';

/** Refetches after a burst of live events settles, not once per event. */
const LIVE_DEBOUNCE_MS = 300;
/** The previous page's live listener, dropped when another case (or this one again) is rendered. */
let leave;
/** The organisation changes rarely: read it once per page load. */
let unitsOnce;
/** The officers of a unit and below it, by name (GET /v1/officers). */
const officersOf = (unitId) => api('GET', `/v1/officers?unit=${encodeURIComponent(unitId)}`).then((r) => r.officers);
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

function facts(c, unitName, officerName) {
  const row = (label, value, id) => [el('dt', {}, t(label)), el('dd', { id }, value)];
  return el('dl', { class: 'facts' },
    row('case.state', term('state', c.state), 'case-state'),
    c.outcome ? row('case.outcome', term('case.outcomes', c.outcome)) : [],
    row('case.level', term('level', c.escalationLevel)),
    row('case.unit', unitName(c.assignedUnitId), 'case-unit'),
    row('case.officer', c.assignedOfficerId ? officerName(c.assignedOfficerId) : t('value.none'), 'case-officer'),
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

/** An attachment: an uploaded file as its preview (an image) or its name, linking to the file; or a link. */
function attachment(a) {
  if (typeof a.fileId === 'string') {
    const href = `/v1/files/${encodeURIComponent(a.fileId)}`;
    const name = a.name || t('files.unnamed');
    const image = typeof a.contentType === 'string' && a.contentType.startsWith('image/');
    return el('li', { class: image ? 'attachment-image' : undefined },
      el('a', { href, target: '_blank', rel: 'noopener', 'data-file': a.fileId },
        image ? el('img', { src: `${href}/preview`, alt: name, loading: 'lazy', decoding: 'async' }) : name));
  }
  return el('li', {}, safeLink(a.url, a.name || a.url));
}

/** What was recorded on site and in supplements: notes and attachments, with resolutions that carry photos. */
function evidence(events) {
  const attachmentsOf = (e) => (Array.isArray(e.payload.attachments) ? e.payload.attachments : []);
  const recorded = events.filter((e) => e.type === 'record_evidence' || (['resolve', 'supplement'].includes(e.type) && attachmentsOf(e).length));
  if (recorded.length === 0) return el('p', { class: 'empty', id: 'evidence' }, t('case.noEvidence'));
  return el('ul', { class: 'evidence', id: 'evidence' }, recorded.map((e) => {
    const attachments = attachmentsOf(e);
    const note = e.type === 'resolve' ? e.payload.result : e.type === 'supplement' ? e.payload.text : e.payload.note;
    return el('li', { 'data-type': e.type },
      el('time', { datetime: e.at }, dateTime(e.at)),
      e.type === 'record_evidence' ? [] : el('span', { class: 'evidence-kind' }, term('action', e.type)),
      typeof note === 'string' && note ? el('p', {}, note) : [],
      attachments.length ? el('ul', { class: 'attachments' }, attachments.map(attachment)) : []);
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

/** The API's refusal in words (console/api.js); anything else, unexpected. */
const refusal = (err) => apiRefusal(err) ?? t('error.unexpected');

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
async function fieldsFor(type, me, current) {
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
      // A person of the squad chosen (or of the unit that has the case now), by name.
      const officer = el('select', { id: 'reassign-officer', name: 'officerId' }, options([], t('case.form.noOfficer')));
      const fillOfficers = async () => {
        const list = await officersOf(unit.value || current.assignedUnitId).catch(() => []);
        replace(officer, ...options(list.map((o) => [o.id, o.name]), t('case.form.noOfficer')));
      };
      unit.addEventListener('change', () => void fillOfficers());
      await fillOfficers();
      const reason = textArea('reassign-reason', 'reason', false);
      return {
        hint: t('case.form.reassignHint'),
        controls: [field(t('case.form.squad'), unit), field(t('case.form.workstation'), station), field(t('case.form.officer'), officer), field(t('case.form.reason'), reason)],
        read: () => {
          const body = {};
          if (unit.value) body.unitId = unit.value;
          if (station.value.trim()) body.workstationId = station.value.trim();
          if (officer.value) body.officerId = officer.value;
          if (reason.value.trim()) body.reason = reason.value.trim();
          if (!body.unitId && !body.workstationId && !body.officerId) throw new Error(t('case.form.reassignNeeds'));
          return body;
        },
      };
    }
    case 'erase_personal_data': {
      // It cannot be undone: the form says so, and asks whose request it is.
      const text = textArea('erase_personal_data-reason', 'reason', true);
      return { hint: t('case.form.eraseHint'), controls: [field(t('case.form.eraseReason'), text)], read: () => ({ reason: text.value.trim() }) };
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
  const { controls, read, hint } = await fieldsFor(type, me, c);
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
  // Updates may overlap (a live event while an action's answer refetches); answers can come back out of
  // order, so only the latest update draws, and an older one never paints over a newer case.
  let latest = 0;

  const openForm = async (type) => {
    try {
      replace(parts.forms, await actionForm(c, type, me, update));
      parts.forms.querySelector('select, input:not([type=radio]), textarea')?.focus();
    } catch (err) {
      replace(parts.forms, el('p', { class: 'error', role: 'alert' }, refusal(err)));
    }
  };

  async function update() {
    const mine = ++latest;
    const [fresh, { events }, units] = await Promise.all([
      api('GET', `/v1/cases/${path}`),
      api('GET', `/v1/cases/${path}/events`),
      unitsList().catch(() => []),
    ]);
    const byId = new Map(units.map((u) => [u.id, u.name]));
    // The officer by name, from the officers of the unit that handles the case (an id only if unknown there).
    const officers = fresh.assignedOfficerId ? await officersOf(fresh.assignedUnitId).catch(() => []) : [];
    if (mine !== latest) return;
    c = fresh;
    const officerName = (id) => officers.find((o) => o.id === id)?.name ?? id;
    const actions = c.allowedActions.filter((type) => me.may[type]);
    parts.title.textContent = c.title;
    replace(parts.facts, facts(c, (unitId) => byId.get(unitId) ?? unitId, officerName));
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
