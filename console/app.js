// The console's shell: sign in, the header (who, language, sign out), and hash routes to its pages.
// The server stays the source of truth: every page shows what the API answers, and acts through it.

import { ApiError, api } from './api.js';
import { el, replace } from './dom.js';
import { currentLanguage, loadCatalogues, setLanguage, t, term } from './i18n.js';
import { liveIndicator, startLive, stopLive } from './live.js';
import { renderCase } from './views/case.js';
import { renderDashboard } from './views/dashboard.js';
import { renderDesk } from './views/desk.js';
import { renderOfficer } from './views/officer.js';
import { renderReporter } from './views/reporter.js';
import { renderSignIn } from './views/signin.js';
import { renderSuggestion, renderSuggestions } from './views/suggestions.js';
import { renderScorecard } from './views/scorecard.js';
import { renderDuties } from './views/duties.js';
import { renderPublicityItem, renderPublicityList, renderPublicityNew } from './views/publicity.js';

const root = document.getElementById('root');
let me;

// Each workbench is for the role whose actions it takes (GET /v1/me says which the viewer may take).
const WORKBENCHES = [
  { id: 'desk', path: '#/desk', may: 'triage', render: (view) => renderDesk(view, me) },
  { id: 'officer', path: '#/officer', may: 'accept', render: (view) => renderOfficer(view, me) },
  { id: 'reporter', path: '#/reporter', may: 'media_draft', render: (view) => renderReporter(view, me) },
];
const mine = () => WORKBENCHES.filter((w) => me.may[w.may] && (w.id !== 'desk' || me.role === 'desk'));

const ROUTES = [
  [/^#\/cases\/([^/]+)$/, (view, [, id]) => renderCase(view, me, decodeURIComponent(id))],
  ...WORKBENCHES.map((w) => [new RegExp(`^${w.path}(\\?.*)?$`), (view) => w.render(view)]),
  // Suggestions (人民建议), apart from complaints: for those who acknowledge and answer them.
  [/^#\/suggestions\/([^/?]+)$/, (view, [, id]) => renderSuggestion(view, me, decodeURIComponent(id))],
  [/^#\/suggestions(\?.*)?$/, (view) => renderSuggestions(view)],
  // 宣传报道: the squads' publicity items and their three-level review.
  [/^#\/publicity\/new$/, (view) => renderPublicityNew(view, me)],
  [/^#\/publicity\/([^/?]+)$/, (view, [, id]) => renderPublicityItem(view, me, decodeURIComponent(id))],
  [/^#\/publicity(\?.*)?$/, (view) => renderPublicityList(view, me)],
  // 创范评优: the scorecard and the "50 best", for the supervisors who appraise.
  [/^#\/scorecard(\?.*)?$/, (view) => renderScorecard(view, me)],
  // 勤务日志: officers log their liaison visits; supervisors and the desk see each workstation's week and the shortfalls.
  [/^#\/duties(\?.*)?$/, (view) => renderDuties(view, me)],
  [/^#\/dashboard(\?.*)?$/, (view) => renderDashboard(view, me)],
  // Home: the viewer's own workbench, else the dashboard.
  [/^#?\/?(\?.*)?$/, (view) => (mine()[0] ? mine()[0].render(view) : renderDashboard(view, me))],
];

async function signedIn(who) {
  me = who;
  startLive();
  await show();
}

async function signOut() {
  stopLive();
  await api('DELETE', '/v1/session').catch(() => undefined);
  me = undefined;
  location.hash = '';
  await show();
}

function header() {
  const languages = el('div', { class: 'languages', role: 'group', 'aria-label': t('language.label') },
    ['zh-CN', 'en'].map((lang) =>
      el('button', { type: 'button', class: 'link', 'aria-pressed': String(lang === currentLanguage()), 'data-lang': lang, onclick: () => { setLanguage(lang); void show(); } }, t(`language.${lang}`))));
  return el('header', { class: 'top' },
    el('a', { class: 'brand', href: '#/' }, t('app.name')),
    el('nav', {},
      mine().map((w) => el('a', { href: w.path, id: `nav-${w.id}` }, t(`nav.${w.id}`))),
      me.may['suggestion.handle'] ? el('a', { href: '#/suggestions', id: 'nav-suggestions' }, t('nav.suggestions')) : [],
      me.may['publicity.read'] ? el('a', { href: '#/publicity', id: 'nav-publicity' }, t('nav.publicity')) : [],
      me.may['duty.read'] ? el('a', { href: '#/duties', id: 'nav-duties' }, t(me.may['duty.log'] ? 'nav.duties' : 'duties.title.supervisor')) : [],
      el('a', { href: mine().length ? '#/dashboard' : '#/', id: 'nav-dashboard' }, t('nav.dashboard')),
      me.may['scorecard.read'] ? el('a', { href: '#/scorecard', id: 'nav-scorecard' }, t('nav.scorecard')) : []),
    el('div', { class: 'who', id: 'who' },
      el('span', { class: 'who-name' }, me.name),
      el('span', { class: 'who-role' }, term('role', me.role)),
      el('span', { class: 'who-unit' }, me.unit.name)),
    liveIndicator(),
    languages,
    el('button', { type: 'button', id: 'sign-out', onclick: () => void signOut() }, t('session.signOut')));
}

async function show() {
  document.title = t('app.title');
  if (!me) {
    replace(root, renderSignIn(signedIn));
    return;
  }
  const view = el('section', { class: 'view' });
  replace(root, header(), view);
  const hash = location.hash || '#/';
  const [pattern, render] = ROUTES.find(([p]) => p.test(hash)) ?? [];
  try {
    if (render) await render(view, hash.match(pattern));
    else replace(view, el('p', { class: 'error' }, t('error.notFound')));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      stopLive();
      me = undefined;
      await show();
      return;
    }
    replace(view, el('p', { class: 'error', role: 'alert' }, err instanceof ApiError ? err.message : t('error.unexpected')));
  }
}

async function start() {
  await loadCatalogues();
  try {
    me = await api('GET', '/v1/me');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) console.error(err);
  }
  window.addEventListener('hashchange', () => void show());
  // The stream refused: if the key behind the session has been revoked, back to signing in.
  window.addEventListener('bangnong:live-refused', async () => {
    try {
      await api('GET', '/v1/me');
    } catch (err) {
      if (me && err instanceof ApiError && err.status === 401) {
        stopLive();
        me = undefined;
        await show();
      }
    }
  });
  if (me) startLive();
  await show();
}

void start();
