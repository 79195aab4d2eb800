// 宣传报道, the squads' publicity items: each squad hosting a liaison point reports at least one a month (a short
// video preferred), and nothing goes out before the squad, the district and the city have each approved it.
// The list (#/publicity) leads with what waits for the viewer's own review level, each with its time left;
// the chips pick a state, the month field a month. A squad's officers and supervisors submit an item with its
// photos or video (#/publicity/new): the files are uploaded as they are chosen, then the item names them. An
// item (#/publicity/<id>) shows its photos and video, its text, where it waits and until when, the comments of
// a return, its whole history, and the forms of the actions the viewer may take there: a reviewer at the
// level it waits at approves it or returns it with comments; the squad resubmits or withdraws it; a
// supervisor takes a released one down with the reason. Every step goes through the API; a refusal says
// where the item stands now.

import { ApiError, api } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, duration, t, term } from '../i18n.js';

const PAGE_SIZE = 100;
const FILTERS = {
  open: 'in_review,returned',
  released: 'released',
  closed: 'withdrawn,taken_down,lapsed',
  all: '',
};
/** The review level a unit of each kind reviews at. */
const LEVEL_OF = { squad: 'squad', district: 'district', city: 'city' };
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

/** The organisation changes rarely: read once per page load, for the units' names and the squads a form offers. */
let unitsOnce;
const units = () => (unitsOnce ??= api('GET', '/v1/units')
  .then((r) => r.units)
  .catch((err) => { unitsOnce = undefined; throw err; }));
const namesOf = (list) => new Map(list.map((u) => [u.id, u.name]));

const stateBadge = (p) => el('span', { class: `publicity-state publicity-state-${p.state}`, 'data-state': p.state }, t(`publicity.state.${p.state}`));

/** "剩余 3 小时" or "超期 2 小时", against the step's deadline; none once the item is done. */
function timeLeft(p, now) {
  if (!p.deadlineAt) return undefined;
  const ms = Date.parse(p.deadlineAt) - now;
  return ms >= 0 ? { text: t('publicity.timeLeft', { span: duration(ms) }), late: false } : { text: t('publicity.lateBy', { span: duration(-ms) }), late: true };
}

/** Where it waits: "区局审核" or "中队修改", with the time left. */
function waiting(p, now) {
  const left = timeLeft(p, now);
  if (!left) return el('span', {}, t('value.none'));
  const step = p.state === 'in_review' ? t('publicity.waits.review', { level: t(`publicity.level.${p.reviewLevel}`) }) : t('publicity.waits.revision');
  return el('span', { class: left.late ? 'late' : undefined }, `${step} · ${left.text}`);
}

/** The API's refusal in words: a 409 says where the item stands and what it takes there. */
function refusal(err) {
  if (!(err instanceof ApiError)) return err instanceof Error && err.message ? err.message : t('error.unexpected');
  const body = err.body ?? {};
  if (err.status === 409 && body.state) {
    const allowed = (body.allowed ?? []).map((a) => t(`publicity.action.${a}`)).join(t('publicity.listSeparator')) || t('value.none');
    return t('publicity.conflict', { error: err.message, state: t(`publicity.state.${body.state}`), allowed });
  }
  if (err.status === 413) return t('publicity.file.tooLarge');
  if (err.status === 415) return t('publicity.file.wrongType');
  if (Array.isArray(body.issues) && body.issues.length) return `${err.message} (${body.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})`;
  return err.message;
}

function table(items, names, now, id) {
  const rows = items.map((p) => el('tr', { 'data-item': p.id, class: p.overdue ? 'overdue' : undefined },
    el('td', {}, el('a', { href: `#/publicity/${encodeURIComponent(p.id)}`, class: 'publicity-title' }, p.title)),
    el('td', {}, stateBadge(p)),
    el('td', {}, waiting(p, now)),
    el('td', {}, names.get(p.squadId) ?? p.squadId),
    el('td', {}, t(p.media.some((m) => m.type === 'video/mp4') ? 'publicity.kind.video' : 'publicity.kind.photos')),
    el('td', {}, dateTime(p.releasedAt ?? p.createdAt))));
  return el('div', { class: 'publicity-table' }, el('table', { class: 'list', id },
    el('thead', {}, el('tr', {}, ['title', 'state', 'deadline', 'squad', 'kind', 'date'].map((c) => el('th', { scope: 'col' }, t(`publicity.column.${c}`))))),
    el('tbody', {}, rows)));
}

export async function renderPublicityList(view, me) {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const filter = Object.hasOwn(FILTERS, params.get('state') ?? '') ? params.get('state') : 'open';
  const month = /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month') : '';
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (FILTERS[filter]) query.set('state', FILTERS[filter]);
  if (month) query.set('month', month);
  // A supervisor reviews at its own unit's level: those items come first, on their own.
  const level = me.may['publicity.review'] ? LEVEL_OF[me.unit.kind] : undefined;
  const mine = level ? api('GET', `/v1/publicity?state=in_review&level=${level}&unit=${encodeURIComponent(me.unit.id)}&limit=${PAGE_SIZE}`) : Promise.resolve(undefined);
  const [page, waitingForMe, list] = await Promise.all([api('GET', `/v1/publicity?${query}`), mine, units()]);
  const names = namesOf(list);
  const now = Date.now();
  const link = (name, m = month) => `#/publicity?state=${name}${m ? `&month=${m}` : ''}`;
  const monthInput = el('input', { type: 'month', id: 'publicity-month', value: month });
  monthInput.addEventListener('change', () => { location.hash = link(filter, monthInput.value); });
  replace(view,
    el('div', { class: 'publicity-head' },
      el('h1', {}, t('publicity.title')),
      el('p', { class: 'hint' }, t('publicity.intro')),
      me.may['publicity.submit'] ? el('a', { href: '#/publicity/new', class: 'button', id: 'publicity-new' }, t('publicity.new')) : []),
    waitingForMe ? el('section', { class: 'panel', id: 'publicity-mine' },
      el('h2', {}, t('publicity.mine', { level: t(`publicity.level.${level}`) })),
      waitingForMe.items.length ? table(waitingForMe.items, names, now, 'publicity-mine-list') : el('p', { class: 'empty', id: 'publicity-mine-empty' }, t('publicity.mineEmpty'))) : [],
    el('div', { class: 'publicity-filters', role: 'group', 'aria-label': t('publicity.filterLabel') },
      Object.keys(FILTERS).map((name) => el('a', { href: link(name), class: 'publicity-chip', id: `publicity-filter-${name}`, 'aria-current': name === filter ? 'true' : undefined }, t(`publicity.filter.${name}`))),
      el('label', { for: 'publicity-month', class: 'publicity-month' }, t('publicity.month')), monthInput),
    el('section', { class: 'panel' },
      page.items.length ? table(page.items, names, now, 'publicity-list') : el('p', { class: 'empty', id: 'publicity-empty' }, t(`publicity.empty.${filter}`)),
      page.next ? el('p', { class: 'hint' }, t('publicity.more', { n: page.items.length })) : []));
}

/** Uploads a file for the squad's item, telling `onProgress` how much has gone (0–1). XHR: fetch cannot tell. */
function upload(squadId, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/publicity/files?squad=${encodeURIComponent(squadId)}`);
    xhr.setRequestHeader('x-bangnong-console', '1');
    xhr.responseType = 'json';
    xhr.timeout = UPLOAD_TIMEOUT_MS;
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener('load', () => (xhr.status === 200 || xhr.status === 201 ? resolve(xhr.response) : reject(new ApiError(xhr.status, xhr.response))));
    xhr.addEventListener('error', () => reject(new Error(t('publicity.file.network'))));
    xhr.addEventListener('timeout', () => reject(new Error(t('publicity.file.timeout'))));
    const form = new FormData();
    form.append('file', file, file.name || 'file');
    xhr.send(form);
  });
}

/**
 * The item's photos and video: those it carries already (a resubmission keeps them unless removed) and new
 * ones, each uploaded as it is chosen, with its progress. `ready()` waits for those still going and answers
 * the media to name, or says which failed.
 */
function mediaPicker(squadId, kept = []) {
  const items = [];
  const list = el('ul', { class: 'publicity-uploads', id: 'publicity-uploads' });
  const input = el('input', { type: 'file', id: 'publicity-files', accept: 'image/jpeg,image/png,image/webp,video/mp4', multiple: true, class: 'publicity-file-input' });

  const entry = (item, preview, words) => {
    const status = el('span', { class: 'publicity-upload-status', role: 'status' }, words);
    const bar = el('progress', { max: 100, value: 0, hidden: true });
    const remove = el('button', { type: 'button', class: 'link publicity-upload-remove' }, t('publicity.file.remove'));
    const node = el('li', { class: 'publicity-upload', 'data-state': item.state }, preview, el('div', { class: 'publicity-upload-info' }, el('span', { class: 'publicity-upload-name' }, item.name), status, bar, remove));
    remove.addEventListener('click', () => {
      items.splice(items.indexOf(item), 1);
      if (item.url) URL.revokeObjectURL(item.url);
      node.remove();
    });
    items.push(item);
    list.append(node);
    return { node, status, bar };
  };

  for (const m of kept) {
    const preview = m.type.startsWith('image/') ? el('img', { src: m.previewUrl, alt: m.name }) : el('span', { class: 'publicity-video-mark' }, t('publicity.kind.video'));
    entry({ state: 'uploaded', fileId: m.fileId, name: m.name, done: Promise.resolve() }, preview, t('publicity.file.kept'));
  }

  const add = (file) => {
    const item = { state: 'uploading', name: file.name, url: URL.createObjectURL(file) };
    const preview = file.type.startsWith('video/') ? el('video', { src: item.url, muted: true, preload: 'metadata' }) : el('img', { src: item.url, alt: file.name });
    const { node, status, bar } = entry(item, preview, t('publicity.file.uploading', { percent: 0 }));
    bar.hidden = false;
    item.done = upload(squadId, file, (part) => {
      const percent = Math.round(part * 100);
      bar.value = percent;
      status.textContent = t('publicity.file.uploading', { percent });
    }).then((answer) => {
      item.fileId = answer.id;
      item.state = 'uploaded';
      status.textContent = t('publicity.file.uploaded', { size: Math.max(1, Math.round(answer.size / 1024)) });
    }, (err) => {
      item.state = 'failed';
      status.textContent = refusal(err);
    }).finally(() => {
      node.setAttribute('data-state', item.state);
      bar.hidden = true;
    });
  };

  input.addEventListener('change', () => {
    [...input.files].forEach(add);
    input.value = '';
  });

  return {
    node: el('div', { class: 'publicity-picker' },
      el('label', { for: 'publicity-files', class: 'publicity-pick' }, t('publicity.file.pick')),
      input,
      el('p', { class: 'hint' }, t('publicity.file.hint')),
      list),
    async ready() {
      await Promise.all(items.map((i) => i.done));
      const failed = items.filter((i) => i.state !== 'uploaded').length;
      if (failed) throw new Error(t('publicity.file.notAllSent', { n: failed }));
      if (!items.length) throw new Error(t('publicity.file.none'));
      return items.map((i) => ({ fileId: i.fileId }));
    },
  };
}

let fieldSeq = 0;
function field(label, control, hint) {
  control.id ||= `publicity-f${++fieldSeq}`;
  return el('div', { class: 'field' }, el('label', { for: control.id }, label), control, hint ? el('p', { class: 'hint' }, hint) : []);
}

/** A form whose submit reads its body (perhaps waiting for uploads), sends it, and hands the answer on. */
function actionForm(id, heading, controls, buttons, send) {
  const error = el('p', { class: 'error', role: 'alert', id: `${id}-error` });
  const form = el('form', { class: 'action-form publicity-form', id }, el('h2', {}, heading), controls, el('div', { class: 'row' }, buttons), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const all = form.querySelectorAll('button');
    all.forEach((b) => { b.disabled = true; });
    try {
      await send(event.submitter?.value);
    } catch (err) {
      error.textContent = refusal(err);
    } finally {
      all.forEach((b) => { b.disabled = false; });
    }
  });
  return form;
}

export async function renderPublicityNew(view, me) {
  const list = await units();
  // A squad's key submits for its squad; a unit above it names one of its squads.
  const squads = me.unit.kind === 'squad' ? [] : list.filter((u) => u.kind === 'squad' && u.path.startsWith(`${me.unit.path}/`));
  const squad = el('select', { id: 'publicity-squad' }, squads.map((u) => el('option', { value: u.id }, u.name)));
  const title = el('input', { type: 'text', id: 'publicity-title-input', maxlength: 200, required: true });
  const body = el('textarea', { id: 'publicity-body-input', rows: 8, maxlength: 10000, required: true });
  const squadId = () => (me.unit.kind === 'squad' ? me.unit.id : squad.value);
  // Files go to the squad chosen when they are picked: choosing another squad starts the picker again.
  let picker = mediaPicker(squadId());
  const pickerSlot = el('div', {}, picker.node);
  squad.addEventListener('change', () => { picker = mediaPicker(squadId()); replace(pickerSlot, picker.node); });
  // One key for this form: a retried submission is the same item.
  // (randomUUID is there only in a secure context: on a plain-http intranet page, a random string of its own.)
  const idempotencyKey = crypto.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const form = actionForm('publicity-form-submit', t('publicity.new'), [
    squads.length ? field(t('publicity.form.squad'), squad) : [],
    field(t('publicity.form.title'), title),
    field(t('publicity.form.body'), body, t('publicity.form.bodyHint')),
    pickerSlot,
  ], [el('button', { type: 'submit' }, t('publicity.submit.submit'))], async () => {
    if (!title.value.trim() || !body.value.trim()) throw new Error(t('publicity.form.textNeeded'));
    const media = await picker.ready();
    const answer = await submit({ ...(squads.length ? { squadId: squadId() } : {}), title: title.value.trim(), body: body.value.trim(), media }, idempotencyKey);
    location.hash = `#/publicity/${encodeURIComponent(answer.id)}`;
  });
  replace(view,
    el('a', { href: '#/publicity', id: 'publicity-back' }, t('publicity.back')),
    el('p', { class: 'hint' }, t('publicity.newIntro')),
    el('section', { class: 'panel' }, form));
}

/** POST /v1/publicity with the form's Idempotency-Key (console/api.js sends no headers of the caller's). */
async function submit(body, idempotencyKey) {
  const response = await fetch('/v1/publicity', {
    method: 'POST',
    headers: { 'x-bangnong-console': '1', 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const answer = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

/** The photos (a preview linking to the photo) and the video (played here). */
function mediaView(p) {
  return el('div', { class: 'publicity-media', id: 'publicity-media' }, p.media.map((m) => (m.type === 'video/mp4'
    ? el('video', { src: m.url, controls: true, preload: 'metadata', class: 'publicity-video', 'aria-label': m.name })
    : el('a', { href: m.url, target: '_blank', rel: 'noopener', class: 'publicity-photo' }, el('img', { src: m.previewUrl ?? m.url, alt: m.name, loading: 'lazy' })))));
}

function facts(p, names, now) {
  const row = (label, value, id) => (value === undefined || value === null || value === '' ? [] : [el('dt', {}, t(label)), el('dd', { id }, value)]);
  return el('dl', { class: 'facts', id: 'publicity-facts' },
    row('publicity.fact.state', stateBadge(p)),
    row('publicity.fact.waits', p.deadlineAt ? el('span', { id: 'publicity-left' }, waiting(p, now)) : undefined),
    row('publicity.fact.squad', names.get(p.squadId) ?? p.squadId),
    row('publicity.fact.district', names.get(p.districtId) ?? p.districtId),
    row('publicity.fact.submitted', `${dateTime(p.createdAt)} · ${term('role', p.submittedBy.role)}`),
    row('publicity.fact.round', p.round > 1 ? t('publicity.roundN', { n: p.round }) : undefined),
    row('publicity.fact.released', p.releasedAt ? dateTime(p.releasedAt) : undefined, 'publicity-released'),
    row('publicity.fact.takenDown', p.takenDownAt ? `${dateTime(p.takenDownAt)} · ${p.takeDownReason}` : undefined, 'publicity-taken-down'));
}

/** One step of the history in words: what happened, at which level, by whom, with the comments or reason. */
function historyEntry(e, names) {
  const level = e.payload.level ? t(`publicity.level.${e.payload.level}`) : '';
  const what = e.type === 'approved' && e.to === 'released' ? t('publicity.event.released', { level }) : t(`publicity.event.${e.type}`, { level });
  const note = e.payload.comments ?? e.payload.reason;
  return el('li', { 'data-event': e.type },
    el('span', { class: 'event' }, what),
    el('time', { datetime: e.at }, dateTime(e.at)),
    el('span', { class: 'actor' }, e.actor.role === 'system' ? term('role', 'system') : `${names.get(e.actor.unitId) ?? e.actor.unitId} · ${term('role', e.actor.role)}`),
    note ? el('p', { class: 'publicity-note' }, note) : []);
}

/** The forms of the actions the item takes now that this viewer may take. */
function forms(p, me, onDone) {
  const act = async (body) => onDone(await api('POST', `/v1/publicity/${encodeURIComponent(p.id)}/actions`, body), body.type);
  const out = [];
  const allowed = new Set(p.allowedActions);
  if (allowed.has('review') && me.may['publicity.review'] && me.unit.id === p.reviewUnitId) {
    const comments = el('textarea', { id: 'publicity-comments', rows: 4, maxlength: 5000 });
    out.push(actionForm('publicity-form-review', t('publicity.action.reviewAt', { level: t(`publicity.level.${p.reviewLevel}`) }),
      [field(t('publicity.form.comments'), comments, t('publicity.form.commentsHint'))],
      [el('button', { type: 'submit', value: 'approve', id: 'publicity-approve' }, t('publicity.submit.approve')),
        el('button', { type: 'submit', value: 'return', id: 'publicity-return', class: 'secondary' }, t('publicity.submit.return'))],
      async (decision) => {
        const text = comments.value.trim();
        if (decision === 'return' && !text) throw new Error(t('publicity.form.commentsNeeded'));
        await act({ type: 'review', decision, ...(text ? { comments: text } : {}) });
      }));
  }
  if (allowed.has('resubmit') && me.may['publicity.submit']) {
    const title = el('input', { type: 'text', id: 'publicity-title-input', maxlength: 200, value: p.title });
    const body = el('textarea', { id: 'publicity-body-input', rows: 8, maxlength: 10000 });
    body.value = p.body;
    const picker = mediaPicker(p.squadId, p.media);
    out.push(actionForm('publicity-form-resubmit', t('publicity.action.resubmit'),
      [field(t('publicity.form.title'), title), field(t('publicity.form.body'), body), picker.node],
      [el('button', { type: 'submit' }, t('publicity.submit.resubmit'))],
      async () => {
        if (!title.value.trim() || !body.value.trim()) throw new Error(t('publicity.form.textNeeded'));
        const media = await picker.ready();
        await act({ type: 'resubmit', title: title.value.trim(), body: body.value.trim(), media });
      }));
  }
  if (allowed.has('withdraw') && me.may['publicity.submit']) {
    const reason = el('input', { type: 'text', id: 'publicity-withdraw-reason', maxlength: 2000 });
    out.push(actionForm('publicity-form-withdraw', t('publicity.action.withdraw'), [field(t('publicity.form.withdrawReason'), reason)],
      [el('button', { type: 'submit', class: 'secondary' }, t('publicity.submit.withdraw'))],
      () => act({ type: 'withdraw', ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) })));
  }
  if (allowed.has('take_down') && me.may['publicity.take_down']) {
    const reason = el('textarea', { id: 'publicity-take-down-reason', rows: 3, maxlength: 2000 });
    out.push(actionForm('publicity-form-take-down', t('publicity.action.take_down'), [field(t('publicity.form.takeDownReason'), reason, t('publicity.form.takeDownHint'))],
      [el('button', { type: 'submit', class: 'danger' }, t('publicity.submit.take_down'))],
      async () => {
        if (!reason.value.trim()) throw new Error(t('publicity.form.reasonNeeded'));
        await act({ type: 'take_down', reason: reason.value.trim() });
      }));
  }
  return out;
}

export async function renderPublicityItem(view, me, id) {
  const [first, list] = await Promise.all([api('GET', `/v1/publicity/${encodeURIComponent(id)}`), units()]);
  const names = namesOf(list);
  const draw = (p, status) => {
    const open = forms(p, me, async (after, type) => {
      if (view.isConnected) draw(after, t(`publicity.done.${type}`, { state: t(`publicity.state.${after.state}`) }));
    });
    replace(view,
      el('a', { href: '#/publicity', id: 'publicity-back' }, t('publicity.back')),
      el('h1', { id: 'publicity-heading' }, p.title),
      status ? el('p', { class: 'publicity-status', id: 'publicity-status', role: 'status' }, status) : [],
      p.state === 'returned' && p.comments ? el('p', { class: 'publicity-comments', id: 'publicity-returned-comments' }, t('publicity.returnedWith', { comments: p.comments })) : [],
      el('div', { class: 'publicity-page' },
        el('section', { class: 'panel' },
          mediaView(p),
          el('div', { class: 'publicity-text', id: 'publicity-text' }, p.body),
          facts(p, names, Date.now())),
        el('section', { class: 'panel' },
          open.length ? open : el('p', { class: 'empty', id: 'publicity-no-actions' }, t('publicity.noActions')),
          el('h2', {}, t('publicity.history')),
          el('ol', { class: 'timeline', id: 'publicity-history' }, (p.history ?? []).map((e) => historyEntry(e, names))))));
  };
  draw(first);
}
