// Sign in once with an API key: the API keeps it in an HttpOnly cookie for this browser session.

import { ApiError, api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';

export function renderSignIn(signedIn) {
  const error = el('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
  const key = el('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const submit = el('button', { type: 'submit' }, t('session.signIn'));
  const form = el('form', { class: 'sign-in', id: 'sign-in' },
    el('h1', {}, t('app.name')),
    el('p', { class: 'hint' }, t('session.hint')),
    el('label', { for: 'key' }, t('session.key')),
    key, submit, error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      const me = await api('POST', '/v1/session', { key: key.value.trim() });
      await signedIn(me);
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : t('error.unexpected');
    } finally {
      submit.disabled = false;
    }
  });
  return el('div', { class: 'center' }, form);
}
