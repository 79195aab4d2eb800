// Live updates: one EventSource on GET /v1/stream (same origin, the session cookie signs it in) while
// someone is signed in. Each case event is passed on as a DOM event, 'bangnong:case-event' on window with
// the event's data, so a page refetches what it shows without knowing the stream. EventSource reconnects
// by itself after a drop (the stream says how soon, `retry:`) and resumes from the last event id; only a
// refused connection (503, 401) closes it for good, and then it is opened again after a while.

import { el } from './dom.js';
import { t } from './i18n.js';

/** After a refused connection, EventSource gives up; try again this much later. */
const REOPEN_MS = 10_000;

let source;
let reopenTimer;
/** 'off' | 'connecting' | 'connected' | 'reconnecting' */
let status = 'off';

function show(next) {
  status = next;
  const indicator = document.getElementById('live');
  if (!indicator) return;
  indicator.setAttribute('data-state', status);
  indicator.textContent = t(`live.${status}`);
  indicator.title = t(`live.${status}.hint`);
}

/** The header's indicator; it follows the stream's state for as long as it is in the page. */
export function liveIndicator() {
  const indicator = el('span', { class: 'live', id: 'live', role: 'status', 'data-state': status, title: t(`live.${status}.hint`) }, t(`live.${status}`));
  return indicator;
}

function open() {
  clearTimeout(reopenTimer);
  source = new EventSource('/v1/stream');
  show(status === 'off' ? 'connecting' : 'reconnecting');
  source.addEventListener('open', () => show('connected'));
  source.addEventListener('ready', () => show('connected'));
  source.addEventListener('case', (message) => {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch {
      return;
    }
    window.dispatchEvent(new CustomEvent('bangnong:case-event', { detail: data }));
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CONNECTING) {
      show('reconnecting');
      return;
    }
    // Closed for good (the answer was not a stream: 503, or 401 for a key revoked meanwhile): the shell
    // checks the session (app.js), and the stream is opened again later.
    source.close();
    window.dispatchEvent(new CustomEvent('bangnong:live-refused'));
    show('reconnecting');
    reopenTimer = setTimeout(open, REOPEN_MS);
  });
}

/** Opens the stream once signed in; calling it again while it is open does nothing. */
export function startLive() {
  if (source && source.readyState !== EventSource.CLOSED) return;
  open();
}

/** Closes the stream on sign-out. */
export function stopLive() {
  clearTimeout(reopenTimer);
  source?.close();
  source = undefined;
  show('off');
}
