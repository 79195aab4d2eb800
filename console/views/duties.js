// 勤务日志: workstation duties (seeds 000, 001). For a liaison officer, a phone in the street first: log a
// visit to one of the squad's workstations (when, what was done, a note, photos from the camera), and see
// this week — which workstations have their visits and minutes and which still lack them — and the week's
// visits. For a supervisor (or the desk): each workstation's week against the thresholds in the unit, each
// squad's released publicity of the month, and what the duty schedules found short. The dashboard shows
// the shortfalls too (`dutyShortfallsPanel`). Everything shown is what the API answers.

import { ApiError, api, apiRefusal } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, t, term } from '../i18n.js';
import { shrink } from './officer.js';

/** The API's values (domain/duties.ts); their names are in the catalogue (duty.activity.*). */
const ACTIVITIES = ['patrol', 'complaint_handling', 'legal_publicity', 'opinion_collection', 'property_supervision', 'community_meeting'];
const UPLOAD_TIMEOUT_MS = 180_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const query = () => new URLSearchParams(location.hash.includes('?') ? location.hash.slice(location.hash.indexOf('?') + 1) : '');

/** A `datetime-local` value for an instant, in the browser's own time (Shanghai on the bureau's phones). */
function localInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Today in Shanghai, YYYY-MM-DD. */
const shanghaiToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const shanghaiDate = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
/** The last day of a period whose end is exclusive. */
const lastDay = (endIso) => shanghaiDate(new Date(Date.parse(endIso) - 1).toISOString());

const refusal = (err) => apiRefusal(err) ?? (err?.message || t('error.unexpected'));

function uploadRefusal(err) {
  if (!(err instanceof ApiError)) return err?.message || t('error.unexpected');
  switch (err.status) {
    case 401: return t('officer.photo.signedOut');
    case 403: return t('officer.photo.forbidden');
    case 409: return t('duties.photo.full');
    case 413: return t('officer.photo.tooLarge');
    case 415: return t('duties.photo.wrongType');
    default: return t('officer.photo.refused', { error: err.message });
  }
}

/** Uploads a photo to a logged visit, telling `onProgress` how much has gone (0–1). XHR: fetch cannot tell. */
function uploadPhoto(visitId, blob, name, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/duty-visits/${encodeURIComponent(visitId)}/photos`);
    xhr.setRequestHeader('x-bangnong-console', '1');
    xhr.responseType = 'json';
    xhr.timeout = UPLOAD_TIMEOUT_MS;
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener('load', () => (xhr.status === 200 || xhr.status === 201 ? resolve(xhr.response) : reject(new ApiError(xhr.status, xhr.response))));
    xhr.addEventListener('error', () => reject(new Error(t('officer.photo.network'))));
    xhr.addEventListener('timeout', () => reject(new Error(t('officer.photo.timeout'))));
    const form = new FormData();
    form.append('file', blob, name);
    xhr.send(form);
  });
}

/**
 * The photos of the visit being logged: chosen (or taken) before saving, shown at once, made smaller on the
 * phone, and sent once the visit is saved — each with its progress, or what went wrong and a retry.
 */
function photoPicker() {
  const items = [];
  const list = el('ul', { class: 'photos', id: 'duty-photo-list' });
  const input = el('input', { type: 'file', id: 'duty-photos', accept: 'image/*', capture: 'environment', multiple: true, class: 'photo-input' });
  let visitId;

  const add = (file) => {
    const item = { state: 'waiting', blob: undefined, url: undefined };
    const image = el('img', { alt: t('officer.photo.alt', { n: items.length + 1 }) });
    const status = el('span', { class: 'photo-status', role: 'status' }, t('duties.photo.waiting'));
    const bar = el('progress', { max: 100, value: 0, hidden: true });
    const remove = el('button', { type: 'button', class: 'link photo-remove' }, t('officer.photo.remove'));
    const retry = el('button', { type: 'button', class: 'link photo-retry', hidden: true }, t('officer.photo.retry'));
    const node = el('li', { class: 'photo', 'data-state': 'waiting' }, image, el('div', { class: 'photo-info' }, status, bar, el('div', { class: 'photo-buttons' }, retry, remove)));
    const show = (state, words) => {
      item.state = state;
      node.setAttribute('data-state', state);
      status.textContent = words;
      retry.hidden = state !== 'failed';
      remove.hidden = state === 'uploaded' || state === 'uploading';
      bar.hidden = state !== 'uploading';
    };
    const name = `${(file.name || 'photo').replace(/\.[^.]*$/, '') || 'photo'}.jpg`;
    item.prepared = shrink(file).then((blob) => {
      item.blob = blob;
      item.url = URL.createObjectURL(blob);
      image.src = item.url;
    }, (err) => show('failed', err.message));
    item.send = async () => {
      try {
        await item.prepared;
        if (!item.blob) return;
        show('uploading', t('officer.photo.uploading', { percent: 0 }));
        const answer = await uploadPhoto(visitId, item.blob, name, (part) => {
          const percent = Math.round(part * 100);
          bar.value = percent;
          status.textContent = t('officer.photo.uploading', { percent });
        });
        show('uploaded', t('officer.photo.uploaded', { size: Math.max(1, Math.round(answer.size / 1024)) }));
      } catch (err) {
        show('failed', uploadRefusal(err));
      }
    };
    remove.addEventListener('click', () => {
      items.splice(items.indexOf(item), 1);
      if (item.url) URL.revokeObjectURL(item.url);
      node.remove();
    });
    retry.addEventListener('click', () => void item.send());
    items.push(item);
    list.append(node);
  };

  input.addEventListener('change', () => {
    [...input.files].forEach(add);
    input.value = '';
  });

  return {
    node: el('div', { class: 'photo-picker' },
      el('label', { for: 'duty-photos', class: 'photo-take' }, t('duties.form.photos')),
      input,
      list),
    /** Sends every photo not yet sent to the saved visit; answers how many did not go. */
    async sendTo(id) {
      visitId = id;
      await Promise.all(items.filter((i) => i.state !== 'uploaded').map((i) => i.send()));
      return items.filter((i) => i.state !== 'uploaded').length;
    },
  };
}

let fieldSeq = 0;
function field(label, control) {
  control.id ||= `duty-field-${++fieldSeq}`;
  return el('div', { class: 'field' }, el('label', { for: control.id }, label), control);
}

/** This week for the officer: each workstation of the squad, done or what it still lacks. */
function weekList(compliance) {
  const { minVisits, minMinutes } = compliance.thresholds.weekly;
  const items = compliance.workstations.map((w) => {
    const lacking = w.complies
      ? el('span', { class: 'duty-badge done' }, t('duties.week.done'))
      : el('span', { class: 'duty-badge lacking' },
        w.visits < minVisits && w.minutes >= minMinutes
          ? t('duties.week.missingVisits', { n: minVisits - w.visits })
          : t('duties.week.missing', { minutes: Math.max(0, minMinutes - w.minutes) }));
    return el('li', { class: 'duty-station', 'data-workstation': w.id, 'data-complies': String(w.complies) },
      el('span', { class: 'duty-station-name' }, w.name),
      el('span', { class: 'duty-station-meta' }, t('duties.week.so_far', { visits: w.visits, minutes: w.minutes }), lacking));
  });
  return items.length ? el('ul', { class: 'duty-stations', id: 'duty-week-list' }, items) : el('p', { class: 'empty' }, t('duties.week.none'));
}

function visitItem(v) {
  return el('li', { class: 'duty-visit', 'data-visit': v.id },
    el('span', { class: 'duty-visit-title' }, v.workstationName ?? v.workstationId),
    el('span', { class: 'duty-visit-meta' }, t('duties.visit.when', { start: dateTime(v.startedAt), minutes: v.minutes }), v.officer?.name ? ` · ${v.officer.name}` : ''),
    el('span', { class: 'duty-visit-meta' }, v.activities.map((a) => term('duty.activity', a)).join(t('duties.separator'))),
    v.note ? el('span', { class: 'duty-visit-note' }, v.note) : [],
    v.photos.length
      ? el('ul', { class: 'thumbs' }, v.photos.map((p) => el('li', {}, el('a', { href: p.url, target: '_blank', rel: 'noopener' }, el('img', { src: p.previewUrl ?? p.url, alt: p.name, loading: 'lazy' })))))
      : []);
}

/**
 * The form that logs a visit: the squad's workstations, the last two hours, what was done, a note, photos.
 * `said` (outside the form) tells how it went; `saved` is called with the visit once it and its photos are in.
 */
function visitForm(stations, said, saved) {
  const now = Date.now();
  const station = el('select', { id: 'duty-workstation', required: true },
    stations.map((w) => el('option', { value: w.id }, w.name)));
  const start = el('input', { type: 'datetime-local', id: 'duty-start', required: true, value: localInput(now - 2 * 3_600_000) });
  const end = el('input', { type: 'datetime-local', id: 'duty-end', required: true, value: localInput(now) });
  const activities = el('fieldset', { class: 'choices duty-activities', id: 'duty-activities' },
    el('legend', {}, t('duties.form.activities')),
    ACTIVITIES.map((a) => el('label', { class: 'choice' }, el('input', { type: 'checkbox', name: 'activity', value: a, id: `duty-activity-${a}` }), term('duty.activity', a))));
  const note = el('textarea', { id: 'duty-note', rows: 3, maxlength: 2000 });
  const photos = photoPicker();
  const submit = el('button', { type: 'submit', id: 'duty-submit' }, t('duties.form.submit'));
  // One key per visit being logged: a retry after a lost answer is the same visit.
  let idempotencyKey = crypto.randomUUID();
  let visit;

  const form = el('form', { class: 'duty-form', id: 'duty-form' },
    el('h2', {}, t('duties.form.title')),
    field(t('duties.form.workstation'), station),
    el('div', { class: 'duty-times' }, field(t('duties.form.start'), start), field(t('duties.form.end'), end)),
    activities,
    field(t('duties.form.note'), note),
    photos.node,
    submit);

  // A word said about the ticks goes once one is ticked.
  activities.addEventListener('change', () => {
    if (said.textContent === t('duties.form.pickActivity')) {
      said.textContent = '';
      said.classList.remove('error');
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    said.classList.remove('error');
    const picked = [...activities.querySelectorAll('input:checked')].map((i) => i.value);
    if (!picked.length) {
      said.classList.add('error');
      said.textContent = t('duties.form.pickActivity');
      return;
    }
    submit.disabled = true;
    said.textContent = t('duties.form.saving');
    try {
      if (!visit) {
        const body = { workstationId: station.value, startedAt: new Date(start.value).toISOString(), endedAt: new Date(end.value).toISOString(), activities: picked };
        if (note.value.trim()) body.note = note.value.trim();
        const response = await fetch('/v1/duty-visits', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-bangnong-console': '1', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(body),
          credentials: 'same-origin',
        });
        const answer = await response.json().catch(() => undefined);
        if (!response.ok) throw new ApiError(response.status, answer);
        visit = answer;
      }
      const failed = await photos.sendTo(visit.id);
      if (failed) {
        // The visit is kept; the photos that did not go are retried from their own buttons, or with this one.
        said.classList.add('error');
        said.textContent = t('duties.form.photosFailed', { n: failed });
        return;
      }
      said.textContent = t('duties.form.saved', { workstation: visit.workstationName ?? visit.workstationId, minutes: visit.minutes });
      idempotencyKey = crypto.randomUUID();
      const done = visit;
      visit = undefined;
      await saved(done);
      return;
    } catch (err) {
      said.classList.add('error');
      said.textContent = refusal(err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The officer's page: log a visit, this week's workstations, this week's visits. */
async function renderOfficerDuties(view, me) {
  const [compliance, units, stations] = await Promise.all([
    api('GET', '/v1/duty-compliance'),
    api('GET', '/v1/units'),
    api('GET', '/v1/workstations'),
  ]);
  const squads = new Set(units.units.filter((u) => u.kind === 'squad' && (u.path === me.unit.path || u.path.startsWith(`${me.unit.path}/`))).map((u) => u.id));
  const mine = stations.workstations.filter((w) => squads.has(w.squadId));
  const week = compliance.weeks[0];
  const weekBox = el('section', { class: 'duty-week', id: 'duty-week' });
  const visitsBox = el('section', { class: 'duty-visits', id: 'duty-visits' });

  const refresh = async () => {
    const [now, visits] = await Promise.all([
      api('GET', '/v1/duty-compliance'),
      api('GET', `/v1/duty-visits?from=${encodeURIComponent(week.start)}&limit=100`),
    ]);
    replace(weekBox,
      el('h2', {}, t('duties.week.title', { start: shanghaiDate(now.weeks[0].start), end: lastDay(now.weeks[0].end) })),
      el('p', { class: 'hint' }, t('duties.week.rule', now.thresholds.weekly)),
      weekList(now));
    replace(visitsBox,
      el('h2', {}, t('duties.visits.title')),
      visits.visits.length ? el('ul', { class: 'duty-visit-list', id: 'duty-visit-list' }, visits.visits.map(visitItem)) : el('p', { class: 'empty' }, t('duties.visits.empty')));
  };

  // After a visit is in, a fresh form (the next two hours, no photos) takes the saved one's place.
  const said = el('p', { class: 'duty-said', id: 'duty-said', role: 'status' });
  const formSlot = el('div', { class: 'duty-form-slot' });
  const newForm = () => replace(formSlot, visitForm(mine, said, async () => {
    newForm();
    await refresh();
  }), said);
  if (mine.length) newForm();
  else replace(formSlot, el('p', { class: 'empty' }, t('duties.form.noStations')));
  replace(view,
    el('div', { class: 'duties duties-officer' },
      el('h1', {}, t('duties.title.officer')),
      formSlot,
      weekBox,
      visitsBox));
  await refresh();
}

function complianceTable(compliance) {
  if (!compliance.workstations.length) return el('p', { class: 'empty' }, t('duties.week.none'));
  return el('div', { class: 'duty-table' }, el('table', { class: 'list', id: 'duty-compliance' },
    el('thead', {}, el('tr', {}, ['workstation', 'squad', 'visits', 'minutes', 'status'].map((c) => el('th', { scope: 'col' }, t(`duties.compliance.column.${c}`))))),
    el('tbody', {}, compliance.workstations.map((w) =>
      el('tr', { 'data-workstation': w.id, class: w.complies ? 'complies' : 'short' },
        el('td', {}, w.name),
        el('td', {}, w.squadName),
        el('td', { class: 'number' }, String(w.visits)),
        el('td', { class: 'number' }, String(w.minutes)),
        el('td', {}, el('span', { class: `duty-badge ${w.complies ? 'done' : 'lacking'}` }, t(w.complies ? 'duties.compliance.complies' : 'duties.compliance.short'))))))));
}

function publicityTable(compliance) {
  if (!compliance.squads.length) return el('p', { class: 'empty' }, t('duties.publicity.none'));
  return el('div', { class: 'duty-table' }, el('table', { class: 'list', id: 'duty-publicity' },
    el('thead', {}, el('tr', {}, ['squad', 'released', 'status'].map((c) => el('th', { scope: 'col' }, t(`duties.publicity.column.${c}`))))),
    el('tbody', {}, compliance.squads.map((s) =>
      el('tr', { 'data-squad': s.id, class: s.complies ? 'complies' : 'short' },
        el('td', {}, s.name),
        el('td', { class: 'number' }, String(s.released)),
        el('td', {}, el('span', { class: `duty-badge ${s.complies ? 'done' : 'lacking'}` }, t(s.complies ? 'duties.compliance.complies' : 'duties.compliance.short'))))))));
}

/** One shortfall in words: whose, which period, what was found and what was needed. */
function shortfallLine(s) {
  const d = s.details ?? {};
  const name = s.subjectName ?? s.subjectId;
  const text = s.kind === 'weekly_visits'
    ? t('duties.shortfall.weekly', { name, squad: s.squadName ?? '', start: shanghaiDate(s.periodStart), end: lastDay(s.periodEnd), visits: d.visits, minutes: d.minutes, minVisits: d.minVisits, minMinutes: d.minMinutes })
    : t('duties.shortfall.monthly', { name, month: shanghaiDate(s.periodStart).slice(0, 7), released: d.released, minReleased: d.minReleased });
  return el('li', { class: 'duty-shortfall', 'data-shortfall': s.id, 'data-kind': s.kind },
    el('span', { class: 'duty-badge lacking' }, term('duty.shortfall', s.kind)), ' ', text);
}

const shortfallList = (list, id) =>
  list.length ? el('ul', { class: 'duty-shortfalls', id }, list.map(shortfallLine)) : el('p', { class: 'empty' }, t('duties.shortfalls.empty'));

/** The supervisor's page: a week's compliance in the unit, the month's publicity, the shortfalls. */
async function renderSupervisorDuties(view) {
  const q = query();
  const week = DAY.test(q.get('week') ?? '') ? q.get('week') : shanghaiToday();
  const unit = q.get('unit');
  const scope = unit ? `&unit=${encodeURIComponent(unit)}` : '';
  const [compliance, found] = await Promise.all([
    api('GET', `/v1/duty-compliance?week=${week}${scope}`),
    api('GET', `/v1/duty-shortfalls?limit=100${scope}`),
  ]);
  const pick = el('input', { type: 'date', id: 'duty-week-pick', value: week, required: true });
  const form = el('form', { class: 'duty-pick', id: 'duty-pick' },
    field(t('duties.pick.week'), pick),
    el('button', { type: 'submit' }, t('duties.pick.show')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (pick.value) next.set('week', pick.value);
    if (unit) next.set('unit', unit);
    location.hash = `#/duties?${next}`;
  });
  const w = compliance.weeks[0];
  replace(view,
    el('div', { class: 'duties duties-supervisor' },
      el('h1', {}, t('duties.title.supervisor')),
      form,
      el('section', { class: 'panel', id: 'panel-duty-week' },
        el('h2', {}, t('duties.compliance.title', { start: shanghaiDate(w.start), end: lastDay(w.end) })),
        el('p', { class: 'hint' }, t('duties.week.rule', compliance.thresholds.weekly)),
        complianceTable(compliance)),
      el('section', { class: 'panel', id: 'panel-duty-publicity' },
        el('h2', {}, t('duties.publicity.title', { month: shanghaiDate(compliance.month.start).slice(0, 7) })),
        el('p', { class: 'hint' }, t('duties.publicity.rule', compliance.thresholds.monthly)),
        publicityTable(compliance)),
      el('section', { class: 'panel', id: 'panel-duty-shortfalls' },
        el('h2', {}, t('duties.shortfalls.title')),
        shortfallList(found.shortfalls, 'duty-shortfall-list'))));
}

export async function renderDuties(view, me) {
  if (me.may['duty.log']) await renderOfficerDuties(view, me);
  else await renderSupervisorDuties(view);
}

/**
 * The dashboard's panel (console/views/dashboard.js): the unit's shortfalls of the last month and the
 * weeks since — periods from the 1st of the previous month on. Answers the panel at once and fills it
 * when the API answers, so the dashboard never waits for it.
 */
export function dutyShortfallsPanel(filter, me) {
  if (!me.may['duty.read']) return [];
  const body = el('div', {}, el('p', { class: 'hint' }, t('duties.loading')));
  const panel = el('section', { class: 'panel', id: 'panel-duty-shortfalls' },
    el('div', { class: 'panel-head' }, el('h2', {}, t('duties.dashboard.title')), el('a', { href: '#/duties' }, t('duties.dashboard.more'))),
    body);
  const [year, month] = shanghaiToday().split('-').map(Number);
  const previous = month === 1 ? `${year - 1}-12-01` : `${year}-${String(month - 1).padStart(2, '0')}-01`;
  const params = new URLSearchParams({ from: previous, limit: '50' });
  if (filter.unit) params.set('unit', filter.unit);
  api('GET', `/v1/duty-shortfalls?${params}`).then(
    (found) => replace(body, shortfallList(found.shortfalls, 'dashboard-duty-shortfalls')),
    (err) => replace(body, el('p', { class: 'error' }, refusal(err))),
  );
  return panel;
}
