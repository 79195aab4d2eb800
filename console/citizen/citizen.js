// The citizen's pages (served at /citizen/): the filing page a workstation's QR code opens (#/w/<id>),
// the tracking page of a case or suggestion (#/track/<code>), and a page to type a code (#/). Each view
// is drawn again from what the API says; no personal data is kept on the phone but the tracking codes
// filed from it.

import { currentLanguage, el, loadCatalogues, savedCodes, switchLanguage, t, trackingCodeOf } from './common.js';
import { fileView } from './file-view.js';
import { trackView } from './track-view.js';

const root = document.getElementById('root');

/** The page to type a tracking code, with the codes filed from this phone. */
function homeView() {
  const input = el('input', { id: 'code', name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', placeholder: t('home.codePlaceholder'), maxlength: 24, required: true });
  const error = el('p', { class: 'field-error', id: 'code-error', role: 'alert' });
  const form = el('form', { class: 'card', id: 'track-form', novalidate: true },
    el('h1', {}, t('home.title')),
    el('p', { class: 'hint' }, t('home.lead')),
    el('div', { class: 'field' }, el('label', { for: 'code' }, t('home.code')), input, error),
    el('button', { type: 'submit', class: 'primary' }, t('home.submit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const code = trackingCodeOf(input.value);
    if (!code) {
      error.textContent = t('home.codeInvalid');
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    location.hash = `#/track/${code}`;
  });
  const codes = savedCodes();
  return [
    form,
    codes.length ? el('section', { class: 'card', id: 'saved-codes' }, el('h2', {}, t('home.saved')), el('ul', { class: 'codes' }, codes.map((c) => el('li', {}, el('a', { href: `#/track/${c}` }, c))))) : null,
    el('p', { class: 'hint center-text' }, t('home.scan')),
  ];
}

let drawing = 0;

/** Draws the view the address names; a later navigation overtakes one still loading. */
async function route() {
  const mine = ++drawing;
  const hash = location.hash.replace(/^#/, '');
  const [, page, arg] = hash.split('/');
  const show = (...nodes) => {
    if (mine === drawing) root.replaceChildren(...nodes.flat().filter(Boolean));
  };
  document.title = t('app.title');
  show(el('p', { class: 'loading' }, t('app.loading')));
  try {
    if (page === 'w' && arg) show(await fileView(decodeURIComponent(arg), () => mine === drawing));
    else if (page === 'track' && arg) show(await trackView(decodeURIComponent(arg), () => mine === drawing));
    else show(homeView());
  } catch (err) {
    show(el('div', { class: 'card' }, el('p', { class: 'form-error', role: 'alert' }, t('app.unexpected', { error: err?.message ?? String(err) })), el('button', { type: 'button', onclick: route }, t('app.retry'))));
  }
  if (mine === drawing) window.scrollTo(0, 0);
}

function drawChrome() {
  document.getElementById('brand').textContent = t('app.brand');
  document.getElementById('home-link').textContent = t('app.home');
  document.getElementById('language').textContent = t('app.language');
  document.getElementById('language').setAttribute('lang', currentLanguage() === 'zh-CN' ? 'en' : 'zh-CN');
  document.getElementById('foot').textContent = t('app.footer');
}

document.getElementById('language').addEventListener('click', () => {
  switchLanguage();
  drawChrome();
  void route();
});
window.addEventListener('hashchange', () => void route());

await loadCatalogues();
drawChrome();
await route();
