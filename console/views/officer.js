// 我的案件: the officer's workbench, made for a phone in the street first (and a desk too). The squad's
// open cases by stage, each ordered by its deadline with the time left or how late it is; on a case, the
// actions its state allows that the officer's role may take — accept, arrive, record evidence with photos
// from the phone's camera, resolve with photos, escalate with a reason, and consent to (or refuse) a
// reporter accompanying — each through the one action endpoint. Photos are made smaller on the phone
// (≤ 2048 px, JPEG) before they go, for a slow link, and each shows its own progress or what went wrong.
// A live case event (console/live.js) refetches the list and the open case; a form being filled survives.

import { ApiError, api, apiRefusal } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, duration, t, term } from '../i18n.js';

/** The squad's cases in the hands of its officers, by stage. */
const GROUPS = ['dispatched', 'investigating', 'escalated'];
const LIST_LIMIT = 200;
const LIVE_DEBOUNCE_MS = 400;
/** How often the times left are counted again while the page is open. */
const TICK_MS = 60_000;
/** Photos go at most this many pixels on their long side, as JPEG of this quality. */
const PHOTO_MAX_SIDE = 2048;
const PHOTO_QUALITY = 0.85;
const UPLOAD_TIMEOUT_MS = 180_000;
/** The actions this screen takes itself; another one the case allows is on the case page. */
const ONE_TAP = ['accept', 'arrive'];
const WITH_FORM = ['record_evidence', 'resolve', 'escalate', 'media_join_decision'];

/** The previous render's live listener and clock, dropped when the workbench is rendered again. */
let leave;

const openCaseId = () => new URLSearchParams(location.hash.split('?')[1] ?? '').get('case');
const caseUrl = (id) => `/v1/cases/${encodeURIComponent(id)}`;

function timeLeft(c, now) {
  if (!c.deadlineAt) return el('span', { class: 'due' }, t('officer.noDeadline'));
  const ms = Date.parse(c.deadlineAt) - now;
  return ms > 0
    ? el('span', { class: 'due' }, t('officer.timeLeft', { span: duration(ms) }))
    : el('span', { class: 'due late' }, t('officer.lateBy', { span: duration(-ms) }));
}

const byDeadline = (a, b) => (a.deadlineAt ? Date.parse(a.deadlineAt) : Infinity) - (b.deadlineAt ? Date.parse(b.deadlineAt) : Infinity);

function caseCard(c, now, me, openId) {
  return el('li', {},
    el('a', { class: 'officer-card', href: `#/officer?case=${encodeURIComponent(c.id)}`, 'data-case': c.id, 'aria-current': c.id === openId ? 'true' : undefined },
      el('span', { class: 'card-title' }, c.urgent ? el('span', { class: 'badge urgent' }, t('officer.urgent')) : [], c.title),
      el('span', { class: 'card-place' }, c.location?.address ?? ''),
      el('span', { class: 'card-meta' },
        timeLeft(c, now),
        el('span', {}, term('stage', c.stage)),
        c.assignedOfficerId === me.id ? el('span', { class: 'badge mine' }, t('officer.mine')) : [],
        c.media?.accompany === 'requested' ? el('span', { class: 'badge' }, t('officer.joinAsked')) : [])));
}

function caseList(cases, now, me, openId) {
  return GROUPS.map((state) => {
    const mine = cases.filter((c) => c.state === state).sort(byDeadline);
    return el('section', { class: 'officer-group', id: `group-${state}`, 'data-state': state },
      el('h2', {}, t(`officer.group.${state}`), el('span', { class: 'count' }, String(mine.length))),
      mine.length
        ? el('ul', { class: 'officer-cards' }, mine.map((c) => caseCard(c, now, me, openId)))
        : el('p', { class: 'empty' }, t(`officer.group.${state}.empty`)));
  });
}

/** The API's refusal of an action in words (console/api.js); anything else, its own message. */
const refusal = (err) => apiRefusal(err) ?? (err?.message || t('error.unexpected'));

/** Why an upload did not go, for a person in the street. */
function uploadRefusal(err) {
  if (!(err instanceof ApiError)) return err?.message || t('error.unexpected');
  switch (err.status) {
    case 401: return t('officer.photo.signedOut');
    case 403: return t('officer.photo.forbidden');
    case 413: return t('officer.photo.tooLarge');
    case 415: return t('officer.photo.wrongType');
    default: return t('officer.photo.refused', { error: err.message });
  }
}

/**
 * A photo as it goes over a slow link: drawn upright on a canvas at most 2048 px on its long side and
 * encoded as JPEG (which also leaves the camera's metadata, its location too, behind).
 */
export async function shrink(file) {
  let source;
  try {
    source = typeof createImageBitmap === 'function'
      ? await createImageBitmap(file, { imageOrientation: 'from-image' })
      : await new Promise((resolve, reject) => {
        const image = new Image();
        const url = URL.createObjectURL(file);
        image.onload = () => { URL.revokeObjectURL(url); resolve(image); };
        image.onerror = () => { URL.revokeObjectURL(url); reject(new Error('decode')); };
        image.src = url;
      });
  } catch {
    throw new Error(t('officer.photo.notImage'));
  }
  const width = source.width;
  const height = source.height;
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  source.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', PHOTO_QUALITY));
  if (!blob) throw new Error(t('officer.photo.notImage'));
  return blob;
}

/** Uploads a file to the case, telling `onProgress` how much has gone (0–1). XHR: fetch cannot tell. */
function upload(caseId, blob, name, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${caseUrl(caseId)}/files`);
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

let pickerSeq = 0;

/**
 * Photos for an action: taken with the camera (or chosen), each made smaller and uploaded at once, with
 * its progress; `ready()` waits for those still going and answers the attachments, or says which failed.
 */
function photoPicker(caseId, type, changed) {
  const id = `photos-${type}-${++pickerSeq}`;
  const items = [];
  const list = el('ul', { class: 'photos', id: `${id}-list` });
  const input = el('input', { type: 'file', id, accept: 'image/*', capture: 'environment', multiple: true, class: 'photo-input' });

  const add = (file, index) => {
    const item = { state: 'preparing', fileId: undefined, url: undefined };
    const image = el('img', { alt: t('officer.photo.alt', { n: items.length + 1 }) });
    const status = el('span', { class: 'photo-status', role: 'status' }, t('officer.photo.preparing'));
    const bar = el('progress', { max: 100, value: 0 });
    const remove = el('button', { type: 'button', class: 'link photo-remove' }, t('officer.photo.remove'));
    const retry = el('button', { type: 'button', class: 'link photo-retry', hidden: true }, t('officer.photo.retry'));
    const node = el('li', { class: 'photo', 'data-state': 'preparing' }, image, el('div', { class: 'photo-info' }, status, bar, el('div', { class: 'photo-buttons' }, retry, remove)));
    const show = (state, words) => {
      item.state = state;
      node.setAttribute('data-state', state);
      status.textContent = words;
      retry.hidden = state !== 'failed';
      bar.hidden = state !== 'uploading';
    };
    const name = `${(file.name || 'photo').replace(/\.[^.]*$/, '') || 'photo'}-${index + 1}.jpg`;
    let blob;
    const send = async () => {
      try {
        if (!blob) {
          show('preparing', t('officer.photo.preparing'));
          blob = await shrink(file);
          item.url = URL.createObjectURL(blob);
          image.src = item.url;
        }
        show('uploading', t('officer.photo.uploading', { percent: 0 }));
        const answer = await upload(caseId, blob, name, (part) => {
          const percent = Math.round(part * 100);
          bar.value = percent;
          status.textContent = t('officer.photo.uploading', { percent });
        });
        item.fileId = answer.id;
        show('uploaded', t('officer.photo.uploaded', { size: Math.max(1, Math.round(answer.size / 1024)) }));
      } catch (err) {
        show('failed', uploadRefusal(err));
      }
    };
    remove.addEventListener('click', () => {
      items.splice(items.indexOf(item), 1);
      if (item.url) URL.revokeObjectURL(item.url);
      node.remove();
      changed();
    });
    retry.addEventListener('click', () => {
      item.done = send();
      changed();
    });
    items.push(item);
    list.append(node);
    item.done = send();
  };

  input.addEventListener('change', () => {
    [...input.files].forEach((file, i) => add(file, items.length + i));
    input.value = '';
    changed();
  });

  return {
    node: el('div', { class: 'photo-picker' },
      el('label', { for: id, class: 'photo-take' }, t('officer.photo.take')),
      input,
      el('p', { class: 'hint' }, t('officer.photo.hint')),
      list),
    /** The uploaded photos as attachments, once every one still going has gone; an error names failures. */
    async ready() {
      await Promise.all(items.map((i) => i.done));
      const failed = items.filter((i) => i.state !== 'uploaded').length;
      if (failed) throw new Error(t('officer.photo.notAllSent', { n: failed }));
      return items.map((i) => ({ fileId: i.fileId }));
    },
  };
}

let fieldSeq = 0;
function field(label, control) {
  control.id ||= `of${++fieldSeq}`;
  return el('div', { class: 'field' }, el('label', { for: control.id }, label), control);
}
const textArea = (id, required) => el('textarea', { id, rows: 3, required, maxlength: 5000 });

/** The form of one action: its fields and how its body is read (an async read may wait for photos). */
function formFor(c, type, changed) {
  switch (type) {
    case 'record_evidence': {
      const note = textArea('evidence-note', false);
      const photos = photoPicker(c.id, type, changed);
      return {
        controls: [photos.node, field(t('officer.form.note'), note)],
        read: async () => {
          const attachments = await photos.ready();
          const body = {};
          if (note.value.trim()) body.note = note.value.trim();
          if (attachments.length) body.attachments = attachments;
          if (!body.note && !body.attachments) throw new Error(t('officer.form.evidenceNeeds'));
          return body;
        },
      };
    }
    case 'resolve': {
      const result = textArea('resolve-result', true);
      const photos = photoPicker(c.id, type, changed);
      return {
        controls: [field(t('officer.form.result'), result), photos.node],
        read: async () => {
          const attachments = await photos.ready();
          return { result: result.value.trim(), ...(attachments.length ? { attachments } : {}) };
        },
      };
    }
    case 'escalate': {
      const reason = textArea('escalate-reason', true);
      return { hint: t('officer.form.escalateHint'), controls: [field(t('officer.form.reason'), reason)], read: async () => ({ reason: reason.value.trim() }) };
    }
    case 'media_join_decision': {
      const note = textArea('join-note', false);
      const choice = (value, checked) => el('label', { class: 'choice' },
        el('input', { type: 'radio', name: 'approve', value, checked, id: `join-${value}` }), t(`officer.form.join.${value}`));
      const group = el('fieldset', { class: 'choices' }, el('legend', {}, t('officer.form.join.question')), choice('yes', false), choice('no', false));
      return {
        hint: t('officer.form.joinHint'),
        controls: [group, field(t('officer.form.note'), note)],
        read: async () => {
          const picked = group.querySelector('input:checked')?.value;
          if (!picked) throw new Error(t('officer.form.join.pick'));
          return { approve: picked === 'yes', ...(note.value.trim() ? { note: note.value.trim() } : {}) };
        },
      };
    }
    default:
      throw new Error(`no form for ${type}`);
  }
}

/** Photos already on the case (evidence and resolution), as thumbnails leading to the file. */
function photosOf(events) {
  const files = events.flatMap((e) => (Array.isArray(e.payload?.attachments) ? e.payload.attachments : []))
    .filter((a) => typeof a.fileId === 'string' && String(a.contentType ?? '').startsWith('image/'));
  if (!files.length) return [];
  return el('section', { class: 'officer-photos' },
    el('h3', {}, t('officer.photos', { n: files.length })),
    el('ul', { class: 'thumbs' }, files.map((a) => {
      const href = `/v1/files/${encodeURIComponent(a.fileId)}`;
      return el('li', {}, el('a', { href, target: '_blank', rel: 'noopener' }, el('img', { src: `${href}/preview`, alt: a.name || t('files.unnamed'), loading: 'lazy' })));
    })));
}

function facts(c) {
  const row = (label, value, attrs = {}) => (value ? [el('dt', {}, t(label)), el('dd', attrs, value)] : []);
  const citizen = c.citizen ?? {};
  const phone = citizen.phone && /\d/.test(citizen.phone) && !citizen.phone.includes('*')
    ? el('a', { href: `tel:${citizen.phone.replace(/[^\d+]/g, '')}` }, citizen.phone)
    : citizen.phone;
  const contact = [citizen.name, phone].filter(Boolean);
  return el('dl', { class: 'facts officer-facts' },
    row('officer.fact.state', term('state', c.state), { id: 'officer-state' }),
    row('officer.fact.stage', c.stage ? term('stage', c.stage) : undefined),
    row('officer.fact.deadline', c.deadlineAt ? [dateTime(c.deadlineAt), ' · ', timeLeft(c, Date.now())] : undefined),
    row('officer.fact.address', c.location?.address),
    row('officer.fact.category', c.category ? term('category', c.category) : undefined),
    row('officer.fact.citizen', contact.length ? contact.flatMap((part, i) => (i ? [' · ', part] : [part])) : undefined),
    row('officer.fact.instructions', c.instructions));
}

/** The open case: what it is, its photos, its actions, the form being filled and what the last action did. */
function caseDetail(id, me, listChanged) {
  const parts = {
    title: el('h2', { id: 'officer-case-title' }),
    facts: el('div'),
    description: el('p', { class: 'officer-description' }),
    photos: el('div'),
    actions: el('div', { class: 'officer-actions', id: 'officer-actions' }),
    form: el('div', { class: 'forms', id: 'officer-form' }),
    said: el('p', { class: 'officer-said', role: 'status', id: 'officer-said' }),
  };
  let c;

  /** Takes the action; `sent` runs as soon as the API has taken it (a form closes), before the refetch. */
  const act = async (type, body, button, sent) => {
    parts.said.textContent = '';
    parts.said.classList.remove('error');
    if (button) button.disabled = true;
    try {
      c = await api('POST', `${caseUrl(id)}/actions`, { ...body, type });
      sent?.();
      parts.said.textContent = t('officer.done', { action: term('action', type), state: term('state', c.state) });
      await Promise.all([update(), listChanged()]);
      return true;
    } catch (err) {
      parts.said.textContent = refusal(err);
      parts.said.classList.add('error');
      return false;
    } finally {
      if (button) button.disabled = false;
    }
  };

  const openForm = (type) => {
    const error = el('p', { class: 'error', role: 'alert', id: 'officer-form-error' });
    // What the officer changes clears what was said about the form before.
    const { controls, read, hint } = formFor(c, type, () => { error.textContent = ''; });
    const submit = el('button', { type: 'submit' }, t('officer.submit', { action: term('action', type) }));
    const form = el('form', { class: 'action-form officer-form', id: `officer-form-${type}`, 'data-action': type },
      el('h3', {}, term('action', type)),
      hint ? el('p', { class: 'hint' }, hint) : [],
      controls,
      el('div', { class: 'row' }, submit, el('button', { type: 'button', class: 'link', onclick: () => form.remove() }, t('case.cancel'))),
      error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      submit.disabled = true;
      submit.textContent = t('officer.sending');
      try {
        let body;
        try {
          body = await read();
        } catch (err) {
          error.textContent = err.message;
          return;
        }
        if (!(await act(type, body, undefined, () => form.remove()))) error.textContent = parts.said.textContent;
      } finally {
        submit.disabled = false;
        submit.textContent = t('officer.submit', { action: term('action', type) });
      }
    });
    replace(parts.form, form);
    form.querySelector('textarea, input[type=radio]')?.focus({ preventScroll: true });
    form.scrollIntoView({ block: 'nearest' });
  };

  // Overlapping updates (a live event during an action's own refetch) may answer out of order: only the
  // latest one draws.
  let latest = 0;
  async function update() {
    const mine = ++latest;
    const [fresh, { events }] = await Promise.all([api('GET', caseUrl(id)), api('GET', `${caseUrl(id)}/events`)]);
    if (mine !== latest) return;
    c = fresh;
    const allowed = c.allowedActions.filter((type) => me.may[type]);
    const here = allowed.filter((type) => ONE_TAP.includes(type) || WITH_FORM.includes(type));
    parts.title.textContent = c.title;
    replace(parts.facts, facts(c));
    parts.description.textContent = c.description;
    replace(parts.photos, photosOf(events));
    replace(parts.actions,
      here.length
        ? here.map((type) => el('button', {
          type: 'button',
          'data-action': type,
          class: ONE_TAP.includes(type) ? 'primary' : undefined,
          onclick: (event) => (ONE_TAP.includes(type) ? void act(type, {}, event.currentTarget) : openForm(type)),
        }, term('action', type)))
        : el('p', { class: 'empty' }, t('officer.noActions')),
      allowed.some((type) => !here.includes(type)) ? el('a', { href: `#/cases/${encodeURIComponent(id)}`, class: 'more' }, t('officer.moreActions')) : []);
    // A form whose action the case no longer allows goes; one still allowed keeps what was typed and taken.
    const open = parts.form.querySelector('form[data-action]');
    if (open && !here.includes(open.getAttribute('data-action'))) open.remove();
  }

  return {
    update,
    node: el('article', { class: 'officer-detail' },
      el('p', { class: 'officer-back' }, el('a', { href: '#/officer' }, t('officer.back'))),
      parts.title,
      parts.facts,
      parts.description,
      parts.photos,
      el('h3', { class: 'visually-hidden' }, t('officer.actions')),
      parts.actions,
      parts.said,
      parts.form,
      el('p', { class: 'officer-full' }, el('a', { href: `#/cases/${encodeURIComponent(id)}` }, t('officer.fullCase')))),
  };
}

export async function renderOfficer(view, me) {
  leave?.();
  const openId = openCaseId();
  const listBox = el('div', { id: 'officer-list' });
  const detailBox = el('div');
  let cases = [];
  const drawList = () => replace(listBox, caseList(cases, Date.now(), me, openId));
  const refreshList = async () => {
    const answer = await api('GET', `/v1/cases?state=${GROUPS.join(',')}&limit=${LIST_LIMIT}`);
    cases = answer.cases;
    drawList();
  };
  const detail = openId ? caseDetail(openId, me, () => refreshList().catch(() => undefined)) : undefined;
  await Promise.all([
    refreshList(),
    detail?.update().then(
      () => replace(detailBox, detail.node),
      (err) => replace(detailBox, el('p', { class: 'officer-back' }, el('a', { href: '#/officer' }, t('officer.back'))), el('p', { class: 'error', role: 'alert' }, refusal(err)))),
  ]);

  replace(view,
    el('div', { class: 'officer', 'data-open': openId ? 'case' : undefined },
      el('section', { class: 'officer-list' },
        el('h1', {}, t('officer.title')),
        el('p', { class: 'hint' }, t('officer.scope', { unit: me.unit.name })),
        listBox),
      el('section', { class: 'officer-case', id: 'officer-case' }, openId ? detailBox : el('p', { class: 'empty officer-pick' }, t('officer.pick')))));

  // Live: any case event refetches the list, and an event of the open case refetches it, once a burst settles.
  let timer;
  let openChanged = false;
  const onEvent = (event) => {
    if (!view.isConnected) return leave?.();
    if (openId && event.detail?.caseId === openId) openChanged = true;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!view.isConnected) return;
      refreshList().catch(() => undefined);
      if (openChanged && detail) detail.update().catch(() => undefined);
      openChanged = false;
    }, LIVE_DEBOUNCE_MS);
  };
  const tick = setInterval(() => (view.isConnected ? drawList() : leave?.()), TICK_MS);
  window.addEventListener('bangnong:case-event', onEvent);
  leave = () => {
    clearTimeout(timer);
    clearInterval(tick);
    window.removeEventListener('bangnong:case-event', onEvent);
    leave = undefined;
  };
}
