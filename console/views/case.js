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
    c.instructions ? row('case.instructions', c.instructions) : [],
    c.duplicateOf ? row('case.duplicateOf', el('a', { href: `#/cases/${encodeURIComponent(c.duplicateOf)}` }, c.duplicateOf), 'case-duplicate-of') : [],
    c.duplicates?.length
      ? row('case.duplicates', el('ul', {}, c.duplicates.map((id) => el('li', {}, el('a', { href: `#/cases/${encodeURIComponent(id)}` }, id)))), 'case-duplicates')
      : [],
    c.returnReason ? row('case.returnReason', c.returnReason, 'case-return-reason') : []);
}

/** A 12345 work order's return deadline (退单时限), late once passed while the case still waits in triage. */
function returnDeadline(c) {
  const waiting = c.state === 'triage' || c.state === 'joint_triage';
  const closed = waiting && (c.returnWindowClosed || Date.parse(c.returnDeadlineAt) <= Date.now());
  return { text: closed ? `${dateTime(c.returnDeadlineAt)} · ${t('case.returnWindowClosed')}` : dateTime(c.returnDeadlineAt), late: closed };
}

function deadlines(c) {
  const row = (label, value, cls) => [el('dt', {}, t(label)), el('dd', { class: cls }, value)];
  const m = c.media;
  const back = c.returnDeadlineAt ? returnDeadline(c) : undefined;
  return el('dl', { class: 'facts', id: 'deadlines' },
    row('case.stage', term('stage', c.stage)),
    row('case.deadline', c.deadlineAt ? dateTime(c.deadlineAt) : t('value.none')),
    c.overdue && c.overdueSince
      ? row('case.overdueSince', t('case.overdueSinceValue', { at: dateTime(c.overdueSince), span: duration(Date.now() - Date.parse(c.overdueSince)) }), 'late')
      : [],
    m.deadlineAt ? row('case.mediaDeadline', dateTime(m.deadlineAt), m.overdue ? 'late' : undefined) : [],
    back ? row('case.returnDeadline', back.text, back.late ? 'late' : undefined) : []);
}

/** The parties of a property company's dual report, the view's key for each, and whether this reader may acknowledge for it. */
const REPORT_PARTIES = [
  // The squad's officers and supervisors, or a level above them; the demolition office's by a supervisor of
  // the district bureau or the city (domain/access.ts, workflows/lifecycle.ts assertMayAct).
  { party: 'squad', key: 'squad', may: (me) => Boolean(me.may.acknowledge_report) },
  { party: 'demolition_office', key: 'demolitionOffice', may: (me) => Boolean(me.may.acknowledge_report) && me.role === 'supervisor' && me.unit.kind !== 'squad' },
];

/** The parties this reader may acknowledge for now: not yet acknowledged, and the case still takes it. */
const partiesToAcknowledge = (c, me) =>
  c.dualReport && c.allowedActions.includes('acknowledge_report') ? REPORT_PARTIES.filter((p) => !c.dualReport[p.key].acknowledgedAt && p.may(me)) : [];

/**
 * 双报告: a property company's report went to the squad and the district's demolition office at once; each
 * party's acknowledgement (when, by whom), and a button for each the reader may still give.
 */
function dualReport(c, me, officerName, acknowledge) {
  const open = new Set(partiesToAcknowledge(c, me).map((p) => p.party));
  const rows = REPORT_PARTIES.map(({ party, key }) => {
    const ack = c.dualReport[key];
    const who = ack.by ? officerName(ack.by) : undefined;
    const status = ack.acknowledgedAt
      ? t(who && who !== ack.by ? 'case.dualReport.acknowledgedBy' : 'case.dualReport.acknowledged', { at: dateTime(ack.acknowledgedAt), by: who })
      : t('case.dualReport.pending');
    return [
      el('dt', {}, t(`case.dualReport.${key}`)),
      el('dd', { id: `dual-report-${party}`, class: ack.acknowledgedAt ? 'acknowledged' : 'pending' },
        ack.notifiedAt ? el('span', { class: 'hint' }, t('case.dualReport.notified', { at: dateTime(ack.notifiedAt) }), ' · ') : [],
        status,
        open.has(party)
          ? [' ', el('button', { type: 'button', class: 'secondary', 'data-party': party, onclick: () => void acknowledge(party) }, t('case.dualReport.acknowledge'))]
          : []),
    ];
  });
  return el('div', { id: 'dual-report' }, el('h3', {}, t('case.dualReport.heading')), el('dl', { class: 'facts' }, ...rows));
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
async function fieldsFor(type, me, current, preset = {}) {
  switch (type) {
    case 'acknowledge_report': {
      // For whom: the parties still to acknowledge that this reader may speak for; the note stays with the bureau.
      const parties = partiesToAcknowledge(current, me);
      const party = el('select', { id: 'acknowledge_report-party', name: 'party' }, parties.map((p) => el('option', { value: p.party }, t(`case.dualReport.${p.key}`))));
      if (preset.party) party.value = preset.party;
      const note = textArea('acknowledge_report-note', 'note', false);
      return {
        hint: t('case.form.acknowledgeHint'),
        controls: [field(t('case.form.party'), party), field(t('case.form.acknowledgeNote'), note)],
        read: () => {
          if (!party.value) throw new Error(t('case.form.partyNeeded'));
          return note.value.trim() ? { party: party.value, note: note.value.trim() } : { party: party.value };
        },
      };
    }
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
    case 'return_to_hotline': {
      // 退单: the reason goes to the 12345 platform; the form says by when it may go back.
      const text = el('textarea', { id: 'return_to_hotline-reason', name: 'reason', rows: 3, required: true, maxlength: 2000 });
      const hint = current.returnDeadlineAt ? t('case.form.returnHint', { deadline: dateTime(current.returnDeadlineAt) }) : t('case.form.returnNoDeadline');
      return { hint, controls: [field(t('case.form.returnReason'), text)], read: () => ({ reason: text.value.trim() }) };
    }
    case 'erase_personal_data': {
      // It cannot be undone: the form says so, and asks whose request it is.
      const text = textArea('erase_personal_data-reason', 'reason', true);
      return { hint: t('case.form.eraseHint'), controls: [field(t('case.form.eraseReason'), text)], read: () => ({ reason: text.value.trim() }) };
    }
    case 'escalate':
    case 'reopen':
    case 'retriage':
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

async function actionForm(c, type, me, done, preset) {
  const { controls, read, hint } = await fieldsFor(type, me, c, preset);
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
    report: el('div'),
    media: el('div'),
    evidence: el('div'),
    timeline: el('div'),
  };
  let c;
  // Updates may overlap (a live event while an action's answer refetches); answers can come back out of
  // order, so only the latest update draws, and an older one never paints over a newer case.
  let latest = 0;

  const openForm = async (type, preset) => {
    try {
      replace(parts.forms, await actionForm(c, type, me, update, preset));
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
    // (Also those who acknowledged a dual report: the squad's officers are below the unit that has the case.)
    const officers = fresh.assignedOfficerId || fresh.dualReport ? await officersOf(fresh.assignedUnitId).catch(() => []) : [];
    if (mine !== latest) return;
    c = fresh;
    const officerName = (id) => officers.find((o) => o.id === id)?.name ?? id;
    // Acknowledging a dual report is offered only for a party this reader may still speak for.
    const actions = c.allowedActions.filter((type) => me.may[type] && (type !== 'acknowledge_report' || partiesToAcknowledge(c, me).length > 0));
    parts.title.textContent = c.title;
    replace(parts.facts, facts(c, (unitId) => byId.get(unitId) ?? unitId, officerName));
    replace(parts.deadlines, deadlines(c));
    replace(parts.report, c.dualReport ? dualReport(c, me, officerName, (party) => openForm('acknowledge_report', { party })) : undefined);
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
      el('section', { class: 'panel' }, el('h2', {}, t('case.where')), parts.facts, parts.report),
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
