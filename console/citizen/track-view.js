// The tracking page: where a complaint (BN…) or a suggestion (BS…) stands, in plain words; the current
// step's deadline; the answer once given; the rating form while the case takes one; adding information
// and photos while it is open; and what has happened, without names, notes or anything personal — the
// API gives none.

import { ApiError, api, dateTime, el, photoPicker, t, tOr, uploadPhotos } from './common.js';

const RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'];

/** Said once, on the next drawing of the page: what the citizen just did. */
let notice;

const redraw = (message) => {
  notice = message;
  window.dispatchEvent(new HashChangeEvent('hashchange'));
};

function facts(rows) {
  return el('dl', { class: 'facts' }, rows.filter(Boolean).flatMap(([term, value, id]) => [el('dt', {}, term), el('dd', { id }, value)]));
}

/** The case's standing in a sentence a resident understands. */
function statusOf(c) {
  if (c.state === 'closed' && c.outcome) return tOr(`outcome.${c.outcome}`, 'status.closed');
  if (c.state === 'resolved' && c.answer) return t('status.resolvedAnswered');
  return tOr(`status.${c.state}`, 'event.other');
}

function deadlineOf(deadlineAt, overdue) {
  return el('span', { class: overdue ? 'late' : 'due' }, t(overdue ? 'track.overdue' : 'track.due', { at: dateTime(deadlineAt) }));
}

function timelineOf(entries) {
  return el('section', { class: 'card' },
    el('h2', {}, t('track.timeline')),
    el('ol', { class: 'timeline', id: 'timeline', reversed: true }, [...entries].reverse().map((e) => {
      const key = e.type === 'supplement' ? `event.supplement.${e.by === 'citizen' ? 'citizen' : 'staff'}` : `event.${e.type}`;
      return el('li', { 'data-type': e.type }, el('span', { class: 'event' }, tOr(key, 'event.other')), el('time', { datetime: e.at }, dateTime(e.at)));
    })));
}

function answerOf(answer, answeredAt) {
  return el('section', { class: 'card', id: 'answer' },
    el('h2', {}, t('track.answer')),
    answer
      ? [el('p', { class: 'answer-text', id: 'answer-text' }, answer), answeredAt ? el('p', { class: 'hint' }, t('track.answeredAt'), ' ', dateTime(answeredAt)) : null]
      : el('p', { class: 'hint' }, t('track.noAnswer')));
}

function ratingForm(c) {
  const error = el('p', { class: 'form-error', id: 'rating-error', role: 'alert' });
  const comment = el('textarea', { id: 'rating-comment', rows: 2, maxlength: 2000 });
  const form = el('form', { class: 'card', id: 'rating-form', novalidate: true },
    el('h2', {}, t('rate.title')),
    c.ratingOpenUntil ? el('p', { class: 'hint' }, t('rate.until', { at: dateTime(c.ratingOpenUntil) })) : null,
    el('fieldset', { class: 'ratings' }, el('legend', { class: 'visually-hidden' }, t('rate.title')), RATINGS.map((r) =>
      el('label', { class: 'choice' }, el('input', { type: 'radio', name: 'rating', value: r, id: `rating-${r}` }), el('span', {}, t(`rate.${r}`))))),
    el('div', { class: 'field' }, el('label', { for: 'rating-comment' }, t('rate.comment')), comment),
    error,
    el('button', { type: 'submit', class: 'primary' }, t('rate.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const rating = form.querySelector('input[name=rating]:checked')?.value;
    if (!rating) {
      error.textContent = t('rate.pick');
      return;
    }
    form.querySelector('button[type=submit]').disabled = true;
    try {
      await api('POST', `/v1/track/${encodeURIComponent(c.trackingCode)}/rating`, { rating, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) });
      redraw(t('rate.done', { rating: t(`rate.${rating}`) }));
    } catch (err) {
      form.querySelector('button[type=submit]').disabled = false;
      error.textContent = t('rate.refused', { error: err.message });
    }
  });
  return form;
}

function supplementForm(c) {
  const error = el('p', { class: 'form-error', id: 'more-error', role: 'alert' });
  const status = el('p', { class: 'hint', role: 'status' });
  const text = el('textarea', { id: 'more-text', rows: 3, maxlength: 5000 });
  const photos = photoPicker('more-photos', 6);
  const submit = el('button', { type: 'submit', class: 'primary' }, t('more.submit'));
  const form = el('form', { class: 'card', id: 'more-form', novalidate: true },
    el('h2', {}, t('more.title')),
    el('p', { class: 'hint' }, t('more.lead')),
    el('div', { class: 'field' }, el('label', { for: 'more-text' }, t('more.text')), text),
    photos.node,
    error,
    submit,
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const blobs = photos.blobs();
    if (!text.value.trim() && !blobs.length) {
      error.textContent = t('more.need');
      return;
    }
    submit.disabled = true;
    try {
      const { ids, failures } = await uploadPhotos(c.trackingCode, blobs, (done, total) => { status.textContent = t('file.sendingPhotos', { done, total }); });
      if (failures.length && !text.value.trim() && !ids.length) throw new Error(failures[0]);
      await api('POST', `/v1/track/${encodeURIComponent(c.trackingCode)}/supplement`, {
        ...(text.value.trim() ? { text: text.value.trim() } : {}),
        ...(ids.length ? { attachments: ids.map((fileId) => ({ fileId })) } : {}),
      });
      photos.clear();
      redraw(failures.length ? `${t('more.done')} ${t('filed.photosFailed', { n: failures.length, reason: [...new Set(failures)].join('；') })}` : t('more.done'));
    } catch (err) {
      submit.disabled = false;
      status.textContent = '';
      error.textContent = t('more.refused', { error: err.message });
    }
  });
  return form;
}

function head(kind, c) {
  return el('section', { class: 'card' },
    el('p', { class: 'kind' }, el('span', { class: `badge ${kind}` }, t(`track.kind.${kind}`)), ' ', el('span', { class: 'code', id: 'code' }, c.trackingCode)),
    el('h1', { id: 'title' }, c.title),
    el('p', { class: `status${c.overdue ? ' late' : ''}`, id: 'status' }, kind === 'suggestion' ? tOr(`suggestion.status.${c.state}`, 'event.other') : statusOf(c)));
}

function complaintView(c) {
  const said = notice;
  notice = undefined;
  return [
    said ? el('p', { class: 'notice', id: 'notice', role: 'status' }, said) : null,
    head('complaint', c),
    el('section', { class: 'card' }, facts([
      c.workstation ? [t('track.station'), c.workstation.name, 'station'] : null,
      [t('track.filedAt'), dateTime(c.createdAt), 'filed-at'],
      c.category ? [t('track.category'), t(`category.${c.category}`), 'category'] : null,
      c.stage ? [t('track.stage'), tOr(`stage.${c.stage}`, 'event.other'), 'stage'] : null,
      c.deadlineAt ? [t('track.deadline'), deadlineOf(c.deadlineAt, c.overdue), 'deadline'] : null,
    ])),
    answerOf(c.answer, c.answeredAt),
    c.rating ? el('p', { class: 'card', id: 'rated' }, t('rate.yours', { rating: t(`rate.${c.rating}`) })) : null,
    c.canRate ? ratingForm(c) : null,
    c.canSupplement ? supplementForm(c) : null,
    timelineOf(c.timeline),
    el('p', { class: 'row' }, el('button', { type: 'button', class: 'secondary', id: 'refresh', onclick: () => redraw() }, t('track.refresh')), el('a', { href: '#/' }, t('track.other'))),
  ];
}

function suggestionView(s) {
  return [
    head('suggestion', s),
    el('section', { class: 'card' }, facts([
      [t('track.filedAt'), dateTime(s.createdAt), 'filed-at'],
      s.acknowledgedAt ? [t('suggestion.acknowledgedAt'), dateTime(s.acknowledgedAt), 'acknowledged-at'] : null,
      s.deadlineAt && s.state !== 'answered' ? [t('track.deadline'), deadlineOf(s.deadlineAt, s.overdue), 'deadline'] : null,
    ])),
    answerOf(s.answer, s.answeredAt),
    el('p', { class: 'row' }, el('button', { type: 'button', class: 'secondary', id: 'refresh', onclick: () => redraw() }, t('track.refresh')), el('a', { href: '#/' }, t('track.other'))),
  ];
}

export async function trackView(code, current) {
  const suggestion = code.startsWith('BS');
  let answer;
  try {
    answer = await api('GET', suggestion ? `/v1/public/suggestions/${encodeURIComponent(code)}` : `/v1/track/${encodeURIComponent(code)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
      return el('div', { class: 'card' }, el('p', { class: 'form-error', id: 'not-found', role: 'alert' }, t('track.notFound', { code })), el('a', { href: '#/' }, t('track.other')));
    }
    throw err;
  }
  if (!current()) return [];
  document.title = `${t('track.title')} · ${answer.trackingCode}`;
  return suggestion ? suggestionView(answer) : complaintView(answer);
}
