// 媒体报道: the reporter's media desk. The newspaper's cases, grouped by what the reporter has to do or
// wait for: a draft returned with the reviewers' comments, an approved item to publish, a case to follow
// (ask to accompany the officers, write a draft), a request waiting for the officers' answer, a draft in
// review at a level with its deadline, a case not yet dispatched, what is published or not reported.
// Each card offers only what the case allows now (allowedActions) and the role may take (/v1/me), and
// acts through the one action endpoint. The citizen is never shown: the API masks the free text for a
// reporter, and this page does not render the citizen at all. A live case event refetches the lists;
// an open form and what was typed in it survive the refresh.

import { ApiError, api } from '../api.js';
import { el, replace } from '../dom.js';
import { dateTime, duration, t, term } from '../i18n.js';

/** The newspaper's own channel: its cases carry the media item (policy.media.channels, by default). */
const CHANNEL = 'xinmin';
/** The list comes a page at a time, most urgent deadline first; this many pages at most. */
const PAGE_SIZE = 200;
const MAX_PAGES = 4;
const LIVE_DEBOUNCE_MS = 400;
/** How long the word that an action went through stays on screen. */
const NOTICE_MS = 8_000;
/** Seen with every group, a finished group shows this many cards and links to the rest. */
const FOLDED = 12;

/** What the reporter has to do first, then what it waits for, then what is done. */
const GROUPS = ['returned', 'publish', 'start', 'answer', 'review', 'pending', 'published', 'ended'];
const FINISHED = new Set(['published', 'ended']);
/** The reporter's own actions, in the order a card offers them. */
const ACTIONS = ['media_draft', 'media_join_request', 'media_publish'];

/** The page on screen: its parts, its open forms and the answers to accompany requests already read. */
let current;
/** The officers' notes on accompany requests, by case: a decision is taken once, so it is read once. */
const answerNotes = new Map();

const offeredActions = (c, me) => ACTIONS.filter((type) => c.allowedActions.includes(type) && me.may[type]);

function groupOf(c, offered) {
  switch (c.media.status) {
    case 'returned': return 'returned';
    case 'approved': return 'publish';
    case 'in_review': return 'review';
    case 'published': return 'published';
    case 'waived': return 'ended';
    default:
      if (c.state === 'closed') return 'ended';
      if (c.media.accompany === 'requested') return 'answer';
      return offered.length ? 'start' : 'pending';
  }
}

const time = (iso) => (iso ? Date.parse(iso) : 0);
/** In review: the nearest deadline first; published: the latest first; to do: the longest waiting first. */
const ORDER = {
  review: (a, b) => time(a.media.deadlineAt) - time(b.media.deadlineAt),
  published: (a, b) => time(b.media.publishedAt) - time(a.media.publishedAt),
  ended: (a, b) => time(b.updatedAt) - time(a.updatedAt),
};
const byWaiting = (a, b) => time(a.updatedAt) - time(b.updatedAt);

function readGroup() {
  const group = new URLSearchParams(location.hash.split('?')[1] ?? '').get('group');
  return GROUPS.includes(group) ? group : undefined;
}

/** A link a person may open: http(s) only; anything else is shown as text. */
function safeLink(url, text, id) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return text;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return text;
  return el('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer', id }, text);
}

/** The API's refusal for a person: a 409 says what the case is now and what the reporter may do in it. */
function refusal(err, type, me) {
  const action = term('action', type);
  if (!(err instanceof ApiError)) return t('reporter.failed', { action, error: t('error.unexpected') });
  const body = err.body ?? {};
  if (err.status === 409 && body.state) {
    const mine = (body.allowed ?? []).filter((a) => me.may[a]).map((a) => term('action', a));
    return t('reporter.conflict', { action, state: term('state', body.state), allowed: mine.join(t('case.listSeparator')) || t('value.none') });
  }
  if (Array.isArray(body.issues) && body.issues.length) {
    return t('reporter.failed', { action, error: `${err.message} (${body.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` });
  }
  return t('reporter.failed', { action, error: err.message });
}

// ---- reading ------------------------------------------------------------------------------------------

async function load() {
  const cases = [];
  let cursor;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ channel: CHANNEL, limit: String(PAGE_SIZE) });
    if (cursor) query.set('cursor', cursor);
    const answer = await api('GET', `/v1/cases?${query}`);
    cases.push(...answer.cases);
    cursor = answer.next;
    if (!cursor) break;
  }
  const shown = cases.filter((c) => c.media.status !== 'not_applicable');
  await readAnswerNotes(shown);
  return { cases: shown, truncated: Boolean(cursor) };
}

/** The officers' note on an answered accompany request, from the case's timeline, for the cases still open to the reporter. */
async function readAnswerNotes(cases) {
  const unread = cases.filter((c) => ['approved', 'refused'].includes(c.media.accompany) && !answerNotes.has(c.id) && !['published', 'waived'].includes(c.media.status));
  await Promise.all(unread.map(async (c) => {
    try {
      const { events } = await api('GET', `/v1/cases/${encodeURIComponent(c.id)}/events`);
      const decision = events.filter((e) => e.type === 'media_join_decision').at(-1);
      const note = typeof decision?.payload?.note === 'string' ? decision.payload.note.trim() : '';
      answerNotes.set(c.id, note);
    } catch {
      // The answer itself is on the case; only its note is missing, until the next refresh.
    }
  }));
}

// ---- a case's card ------------------------------------------------------------------------------------

function statusLabel(c) {
  return c.media.status === 'none' ? t('reporter.status.none') : term('case.mediaStatus', c.media.status);
}

function accompany(c, group) {
  const m = c.media;
  if (m.accompany === 'none') return [];
  // The officers' note matters while the story is being made; for finished items it is not read.
  const note = FINISHED.has(group) ? undefined : answerNotes.get(c.id);
  return el('div', { class: `rp-accompany rp-accompany-${m.accompany}`, 'data-accompany': m.accompany },
    el('p', {}, t(`reporter.accompany.${m.accompany}`)),
    note && m.accompany !== 'requested' ? el('p', { class: 'rp-note' }, t('reporter.accompany.note', { note })) : []);
}

function deadline(m) {
  if (!m.deadlineAt) return [];
  const left = Date.parse(m.deadlineAt) - Date.now();
  const late = m.overdue || left <= 0;
  return el('p', { class: late ? 'rp-deadline late' : 'rp-deadline' },
    t('reporter.review.deadline', { at: dateTime(m.deadlineAt) }),
    late ? t('reporter.review.late', { span: duration(-left) }) : t('reporter.review.left', { span: duration(left) }));
}

function draft(m, open) {
  if (!m.title && !m.body) return [];
  return el('details', { class: 'rp-draft', open },
    el('summary', {}, t('reporter.draft.heading'), m.title ? el('span', { class: 'rp-draft-title' }, m.title) : []),
    m.body ? el('div', { class: 'rp-draft-body' }, m.body) : []);
}

function mediaPart(c, group) {
  const m = c.media;
  switch (group) {
    case 'review':
      return [
        el('p', { class: 'rp-level' }, t('reporter.review.waiting', { level: term('level', m.reviewLevel) })),
        deadline(m),
        draft(m, false),
      ];
    case 'returned':
      return [
        el('div', { class: 'rp-comments', role: 'note' }, el('h4', {}, t('reporter.comments')), el('p', { class: 'rp-comments-text' }, m.comments ?? t('value.none'))),
        draft(m, false),
      ];
    case 'publish':
      return [el('p', { class: 'rp-level' }, t('reporter.approved')), draft(m, false)];
    case 'published':
      return [
        el('p', { class: 'rp-published' }, t('reporter.published.at', { at: dateTime(m.publishedAt) })),
        el('p', { class: 'rp-link' }, m.url ? safeLink(m.url, m.url, `link-${c.id}`) : t('reporter.published.noLink')),
        draft(m, false),
      ];
    case 'pending':
      return el('p', { class: 'hint' }, t('reporter.pendingCard'));
    default:
      return [];
  }
}

/** What the complaint and its disposal say (the API has masked the citizen in this text for a reporter). */
function caseFacts(c, page) {
  const row = (label, value) => (value ? [el('dt', {}, t(label)), el('dd', {}, value)] : []);
  const details = el('details', { class: 'rp-facts', open: page.openFacts.has(c.id) },
    el('summary', {}, t('reporter.card.details')),
    el('dl', { class: 'facts' },
      row('reporter.card.description', c.description),
      row('reporter.card.address', c.location?.address),
      row('reporter.card.level', term('level', c.escalationLevel)),
      row('reporter.card.resolution', c.resolution)));
  details.addEventListener('toggle', () => (details.open ? page.openFacts.add(c.id) : page.openFacts.delete(c.id)));
  return details;
}

function card(c, group, page) {
  const { me } = page;
  const offered = offeredActions(c, me);
  const place = [c.location?.district, c.location?.street].filter(Boolean).join(' ');
  const slot = el('div', { class: 'rp-form-slot' });
  const buttons = offered.map((type) =>
    el('button', { type: 'button', class: type === 'media_join_request' ? 'secondary' : undefined, 'data-action': type, onclick: () => openForm(page, c, type, group, slot) },
      type === 'media_draft' && group === 'returned' ? t('reporter.action.redraft') : term('action', type)));
  // A form opened before this refresh goes on in the new card, as long as the case still allows its action.
  const open = page.openForms.get(c.id);
  if (open && offered.includes(open.getAttribute('data-action'))) slot.append(open);
  else page.openForms.delete(c.id);
  return el('article', { class: `rp-card rp-card-${group}`, 'data-case': c.id, 'data-group': group },
    el('header', { class: 'rp-card-head' },
      el('h3', {}, el('a', { href: `#/cases/${encodeURIComponent(c.id)}` }, c.title)),
      el('span', { class: `rp-status rp-status-${c.media.status}` }, statusLabel(c))),
    el('p', { class: 'rp-meta' },
      [term('category', c.category ?? 'unknown'), place, term('state', c.state), t('reporter.card.filed', { at: dateTime(c.createdAt) })].filter(Boolean).join(' · ')),
    c.media.reporterId && c.media.reporterId !== me.id ? el('p', { class: 'hint rp-other' }, t('reporter.otherReporter')) : [],
    accompany(c, group),
    mediaPart(c, group),
    caseFacts(c, page),
    buttons.length ? el('div', { class: 'rp-actions' }, buttons) : [],
    slot);
}

// ---- the forms ----------------------------------------------------------------------------------------

let fieldSeq = 0;
function field(label, control, hint) {
  control.id = `rp-f${++fieldSeq}`;
  return el('div', { class: 'field' }, el('label', { for: control.id }, label), control, hint ? el('p', { class: 'hint' }, hint) : []);
}

/** The fields of one of the reporter's actions, and how to read them into the action's body. */
function fieldsFor(type, c) {
  const m = c.media;
  switch (type) {
    case 'media_join_request': {
      const note = el('textarea', { name: 'note', rows: 2, maxlength: 5000 });
      return { controls: [field(t('reporter.form.note'), note)], read: () => (note.value.trim() ? { note: note.value.trim() } : {}) };
    }
    case 'media_draft': {
      const title = el('input', { name: 'title', required: true, maxlength: 300, value: m.title ?? '' });
      const body = el('textarea', { name: 'body', required: true, rows: 8, maxlength: 50_000 }, m.body ?? '');
      return {
        hint: m.status === 'returned' ? t('reporter.form.redraftHint') : t('reporter.form.draftHint'),
        controls: [field(t('reporter.form.title'), title), field(t('reporter.form.body'), body)],
        read: () => {
          if (!title.value.trim() || !body.value.trim()) throw new Error(t('reporter.form.draftNeeds'));
          return { title: title.value.trim(), body: body.value.trim() };
        },
      };
    }
    case 'media_publish': {
      const url = el('input', { name: 'url', type: 'url', inputmode: 'url', maxlength: 2000, spellcheck: 'false', placeholder: 'https://' });
      return {
        controls: [field(t('reporter.form.url'), url, t('reporter.form.urlHint'))],
        read: () => {
          const value = url.value.trim();
          if (!value) return {};
          if (!/^https?:\/\/\S+$/i.test(value)) throw new Error(t('reporter.form.urlBad'));
          return { url: value };
        },
      };
    }
    default:
      throw new Error(`no form for ${type}`);
  }
}

function openForm(page, c, type, group, slot) {
  const { controls, read, hint } = fieldsFor(type, c);
  const error = el('p', { class: 'error', role: 'alert' });
  const label = type === 'media_draft' && group === 'returned' ? t('reporter.action.redraft') : term('action', type);
  const submit = el('button', { type: 'submit' }, t('reporter.form.submit', { action: label }));
  const form = el('form', { class: 'action-form rp-form', 'data-action': type, novalidate: true },
    el('h4', {}, label),
    hint ? el('p', { class: 'hint' }, hint) : [],
    controls,
    el('div', { class: 'row' }, submit,
      el('button', { type: 'button', class: 'link', onclick: () => { form.remove(); page.openForms.delete(c.id); } }, t('case.cancel'))),
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
      page.openForms.delete(c.id);
      form.remove();
      tell(page, t('reporter.done', { action: label, title: c.title }));
      await refresh(page);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // The case has moved on: say where it is now, and show it as it is.
        tell(page, refusal(err, type, page.me), true, err.message);
        await refresh(page);
      } else {
        error.textContent = refusal(err, type, page.me);
      }
    } finally {
      submit.disabled = false;
    }
  });
  page.openForms.set(c.id, form);
  replace(slot, form);
  form.querySelector('input, textarea')?.focus();
}

/** A line above the groups: what an action did (it fades after a while), or why it did not (it stays). */
function tell(page, message, alarm = false, detail = undefined) {
  clearTimeout(page.noticeTimer);
  page.notice.textContent = message;
  page.notice.className = alarm ? 'rp-notice rp-notice-alarm' : 'rp-notice';
  page.notice.setAttribute('role', alarm ? 'alert' : 'status');
  // The API's own words, for whoever looks closer.
  if (detail) page.notice.title = detail;
  else page.notice.removeAttribute('title');
  if (!alarm) page.noticeTimer = setTimeout(() => replace(page.notice), NOTICE_MS);
}

// ---- the page -----------------------------------------------------------------------------------------

function chips(counts, chosen, total) {
  const chip = (group, text, n) => el('a', {
    href: group ? `#/reporter?group=${group}` : '#/reporter',
    class: n === 0 ? 'rp-chip rp-chip-empty' : 'rp-chip',
    'data-group': group ?? 'all',
    'aria-current': (group ?? undefined) === chosen ? 'page' : undefined,
  }, text, ' ', el('span', { class: 'rp-count' }, String(n)));
  return el('nav', { class: 'rp-chips', 'aria-label': t('reporter.filter.label') },
    chip(undefined, t('reporter.filter.all'), total),
    GROUPS.map((g) => chip(g, t(`reporter.group.${g}`), counts[g] ?? 0)));
}

function section(group, cases, page, folded) {
  const sorted = [...cases].sort(ORDER[group] ?? byWaiting);
  const shown = folded && FINISHED.has(group) ? sorted.slice(0, FOLDED) : sorted;
  return el('section', { class: `rp-group rp-group-${group}`, id: `group-${group}`, 'data-group': group },
    el('h2', {}, t(`reporter.group.${group}`), ' ', el('span', { class: 'rp-count' }, String(cases.length))),
    el('p', { class: 'hint' }, t(`reporter.group.${group}.hint`)),
    cases.length === 0
      ? el('p', { class: 'empty' }, t('reporter.group.empty'))
      : el('div', { class: 'rp-cards' }, shown.map((c) => card(c, group, page))),
    shown.length < sorted.length ? el('p', { class: 'rp-more' }, el('a', { href: `#/reporter?group=${group}` }, t('reporter.more', { n: sorted.length }))) : []);
}

function draw(page, { cases, truncated }) {
  // Keep the place of whoever is typing: the field in focus and its selection, across the redraw.
  const active = document.activeElement;
  const selection = active && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : undefined;

  const grouped = Object.fromEntries(GROUPS.map((g) => [g, []]));
  for (const c of cases) grouped[groupOf(c, offeredActions(c, page.me))].push(c);
  const counts = Object.fromEntries(GROUPS.map((g) => [g, grouped[g].length]));
  const chosen = page.group;
  const groups = chosen ? [chosen] : GROUPS.filter((g) => grouped[g].length > 0);
  replace(page.chips, chips(counts, chosen, cases.length));
  replace(page.body,
    truncated ? el('p', { class: 'hint' }, t('reporter.truncated', { n: cases.length })) : [],
    groups.length ? groups.map((g) => section(g, grouped[g], page, !chosen)) : el('p', { class: 'empty', id: 'reporter-empty' }, t('reporter.empty')));

  if (active?.isConnected && document.activeElement !== active) {
    active.focus({ preventScroll: true });
    if (selection) active.setSelectionRange?.(...selection);
  }
}

async function refresh(page) {
  const seq = ++page.loads;
  let loaded;
  try {
    loaded = await load();
  } catch (err) {
    if (page === current && page.root.isConnected) tell(page, t('reporter.refreshFailed', { error: err instanceof ApiError ? err.message : t('error.unexpected') }), true);
    return;
  }
  // A later refresh, or another page, has overtaken this one.
  if (seq !== page.loads || page !== current || !page.root.isConnected) return;
  draw(page, loaded);
}

// Live (console/live.js): an event of one of the newspaper's cases refetches the desk, once a burst has settled.
let liveTimer;
window.addEventListener('bangnong:case-event', (event) => {
  if (!current?.root.isConnected) return;
  if (event.detail?.channel && event.detail.channel !== CHANNEL) return;
  clearTimeout(liveTimer);
  const page = current;
  liveTimer = setTimeout(() => void refresh(page), LIVE_DEBOUNCE_MS);
});

export async function renderReporter(view, me) {
  const page = {
    me,
    group: readGroup(),
    loads: 1,
    openForms: new Map(),
    openFacts: new Set(),
    root: el('div', { class: 'reporter', id: 'reporter' }),
    notice: el('p', { class: 'rp-notice', id: 'reporter-notice', role: 'status' }),
    chips: el('div', { class: 'rp-chips-wrap' }),
    body: el('div', { class: 'rp-body' }),
  };
  current = page;
  const loaded = await load();
  if (current !== page) return;
  replace(page.root,
    el('h1', {}, t('reporter.title')),
    el('p', { class: 'hint rp-intro' }, t('reporter.intro')),
    page.chips,
    page.notice,
    page.body);
  draw(page, loaded);
  replace(view, page.root);
}
