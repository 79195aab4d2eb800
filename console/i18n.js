// Every word the console shows comes from a catalogue (i18n/zh-CN.json, i18n/en.json); Chinese first.

const LANGUAGES = ['zh-CN', 'en'];
const STORAGE_KEY = 'bangnong.language';
const catalogues = {};
let language = LANGUAGES.includes(localStorage.getItem(STORAGE_KEY)) ? localStorage.getItem(STORAGE_KEY) : 'zh-CN';

/** Each screen's words are a file of their own beside the shell's: i18n/<area>.<lang>.json. */
const AREAS = ['desk', 'officer', 'reporter', 'suggestions', 'publicity', 'scorecard', 'duties'];

async function catalogue(file) {
  const response = await fetch(file);
  if (!response.ok) throw new Error(`the console's catalogue ${file} is missing (${response.status})`);
  return response.json();
}

export async function loadCatalogues() {
  await Promise.all(LANGUAGES.map(async (lang) => {
    const parts = await Promise.all([catalogue(`i18n/${lang}.json`), ...AREAS.map((area) => catalogue(`i18n/${area}.${lang}.json`))]);
    catalogues[lang] = Object.assign({}, ...parts);
  }));
  document.documentElement.lang = language;
}

export const currentLanguage = () => language;

export function setLanguage(lang) {
  language = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

/** The message `key`, with {name} replaced from `values`; a key missing from the catalogue shows as itself. */
export function t(key, values = {}) {
  const message = catalogues[language]?.[key] ?? catalogues['zh-CN']?.[key] ?? key;
  return message.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

/** A domain value (a state, category, action …) by its kind, or the value itself when unnamed. */
export function term(kind, value) {
  if (value === undefined || value === null) return t('value.none');
  const key = `${kind}.${value}`;
  const named = t(key);
  return named === key ? String(value) : named;
}

const UNITS = [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1_000]];

/** "2 天 3 小时" / "2 d 3 h": the two largest units of a span of time. */
export function duration(ms) {
  const parts = [];
  let rest = Math.max(0, ms);
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (parts.length === 0 && unit === 'second')) parts.push(t(`duration.${unit}`, { n }));
    if (parts.length === 2) break;
  }
  return parts.join(t('duration.separator'));
}

export function dateTime(iso) {
  if (!iso) return t('value.none');
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(new Date(iso));
}
