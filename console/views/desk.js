// 研判甄别, the desk's workbench: three queues — 待研判 (cases waiting in triage, oldest first, with the time
// left to their deadline and smart dispatch's suggestion), 待答复 (cases resolved, transferred or explained
// whose citizen has not been answered) and 自动派单 (cases the system dispatched itself on its suggestion,
// while no officer has accepted them) — and the case picked from them: its text, place, attachments,
// citizen, smart dispatch's suggestion (智能派单建议: category, squad, workstation, confidence and the words
// and places that decided it, adopted into the triage form with one key), its possible duplicates
// — open cases of its category at the same place (GET /v1/cases/:id/duplicates) and cases alike in words
// (GET /v1/cases/:id/similar), each markable as its original in one click — and the forms of the actions
// its state allows that the desk may take: triage (in scope with category, workstation by district and
// street, urgency; joint; transfer; explain), the answer to the citizen from a template
// (GET /v1/answer-templates) filled with the case's facts, media waive, mark duplicate, and the return of
// a 12345 work order to the hotline (退回12345) with the time left to its return deadline, and the taking
// back of an automatic dispatch to triage (撤回研判). Every action goes to the one action endpoint; after
// one, the queue moves on to the next case. Made to be driven from the keyboard: j/k or ↑/↓ move in the
// queue, Enter opens, a adopts the suggestion, 1–4 pick the triage decision, Ctrl+Enter submits, Esc closes.

import { api, apiRefusal } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, duration, t, term } from '../i18n.js';

/** Refetches after a burst of live events settles, not once per event. */
const LIVE_DEBOUNCE_MS = 400;
/** The time left on each queue entry is redrawn this often. */
const CLOCK_MS = 30_000;
const PAGE_SIZE = 200;
/** A queue longer than this many pages is shown in part, and says so. */
const MAX_PAGES = 10;
const DECISIONS = ['in_scope', 'joint', 'transfer', 'explain'];
// domain/case.ts CATEGORIES and DEPARTMENTS: the values the API takes; their words are in the catalogues.
const CATEGORIES = [
  'illegal_construction', 'load_bearing_damage', 'change_of_use', 'facade_damage', 'illegal_renting', 'green_space_damage',
  'property_management', 'night_construction_noise', 'cooking_fumes', 'street_vending', 'construction_waste',
  'outdoor_advertising', 'waste_sorting', 'other',
];
const DEPARTMENTS = ['police', 'housing', 'greening', 'planning', 'water', 'market_regulation', 'environment', 'other'];
/** The desk's forms, in the order they are shown; mark_duplicate is offered beside each possible duplicate. */
const FORMS = ['triage', 'retriage', 'return_to_hotline', 'feedback', 'media_waive'];
/** A suggestion at least this sure is shown as sure, below DOUBTFUL as doubtful (the colour of its percentage only). */
const SURE = 0.8;
const DOUBTFUL = 0.5;

const QUEUES = {
  triage: { state: 'triage', keep: () => true, order: (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id) },
  answer: {
    state: 'resolved',
    keep: (c) => !c.answered,
    order: (a, b) => (a.deadlineAt ?? '').localeCompare(b.deadlineAt ?? '') || a.createdAt.localeCompare(b.createdAt),
  },
  // The dispatched cases the system dispatched itself: the API picks them out (autoDispatched=true).
  auto: {
    state: 'dispatched',
    params: { autoDispatched: 'true' },
    keep: (c) => Boolean(c.autoDispatch),
    order: (a, b) => a.autoDispatch.at.localeCompare(b.autoDispatch.at) || a.id.localeCompare(b.id),
  },
};

/** The previous render's listeners and timers, dropped when the desk is rendered again or left. */
let leave;
/** The organisation and the templates change rarely: read once per page load. */
let unitsOnce;
const unitsList = () => (unitsOnce ??= api('GET', '/v1/units').then((r) => r.units).catch((err) => { unitsOnce = undefined; throw err; }));
const stationsByDistrict = new Map();
const stationsIn = (district) => {
  if (!stationsByDistrict.has(district)) {
    stationsByDistrict.set(district, api('GET', `/v1/workstations?district=${encodeURIComponent(district)}`).then((r) => r.workstations)
      .catch((err) => { stationsByDistrict.delete(district); throw err; }));
  }
  return stationsByDistrict.get(district);
};
const zhSort = (a, b) => a.localeCompare(b, 'zh-CN');

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

/** "还剩 3 小时" or "超期 2 小时", against the case's stage deadline. */
function timeLeft(c, now) {
  if (!c.deadlineAt) return { text: t('desk.noDeadline'), late: false };
  const ms = Date.parse(c.deadlineAt) - now;
  return ms >= 0 ? { text: t('desk.timeLeft', { span: duration(ms) }), late: false } : { text: t('desk.lateBy', { span: duration(-ms) }), late: true };
}

/** The API's refusal in words (console/api.js); anything else, its own message. */
const refusal = (err) => apiRefusal(err) ?? (err instanceof Error && err.message ? err.message : t('error.unexpected'));

let fieldSeq = 0;
/** A labelled field; `control` is the input, select or textarea. */
function field(label, control, hint) {
  const id = control.id || `desk-f${++fieldSeq}`;
  control.id = id;
  return el('div', { class: 'field' }, el('label', { for: id }, label), control, hint ? el('p', { class: 'hint' }, hint) : []);
}
const selectOf = (id, list, none) => el('select', { id }, none === undefined ? [] : el('option', { value: '' }, none), list.map(([value, text]) => el('option', { value }, text)));
const setOptions = (select, list, none) => replace(select, none === undefined ? [] : el('option', { value: '' }, none), list.map(([value, text]) => el('option', { value }, text)));

/** Every case of one queue the desk may list, paging through `next`. */
async function fetchQueue(name) {
  const { state, params, keep, order } = QUEUES[name];
  const cases = [];
  let cursor;
  let pages = 0;
  do {
    const query = new URLSearchParams({ state, ...params, limit: String(PAGE_SIZE) });
    if (cursor) query.set('cursor', cursor);
    const page = await api('GET', `/v1/cases?${query}`);
    cases.push(...page.cases.filter(keep));
    cursor = page.next;
  } while (cursor && ++pages < MAX_PAGES);
  return { cases: cases.sort(order), more: Boolean(cursor) };
}

/** The district and street picker of a workstation: districts the desk reaches, then streets, then workstations. */
async function workstationPicker(c, me) {
  const units = await unitsList();
  const byId = new Map(units.map((u) => [u.id, u]));
  const mine = (u) => u && (u.path === me.unit.path || u.path.startsWith(`${me.unit.path}/`) || me.unit.path.startsWith(`${u.path}/`));
  const districts = units.filter((u) => u.kind === 'district' && mine(u)).map((u) => u.name).sort(zhSort);
  // A squad's desk places cases in its own squad; a district's, in its squads; the city's, anywhere.
  const reachable = (w) => {
    const squad = byId.get(w.squadId);
    return squad && (squad.path === me.unit.path || squad.path.startsWith(`${me.unit.path}/`) || me.unit.kind === 'city');
  };
  const district = selectOf('desk-district', districts.map((d) => [d, d]), t('desk.form.chooseDistrict'));
  const street = selectOf('desk-street', [], t('desk.form.chooseStreet'));
  const station = selectOf('desk-workstation', [], t('desk.form.chooseWorkstation'));
  let stations = [];

  const fillStations = (preselect) => {
    const here = stations.filter((w) => w.street === street.value).sort((a, b) => zhSort(a.name, b.name));
    setOptions(station, here.map((w) => [w.id, w.name]), t('desk.form.chooseWorkstation'));
    station.disabled = here.length === 0;
    // One workstation in the street (the common case): it is the one.
    station.value = preselect && here.some((w) => w.id === preselect) ? preselect : here.length === 1 ? here[0].id : '';
  };
  const fillStreets = async (preselect) => {
    stations = district.value ? (await stationsIn(district.value)).filter(reachable) : [];
    const streets = [...new Set(stations.map((w) => w.street))].sort(zhSort);
    setOptions(street, streets.map((s) => [s, s]), t('desk.form.chooseStreet'));
    street.disabled = streets.length === 0;
    street.value = preselect?.street && streets.includes(preselect.street) ? preselect.street : '';
    fillStations(preselect?.workstationId);
  };
  district.addEventListener('change', () => void fillStreets().catch(() => undefined));
  street.addEventListener('change', () => fillStations());

  // Where the complaint says it is, and its workstation if it came with one (a QR code carries it).
  const startDistrict = districts.includes(c.location.district) ? c.location.district : districts.length === 1 ? districts[0] : '';
  district.value = startDistrict;
  let preselect = { street: c.location.street, workstationId: c.workstationId };
  if (c.workstationId && startDistrict) {
    const own = (await stationsIn(startDistrict)).find((w) => w.id === c.workstationId);
    if (own) preselect = { street: own.street, workstationId: own.id };
  }
  await fillStreets(preselect);
  return {
    controls: [field(t('desk.form.district'), district), field(t('desk.form.street'), street), field(t('desk.form.workstation'), station)],
    value: () => station.value,
    /** Puts the picker on a place (smart dispatch's); false when the desk does not reach it (its district, street or workstation). */
    place: async (where) => {
      if (!districts.includes(where.district)) return false;
      district.value = where.district;
      await fillStreets({ street: where.street, workstationId: where.workstationId });
      return (!where.street || street.value === where.street) && (!where.workstationId || station.value === where.workstationId);
    },
  };
}

/** The triage form: the decision (1–4), and the fields that decision takes. */
async function triageForm(c, me) {
  const radios = DECISIONS.map((d, i) => el('input', { type: 'radio', name: 'decision', value: d, id: `desk-decision-${d}`, 'data-key': i + 1 }));
  const decisions = el('fieldset', { class: 'choices desk-decisions' },
    el('legend', {}, t('desk.form.decision')),
    DECISIONS.map((d, i) => el('label', { class: 'choice', for: `desk-decision-${d}` }, radios[i], el('kbd', {}, String(i + 1)), t(`desk.decision.${d}`))));

  const category = selectOf('desk-category', CATEGORIES.map((k) => [k, term('category', k)]), t('desk.form.chooseCategory'));
  category.value = c.category ?? '';
  const picker = await workstationPicker(c, me);
  const urgent = el('input', { type: 'checkbox', id: 'desk-urgent', checked: c.urgent });
  const department = selectOf('desk-department', DEPARTMENTS.map((d) => [d, t(`desk.department.${d}`)]), t('desk.form.chooseDepartment'));
  const explanation = el('textarea', { id: 'desk-explanation', rows: 4, maxlength: 5000 });
  const note = el('textarea', { id: 'desk-note', rows: 2, maxlength: 5000 });

  const sections = {
    category: el('div', { 'data-for': 'in_scope' }, field(t('desk.form.category'), category)),
    place: el('div', { class: 'desk-place', 'data-for': 'in_scope joint' }, picker.controls),
    urgent: el('div', { 'data-for': 'in_scope' }, el('label', { class: 'choice', for: 'desk-urgent' }, urgent, t('desk.form.urgent'))),
    department: el('div', { 'data-for': 'transfer' }, field(t('desk.form.department'), department)),
    explanation: el('div', { 'data-for': 'explain' }, field(t('desk.form.explanation'), explanation, t('desk.form.explanationHint'))),
    note: el('div', { 'data-for': 'in_scope joint transfer' }, field(t('desk.form.note'), note)),
  };
  const chosen = () => radios.find((r) => r.checked)?.value;
  const show = () => {
    for (const part of Object.values(sections)) part.hidden = !part.getAttribute('data-for').split(' ').includes(chosen());
  };
  for (const r of radios) r.addEventListener('change', show);
  show();

  const unplaced = () => [...sections.place.querySelectorAll('select')].find((s) => !s.disabled && !s.value);
  return {
    controls: [decisions, ...Object.values(sections)],
    /** Picks a decision (the keys 1–4) and puts the cursor where that decision is filled in. */
    choose: (decision) => {
      const radio = radios.find((r) => r.value === decision);
      radio.checked = true;
      show();
      const first = { in_scope: category.value ? unplaced() ?? category : category, joint: unplaced() ?? sections.place.querySelector('select'), transfer: department, explain: explanation }[decision];
      (first ?? radio).focus();
    },
    /**
     * 采纳建议: in scope, with the suggestion's category and place — what the model was not sure of at all
     * (confidence 0) is left as it was. The cursor goes to what is still to be chosen, or to the submit
     * button, so one more Ctrl+Enter (or Enter) dispatches. Says how far it got: `complete` (nothing left
     * to choose), `partial` (a street or workstation to choose), `elsewhere` (the desk does not reach the
     * place suggested), `noPlace` (none suggested).
     */
    adopt: async (s, where) => {
      radios.find((r) => r.value === 'in_scope').checked = true;
      show();
      if (s.categoryConfidence > 0) category.value = s.category;
      const placed = where ? await picker.place(where) : false;
      const left = category.value ? unplaced() : category;
      (left ?? sections.note.closest('form')?.querySelector('button[type=submit]') ?? category).focus();
      return !where ? 'noPlace' : !placed ? 'elsewhere' : left ? 'partial' : 'complete';
    },
    read: () => {
      const decision = chosen();
      if (!decision) throw new Error(t('desk.form.decisionNeeded'));
      const body = { decision };
      const workstationId = picker.value();
      if (decision === 'in_scope' || decision === 'joint') {
        if (workstationId) body.workstationId = workstationId;
        else if (!c.workstationId) throw new Error(t('desk.form.workstationNeeded'));
      }
      if (decision === 'in_scope') {
        if (!category.value) throw new Error(t('desk.form.categoryNeeded'));
        body.category = category.value;
        body.urgent = urgent.checked;
      }
      if (decision === 'transfer') {
        if (!department.value) throw new Error(t('desk.form.departmentNeeded'));
        body.department = department.value;
      }
      if (decision === 'explain') {
        if (!explanation.value.trim()) throw new Error(t('desk.form.explanationNeeded'));
        body.explanation = explanation.value.trim();
      }
      if (decision !== 'explain' && note.value.trim()) body.note = note.value.trim();
      return body;
    },
  };
}

/** "2026年11月20日": an answer to the citizen is in Chinese whatever language the console shows. */
const chineseDate = (iso) => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(iso));
/** A fact as a sentence continues it: without its own full stop. */
const clause = (text) => (text ?? '').trim().replace(/[。．.！!；;]+$/u, '');

/** The template's text with the case's facts in its placeholders; a fact the case lacks stays `{name}`. */
function filled(text, c, departments) {
  const facts = {
    title: c.title,
    address: c.location.address,
    trackingCode: c.trackingCode,
    department: departments.get(c.department) ?? '',
    explanation: clause(c.explanation),
    resolution: clause(c.resolution),
    date: chineseDate(c.createdAt),
  };
  return text.replace(/\{(\w+)\}/g, (whole, name) => (facts[name] ? facts[name] : whole));
}

/** The answer to the citizen: a template for the case's outcome and category, filled in, editable. */
async function feedbackForm(c) {
  const query = new URLSearchParams();
  if (c.outcome === 'resolved' || c.outcome === 'transferred' || c.outcome === 'explained') query.set('outcome', c.outcome);
  if (c.category) query.set('category', c.category);
  const { templates, placeholders, departments } = await api('GET', `/v1/answer-templates?${query}`);
  const names = new Map(departments.map((d) => [d.id, d.name]));
  const choice = selectOf('desk-template', templates.map((tpl) => [tpl.id, tpl.title]));
  const message = el('textarea', { id: 'desk-answer', rows: 7, maxlength: 5000 });
  const apply = () => {
    const tpl = templates.find((x) => x.id === choice.value);
    message.value = tpl ? filled(tpl.text, c, names) : '';
  };
  choice.addEventListener('change', apply);
  apply();
  const known = new Set(placeholders.map((p) => p.name));
  return {
    controls: [field(t('desk.form.template'), choice), field(t('desk.form.answer'), message, t('desk.form.answerHint'))],
    read: () => {
      const text = message.value.trim();
      if (!text) throw new Error(t('desk.form.answerNeeded'));
      const open = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((n) => known.has(n));
      if (open.length) throw new Error(t('desk.form.answerUnfilled', { names: open.map((n) => `{${n}}`).join(t('case.listSeparator')) }));
      return { message: text };
    },
  };
}

/** 退回12345: a hotline work order that is not a 城管 matter goes back with its reason, while its window is open. */
function returnForm(c) {
  const reason = el('textarea', { id: 'desk-return-reason', rows: 3, maxlength: 2000 });
  return {
    hint: c.returnDeadlineAt ? t('case.form.returnHint', { deadline: dateTime(c.returnDeadlineAt) }) : t('case.form.returnNoDeadline'),
    controls: [field(t('case.form.returnReason'), reason)],
    read: () => {
      const text = reason.value.trim();
      if (!text) throw new Error(t('desk.form.returnReasonNeeded'));
      return { reason: text };
    },
  };
}

/** 撤回研判: a dispatched case no officer has accepted (one the system dispatched, as a rule) goes back to triage, with why. */
function retriageForm() {
  const reason = el('textarea', { id: 'desk-retriage-reason', rows: 3, maxlength: 2000 });
  return {
    hint: t('desk.form.retriageHint'),
    controls: [field(t('desk.form.retriageReason'), reason)],
    read: () => {
      const text = reason.value.trim();
      if (!text) throw new Error(t('desk.form.retriageReasonNeeded'));
      return { reason: text };
    },
  };
}

/**
 * Smart dispatch's suggestion in the organisation's names: its district and squad (GET /v1/units), the
 * squad's street and the workstation (GET /v1/workstations of the district) — what the triage form's
 * picker takes, and what the reasons point at.
 */
async function suggestedPlace(s, units) {
  const byId = new Map(units.map((u) => [u.id, u]));
  const unit = s.unitId ? byId.get(s.unitId) : undefined;
  const squad = unit?.kind === 'squad' ? unit : undefined;
  const district = unit?.kind === 'district' ? unit : squad ? byId.get(squad.parentId) : undefined;
  const stations = district ? await stationsIn(district.name).catch(() => []) : [];
  const station = s.workstationId ? stations.find((w) => w.id === s.workstationId) : undefined;
  const street = station?.street ?? (squad ? stations.find((w) => w.squadId === squad.id)?.street : undefined);
  return {
    district, squad, station,
    /** Where the triage form's picker goes; undefined when the suggestion knows no place. */
    where: district ? { district: district.name, street, workstationId: station?.id } : undefined,
    /** A reason's target by name: a category, a unit, a workstation of the district; else as it is. */
    nameOf: (target) => (byId.get(target)?.name ?? stations.find((w) => w.id === target)?.name ?? term('category', target)),
  };
}

/** The name of the district a unit lies in (itself, or a squad's parent). */
function districtOf(units, unitId) {
  const unit = units.find((u) => u.id === unitId);
  const district = unit?.kind === 'squad' ? units.find((u) => u.id === unit.parentId) : unit;
  return district?.kind === 'district' ? district.name : undefined;
}

const percent = (x) => Math.round(x * 100);
const sureness = (x) => (x >= SURE ? 'sure' : x < DOUBTFUL ? 'doubtful' : 'fair');

/** One reason as the desk reads it: 「油烟」→ 餐饮油烟（权重 3）; 联络点「临汾路380弄」→ 临汾路380弄居委城管执法社区工作室. */
function reasonText(r, nameOf) {
  const key = r.kind === 'filed' ? `desk.reason.filed.${r.about}` : `desk.reason.${r.kind}`;
  const weight = r.weight === undefined ? '' : t('desk.reason.weight', { weight: Math.round(r.weight * 100) / 100 });
  return t(key, { text: r.text, target: nameOf(r.target), weight });
}

/**
 * "建议：餐饮油烟 → 静安区临汾街道中队 · 82%", compact, for a queue entry, and how sure; without a place,
 * the category's own confidence (the suggestion's is then 0, which says nothing of the category).
 */
function suggestionLine(s, unitNames) {
  const unit = s.unitId ? unitNames.get(s.unitId) ?? s.unitId : undefined;
  return unit
    ? { text: t('desk.suggestion.line', { category: term('category', s.category), unit, percent: percent(s.confidence) }), sure: s.confidence }
    : { text: t('desk.suggestion.lineNoPlace', { category: term('category', s.category), percent: percent(s.categoryConfidence) }), sure: s.categoryConfidence };
}

/** "2026年11月24日 10:00 · 还剩 1 天 3 小时可退回12345", or that the window has closed. */
function returnLeft(c, now) {
  const ms = Date.parse(c.returnDeadlineAt) - now;
  const closed = c.returnWindowClosed || ms <= 0;
  return el('span', { class: closed ? 'late' : undefined },
    `${dateTime(c.returnDeadlineAt)} · ${closed ? t('desk.returnClosed') : t('desk.returnLeft', { span: duration(ms) })}`);
}

function mediaWaiveForm() {
  const reason = el('input', { id: 'desk-waive-reason', maxlength: 5000 });
  return {
    hint: t('desk.form.waiveHint'),
    controls: [field(t('desk.form.waiveReason'), reason)],
    read: () => (reason.value.trim() ? { reason: reason.value.trim() } : {}),
  };
}

/** The case as the desk reads it: what was filed, where, by whom, and what has been decided. */
function caseFacts(c, now, station) {
  const row = (label, value, id) => (value === undefined || value === null || value === '' ? [] : [el('dt', {}, t(label)), el('dd', { id }, value)]);
  const left = timeLeft(c, now);
  const place = [c.location.district, c.location.street].filter(Boolean).join(' ');
  const who = c.citizen ? [c.citizen.name, c.citizen.phone].filter(Boolean).join(' ') : '';
  return el('dl', { class: 'facts', id: 'desk-facts' },
    row('desk.fact.address', c.location.address, 'desk-address'),
    row('desk.fact.place', place),
    row('desk.fact.workstation', c.workstationId ? station?.name ?? c.workstationId : undefined),
    row('desk.fact.category', term('category', c.category ?? 'unknown')),
    row('desk.fact.channel', term('dashboard.channel', c.channel)),
    row('desk.fact.filed', dateTime(c.createdAt)),
    row('desk.fact.deadline', el('span', { class: left.late ? 'late' : undefined }, `${term('stage', c.stage)} · ${left.text}`)),
    row('desk.fact.returnDeadline', c.returnDeadlineAt && (c.state === 'triage' || c.state === 'joint_triage') ? returnLeft(c, now) : undefined, 'desk-return-deadline'),
    row('desk.fact.urgent', c.urgent ? t('desk.urgent') : undefined),
    row('desk.fact.citizen', who, 'desk-citizen'),
    row('desk.fact.tracking', c.trackingCode),
    row('case.outcome', c.outcome ? term('case.outcomes', c.outcome) : undefined),
    row('desk.fact.department', c.department ? t(`desk.department.${c.department}`) : undefined),
    row('desk.fact.explanation', c.explanation),
    row('desk.fact.resolution', c.resolution),
    row('desk.fact.media', c.media.status !== 'not_applicable' ? term('case.mediaStatus', c.media.status) : undefined));
}

export async function renderDesk(view, me) {
  leave?.();
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const state = {
    queue: Object.hasOwn(QUEUES, params.get('queue') ?? '') ? params.get('queue') : 'triage',
    lists: Object.fromEntries(Object.keys(QUEUES).map((name) => [name, { cases: [], more: false }])),
    selected: params.get('case') || undefined,
    /** The case shown, as last fetched, and the forms built for it. */
    current: undefined,
    forms: {},
    /** 采纳建议 of the case shown (the key a), while it has a suggestion and may be triaged. */
    adopt: undefined,
    /** Unit names by id, for the suggestions in the queue. */
    unitNames: new Map(),
    /** Each load of a case is numbered: one a later selection has overtaken draws nothing. */
    loads: 0,
    /** An action of the desk's own is on its way: the live events it causes change nothing shown. */
    acting: false,
  };

  const tabs = Object.fromEntries(Object.keys(QUEUES).map((name) =>
    [name, el('button', { type: 'button', role: 'tab', id: `queue-${name}`, class: 'desk-tab', 'aria-controls': 'desk-queue', onclick: () => switchQueue(name) })]));
  const queueList = el('ol', { class: 'desk-queue', id: 'desk-queue', role: 'tabpanel', 'aria-label': t('desk.queueLabel') });
  const queueNote = el('p', { class: 'hint', id: 'desk-queue-note' });
  const detail = el('section', { class: 'panel desk-case', id: 'desk-case', 'aria-label': t('desk.caseLabel') });
  const status = el('p', { class: 'desk-status', id: 'desk-status', role: 'status' });

  const listOf = () => state.lists[state.queue].cases;
  const itemButtons = () => [...queueList.querySelectorAll('button.desk-item')];
  const remember = () => {
    const query = new URLSearchParams({ queue: state.queue });
    if (state.selected) query.set('case', state.selected);
    history.replaceState(null, '', `#/desk?${query}`);
  };

  function drawTabs() {
    for (const [name, tab] of Object.entries(tabs)) {
      const n = state.lists[name].cases.length;
      tab.setAttribute('aria-selected', String(name === state.queue));
      tab.tabIndex = name === state.queue ? 0 : -1;
      replace(tab, t(`desk.queue.${name}`), el('span', { class: 'desk-count', id: `queue-${name}-count` }, state.lists[name].more ? `${n}+` : String(n)));
    }
  }

  function drawQueue() {
    drawTabs();
    const now = Date.now();
    const list = listOf();
    queueNote.textContent = state.lists[state.queue].more ? t('desk.queueMore', { n: list.length }) : '';
    if (list.length === 0) {
      replace(queueList, el('li', { class: 'empty', id: 'desk-queue-empty' }, t(`desk.queue.${state.queue}.empty`)));
      return;
    }
    const focused = document.activeElement?.closest?.('#desk-queue button.desk-item')?.getAttribute('data-case');
    replace(queueList, list.map((c) => {
      const left = timeLeft(c, now);
      const place = [c.location.district, c.location.street].filter(Boolean).join(' ') || c.location.address;
      const button = el('button', {
        type: 'button',
        class: 'desk-item',
        'data-case': c.id,
        'aria-current': c.id === state.selected ? 'true' : undefined,
        onclick: () => void select(c.id),
      },
      el('span', { class: 'desk-item-title' }, c.urgent ? el('span', { class: 'desk-urgent' }, t('desk.urgent')) : [], c.title),
      el('span', { class: `desk-item-left${left.late ? ' late' : ''}` }, left.text),
      el('span', { class: 'desk-item-meta' },
        state.queue === 'answer' ? term('case.outcomes', c.outcome) : term('category', c.category ?? 'unknown'),
        ' · ', place, ' · ', dateTime(c.createdAt)),
      queueSuggestion(c));
      return el('li', { 'data-case': c.id }, button);
    }));
    // A redraw keeps the keyboard where it was.
    if (focused) queueList.querySelector(`button[data-case="${CSS.escape(focused)}"]`)?.focus();
  }

  /** What smart dispatch said of a case in the queue: its suggestion while it waits, the system's dispatch after. */
  function queueSuggestion(c) {
    if (state.queue === 'triage' && c.suggestion) {
      const line = suggestionLine(c.suggestion, state.unitNames);
      return el('span', { class: `desk-item-suggestion ${sureness(line.sure)}` }, line.text);
    }
    // Dispatched at intake: the entry's time is the dispatch's.
    if (state.queue === 'auto' && c.autoDispatch) {
      const unit = state.unitNames.get(c.assignedUnitId) ?? c.assignedUnitId;
      return el('span', { class: `desk-item-suggestion ${sureness(c.autoDispatch.confidence)}` },
        t('desk.auto.line', { unit, percent: percent(c.autoDispatch.confidence) }));
    }
    return [];
  }

  /** Every queue afresh; an answer overtaken by one asked for later is dropped, so the lists never go back. */
  let queuesAsked = 0;
  let queuesDrawn = 0;
  async function refreshQueues() {
    const n = ++queuesAsked;
    const names = Object.keys(QUEUES);
    const lists = await Promise.all(names.map((name) => fetchQueue(name)));
    if (n < queuesDrawn) return;
    queuesDrawn = n;
    state.lists = Object.fromEntries(names.map((name, i) => [name, lists[i]]));
    if (view.isConnected) drawQueue();
  }

  function drawNothing() {
    state.current = undefined;
    state.forms = {};
    state.adopt = undefined;
    replace(detail, el('p', { class: 'empty', id: 'desk-none' }, listOf().length ? t('desk.pick') : t('desk.nothingOpen')));
  }

  /** Opens a case: its facts, possible duplicates and forms. */
  async function select(id, { focus = true } = {}) {
    state.selected = id;
    remember();
    for (const b of itemButtons()) {
      if (b.getAttribute('data-case') === id) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
    if (!id) {
      drawNothing();
      return;
    }
    const load = ++state.loads;
    state.adopt = undefined;
    replace(detail, el('p', { class: 'empty' }, t('desk.loading')));
    let c;
    let similar;
    let hints;
    try {
      [c, { similar }, { duplicates: hints }] = await Promise.all([
        api('GET', `/v1/cases/${encodeURIComponent(id)}`),
        api('GET', `/v1/cases/${encodeURIComponent(id)}/similar`).catch(() => ({ similar: undefined })),
        api('GET', `/v1/cases/${encodeURIComponent(id)}/duplicates`).catch(() => ({ duplicates: undefined })),
      ]);
    } catch (err) {
      if (load === state.loads) replace(detail, el('p', { class: 'error', role: 'alert' }, refusal(err)));
      return;
    }
    if (load !== state.loads || !view.isConnected) return;
    await drawCase(c, similar, hints);
    if (load !== state.loads) return;
    // The title takes the keyboard: 1–4 decide from there, Tab walks into the case, j/k go on in the queue.
    if (focus) detail.querySelector('#desk-case-title')?.focus();
  }

  async function drawCase(c, similar, hints) {
    state.current = c;
    const actions = c.allowedActions.filter((a) => me.may[a]);
    const forms = {};
    const built = {};
    for (const type of FORMS.filter((f) => actions.includes(f))) {
      try {
        built[type] = type === 'triage' ? await triageForm(c, me)
          : type === 'feedback' ? await feedbackForm(c)
            : type === 'return_to_hotline' ? returnForm(c)
              : type === 'retriage' ? retriageForm()
                : mediaWaiveForm();
        forms[type] = actionForm(c, type, built[type]);
      } catch (err) {
        forms[type] = el('p', { class: 'error', role: 'alert' }, refusal(err));
      }
    }
    state.forms = built;
    const suggestion = await suggestionPanel(c, built.triage);
    // Its workstation by name: one of the district the complaint names, as a rule; a complaint that names
    // none (smart dispatch placed it by its address), of the district of the squad it went to.
    const stationDistrict = c.workstationId ? c.location.district ?? districtOf(await unitsList().catch(() => []), c.assignedUnitId) : undefined;
    const station = stationDistrict
      ? (await stationsIn(stationDistrict).catch(() => [])).find((w) => w.id === c.workstationId)
      : undefined;
    const mayMarkDuplicate = actions.includes('mark_duplicate');
    replace(detail,
      el('div', { class: 'desk-case-head' },
        el('h2', { id: 'desk-case-title', tabindex: -1 }, c.title),
        el('a', { href: `#/cases/${encodeURIComponent(c.id)}`, id: 'desk-case-link' }, t('desk.openCase')),
        el('button', { type: 'button', class: 'link', id: 'desk-close', onclick: () => close() }, t('desk.close'))),
      el('p', { class: 'desk-state' }, term('state', c.state)),
      el('div', { class: 'desk-description', id: 'desk-description' }, c.description),
      caseFacts(c, Date.now(), station),
      c.attachments.length
        ? el('div', { class: 'desk-attachments' }, el('h3', {}, t('desk.attachments')),
          el('ul', { class: 'attachments', id: 'desk-attachments' }, c.attachments.map((a) => el('li', {}, safeLink(a.url, a.name || a.url)))))
        : [],
      suggestion,
      hintList(c, hints, mayMarkDuplicate),
      // A case proposed above as at the same place is not listed again for its words.
      similarList(c, similar?.filter((s) => !hints?.some((h) => h.case.id === s.case.id)), mayMarkDuplicate),
      el('div', { class: 'desk-forms', id: 'desk-forms' }, FORMS.map((type) => forms[type])),
      Object.keys(forms).length === 0 && !mayMarkDuplicate ? el('p', { class: 'empty', id: 'desk-no-actions' }, t('desk.noActions')) : []);
  }

  /**
   * 智能派单建议: what smart dispatch made of the case at intake — category, squad, workstation, how sure,
   * and the words and places that decided it — with 采纳建议 (the key a) while the desk may triage it, and
   * on a case the system dispatched itself, when and how sure. No suggestion (a case filed before smart
   * dispatch, or one it failed on), or a case past triage that the system did not dispatch: no panel.
   */
  async function suggestionPanel(c, triage) {
    const s = c.suggestion;
    if (!s || (!triage && !c.autoDispatch)) return [];
    const units = await unitsList().catch(() => []);
    const place = await suggestedPlace(s, units);
    const row = (label, value, id, extra) => [el('dt', {}, t(label)), el('dd', { id }, value, extra ?? [])];
    const part = (x) => el('span', { class: `desk-confidence-part ${sureness(x)}` }, t('desk.suggestion.sure', { percent: percent(x) }));
    const reasons = s.reasons.length
      ? el('ul', { class: 'desk-reasons', id: 'desk-suggestion-reasons' },
        s.reasons.map((r) => el('li', { 'data-about': r.about, 'data-kind': r.kind }, reasonText(r, place.nameOf))))
      : el('p', { class: 'empty', id: 'desk-suggestion-reasons' }, t('desk.suggestion.noReasons'));
    const note = el('p', { class: 'hint', id: 'desk-suggestion-note', role: 'status' });
    let action = [];
    if (c.autoDispatch) {
      action = el('p', { class: 'desk-suggestion-auto', id: 'desk-suggestion-auto' },
        t('desk.suggestion.autoDispatched', { at: dateTime(c.autoDispatch.at), percent: percent(c.autoDispatch.confidence) }));
    } else if (triage) {
      const adopt = async () => {
        note.textContent = t(`desk.suggestion.adopted.${await triage.adopt(s, place.where)}`);
      };
      state.adopt = () => void adopt().catch((err) => { note.textContent = refusal(err); });
      action = el('div', { class: 'row desk-suggestion-adopt' },
        el('button', { type: 'button', class: 'secondary', id: 'desk-adopt', 'aria-keyshortcuts': 'a', onclick: () => state.adopt?.() },
          t('desk.suggestion.adopt'), el('kbd', { class: 'desk-key', 'aria-hidden': 'true' }, 'A')),
        el('p', { class: 'hint' }, t('desk.suggestion.adoptHint')));
    }
    return el('section', { class: 'desk-suggestion', id: 'desk-suggestion', 'aria-labelledby': 'desk-suggestion-title' },
      el('div', { class: 'desk-suggestion-head' },
        el('h3', { id: 'desk-suggestion-title' }, t('desk.suggestion.title')),
        el('span', { class: `desk-confidence ${sureness(s.confidence)}`, id: 'desk-suggestion-confidence' }, t('desk.suggestion.sure', { percent: percent(s.confidence) }))),
      el('dl', { class: 'facts desk-suggestion-facts' },
        row('desk.suggestion.category', term('category', s.category), 'desk-suggestion-category', [' ', part(s.categoryConfidence)]),
        row('desk.suggestion.unit', place.squad?.name ?? place.district?.name ?? t('desk.suggestion.noPlace'), 'desk-suggestion-unit', [' ', part(s.placeConfidence)]),
        s.workstationId ? row('desk.suggestion.workstation', place.station?.name ?? s.workstationId, 'desk-suggestion-workstation') : [],
        row('desk.suggestion.place', t(`desk.suggestion.level.${s.place}`), 'desk-suggestion-level')),
      el('h4', {}, t('desk.suggestion.reasons')),
      reasons,
      action,
      note,
      el('p', { class: 'hint desk-suggestion-model' }, t('desk.suggestion.model', { model: s.model })));
  }

  /**
   * 附近的同类未结案件: open cases of the same category at the same place (GET /v1/cases/:id/duplicates) — how
   * far, or the same address — each with a one-click 标记重复 while the case may still be marked.
   */
  function hintList(c, hints, mayMarkDuplicate) {
    const section = (...children) => el('section', { class: 'desk-similar desk-hints', id: 'desk-hints' }, el('h3', {}, t('desk.hints')), children);
    if (hints === undefined) return section(el('p', { class: 'error' }, t('desk.hintsFailed')));
    if (hints.length === 0) return section(el('p', { class: 'empty' }, c.category ? t('desk.noHints') : t('desk.hintsNeedCategory')));
    const error = el('p', { class: 'error', role: 'alert', id: 'desk-hint-error' });
    return section(
      el('ul', {}, hints.map(({ distanceM, sameAddress, case: h }) => el('li', { 'data-case': h.id },
        el('div', {},
          el('a', { href: `#/cases/${encodeURIComponent(h.id)}` }, h.title),
          el('span', { class: 'desk-similarity desk-hint-place' }, sameAddress ? t('desk.hint.sameAddress') : t('desk.hint.distance', { metres: distanceM }))),
        el('p', { class: 'desk-item-meta' }, term('state', h.state), ' · ', h.location.address, ' · ', dateTime(h.createdAt)),
        mayMarkDuplicate
          ? el('button', { type: 'button', class: 'secondary', 'data-original': h.id, onclick: (event) => void submit(c, 'mark_duplicate', { originalId: h.id }, error, event.currentTarget) }, t('desk.hint.markDuplicate'))
          : []))),
      error);
  }

  function similarList(c, similar, mayMarkDuplicate) {
    const heading = el('h3', {}, t('desk.similar'));
    if (similar === undefined) return el('section', { class: 'desk-similar', id: 'desk-similar' }, heading, el('p', { class: 'error' }, t('desk.similarFailed')));
    if (similar.length === 0) return el('section', { class: 'desk-similar', id: 'desk-similar' }, heading, el('p', { class: 'empty' }, t('desk.noSimilar')));
    const error = el('p', { class: 'error', role: 'alert', id: 'desk-duplicate-error' });
    return el('section', { class: 'desk-similar', id: 'desk-similar' }, heading,
      el('ul', {}, similar.map(({ similarity, case: s }) => el('li', { 'data-case': s.id },
        el('div', {},
          el('a', { href: `#/cases/${encodeURIComponent(s.id)}` }, s.title),
          el('span', { class: 'desk-similarity' }, t('desk.similarity', { percent: Math.round(similarity * 100) }))),
        el('p', { class: 'desk-item-meta' }, term('state', s.state), ' · ', s.location.address, ' · ', dateTime(s.createdAt)),
        mayMarkDuplicate
          ? el('button', { type: 'button', class: 'secondary', 'data-original': s.id, onclick: (event) => void submit(c, 'mark_duplicate', { originalId: s.id }, error, event.currentTarget) }, t('desk.markDuplicate'))
          : []))),
      error);
  }

  function actionForm(c, type, { controls, read, hint }) {
    const error = el('p', { class: 'error', role: 'alert', id: `desk-error-${type}` });
    const button = el('button', { type: 'submit' }, t(`desk.submit.${type}`), el('kbd', { class: 'desk-shortcut' }, 'Ctrl+Enter'));
    const form = el('form', { class: 'action-form desk-form', id: `form-${type}`, 'data-action': type },
      el('h3', {}, term('action', type)),
      hint ? el('p', { class: 'hint' }, hint) : [],
      controls,
      el('div', { class: 'row' }, button),
      error);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      error.textContent = '';
      let body;
      try {
        body = read();
      } catch (err) {
        error.textContent = err.message;
        return;
      }
      void submit(c, type, body, error, button);
    });
    return form;
  }

  /** Takes the action; on success the case moves on, and so does the queue, to the next case. */
  async function submit(c, type, body, error, button) {
    error.textContent = '';
    button.disabled = true;
    state.acting = true;
    try {
      const after = await api('POST', `/v1/cases/${encodeURIComponent(c.id)}/actions`, { ...body, type });
      status.textContent = t('desk.done', { action: term('action', type), title: c.title, state: term('state', after.state) });
      const before = listOf().map((x) => x.id);
      await refreshQueues();
      if (!view.isConnected) return;
      if (listOf().some((x) => x.id === c.id)) {
        await select(c.id);
        return;
      }
      // Gone from this queue: the next one after it, or the last.
      const left = new Set(listOf().map((x) => x.id));
      const next = before.slice(before.indexOf(c.id) + 1).find((id) => left.has(id)) ?? listOf().at(-1)?.id;
      await select(next);
      if (!next) tabs[state.queue].focus();
    } catch (err) {
      error.textContent = refusal(err);
    } finally {
      state.acting = false;
      button.disabled = false;
    }
  }

  function close() {
    const id = state.selected;
    state.loads++;
    state.selected = undefined;
    remember();
    for (const b of itemButtons()) b.removeAttribute('aria-current');
    drawNothing();
    (queueList.querySelector(`button[data-case="${CSS.escape(id ?? '')}"]`) ?? itemButtons()[0] ?? tabs[state.queue]).focus();
  }

  function switchQueue(name) {
    if (name === state.queue) return;
    state.queue = name;
    state.selected = undefined;
    state.loads++;
    remember();
    drawQueue();
    drawNothing();
    (itemButtons()[0] ?? tabs[name]).focus();
  }

  /** j/k: the next or previous case in the queue gets the keyboard (Enter opens it). */
  function move(step) {
    const buttons = itemButtons();
    if (buttons.length === 0) return;
    const at = buttons.indexOf(document.activeElement);
    const from = at >= 0 ? at : buttons.findIndex((b) => b.getAttribute('data-case') === state.selected);
    const next = from < 0 ? (step > 0 ? 0 : buttons.length - 1) : Math.min(buttons.length - 1, Math.max(0, from + step));
    buttons[next].focus();
    buttons[next].scrollIntoView({ block: 'nearest' });
  }

  const onKey = (event) => {
    if (!view.isConnected) return leave?.();
    const target = event.target instanceof Element ? event.target : undefined;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      const form = target?.closest('#desk-forms form') ?? detail.querySelector('#desk-forms form');
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.key === 'Escape') {
      if (state.selected) {
        event.preventDefault();
        close();
      }
      return;
    }
    // Keys that type or choose keep their meaning in the controls that take them.
    const choosing = target?.matches('input[type=radio], input[type=checkbox]');
    if (event.ctrlKey || event.metaKey || event.altKey || (target?.closest('input, textarea, select') && !choosing)) return;
    const arrow = event.key === 'ArrowDown' || event.key === 'ArrowUp';
    if (arrow && choosing) return;
    if (event.key === 'j' || event.key === 'ArrowDown') {
      event.preventDefault();
      move(1);
    } else if (event.key === 'k' || event.key === 'ArrowUp') {
      event.preventDefault();
      move(-1);
    } else if (/^[1-4]$/.test(event.key) && state.forms.triage) {
      event.preventDefault();
      state.forms.triage.choose(DECISIONS[Number(event.key) - 1]);
    } else if ((event.key === 'a' || event.key === 'A') && state.adopt) {
      event.preventDefault();
      state.adopt();
    }
  };

  // Live (console/live.js): any case event refetches the queues once a burst has settled, and the open
  // case if it was the one that moved; its forms are drawn again only if what it allows has changed.
  let liveTimer;
  const onEvent = (event) => {
    if (!view.isConnected) return leave?.();
    const moved = event.detail?.caseId;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(async () => {
      if (!view.isConnected) return;
      await refreshQueues().catch(() => undefined);
      // The desk's own action moves the case and the queue itself (submit).
      const id = state.selected;
      if (state.acting || !id || moved !== id) return;
      const load = state.loads;
      const fresh = await api('GET', `/v1/cases/${encodeURIComponent(id)}`).catch(() => undefined);
      const shown = state.current;
      if (!fresh || state.acting || load !== state.loads || state.selected !== id || (shown?.id === id && fresh.version === shown.version)) return;
      if (shown?.id !== id || fresh.allowedActions.join() !== shown.allowedActions.join()) await select(id, { focus: false });
      else state.current = fresh;
    }, LIVE_DEBOUNCE_MS);
  };
  const clock = setInterval(() => {
    if (!view.isConnected) return leave?.();
    drawQueue();
  }, CLOCK_MS);

  window.addEventListener('keydown', onKey);
  window.addEventListener('bangnong:case-event', onEvent);
  leave = () => {
    clearTimeout(liveTimer);
    clearInterval(clock);
    window.removeEventListener('keydown', onKey);
    window.removeEventListener('bangnong:case-event', onEvent);
    leave = undefined;
  };

  // The squads' names for the suggestions in the queue; without them, their ids.
  state.unitNames = new Map((await unitsList().catch(() => [])).map((u) => [u.id, u.name]));
  await refreshQueues();
  replace(view,
    el('div', { class: 'desk-head' },
      el('h1', {}, t('nav.desk')),
      el('p', { class: 'hint desk-keys', id: 'desk-keys' }, t('desk.keys'))),
    el('div', { class: 'desk' },
      el('section', { class: 'panel desk-queues', 'aria-label': t('desk.queuesLabel') },
        el('div', { class: 'desk-tabs', role: 'tablist', 'aria-label': t('desk.queuesLabel') }, Object.values(tabs)),
        queueList,
        queueNote),
      el('div', { class: 'desk-main' }, status, detail)));
  drawQueue();
  if (state.selected) await select(state.selected, { focus: false });
  else drawNothing();
  (queueList.querySelector('button[aria-current]') ?? itemButtons()[0] ?? tabs[state.queue]).focus();
}
