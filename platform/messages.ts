// The console's message catalogue (console/i18n/*.json), read by the server too: what the API writes for
// a person to read — the headers and values of a CSV export — comes from the same words the console shows.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './config.js';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const catalogues = new Map<string, Record<string, string>>();

/** The shell's catalogue (i18n/<lang>.json), or a screen's own beside it (i18n/<area>.<lang>.json). */
function catalogue(lang: Language, area?: string): Record<string, string> {
  const file = area ? `${area}.${lang}.json` : `${lang}.json`;
  let c = catalogues.get(file);
  if (!c) {
    c = JSON.parse(readFileSync(path.join(REPO_ROOT, 'console', 'i18n', file), 'utf8')) as Record<string, string>;
    catalogues.set(file, c);
  }
  return c;
}

export interface Messages {
  lang: Language;
  /** The message `key` with {name} filled in; a key missing from the catalogue reads as itself. */
  t(key: string, values?: Record<string, string | number>): string;
  /** A domain value (a state, a category …) by its kind, or the value itself where the catalogue has no name for it. */
  term(kind: string, value: string | null | undefined): string;
}

/** The words of the shell's catalogue, and of the screens' `areas` (the scorecard's, say) over it. */
export function messages(lang: Language, ...areas: string[]): Messages {
  const merged = (l: Language): Record<string, string> => Object.assign({}, catalogue(l), ...areas.map((a) => catalogue(l, a)));
  const own = merged(lang);
  const fallback = merged('zh-CN');
  const t = (key: string, values: Record<string, string | number> = {}) =>
    (own[key] ?? fallback[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
  return {
    lang,
    t,
    term(kind, value) {
      if (value === null || value === undefined) return '';
      const key = `${kind}.${value}`;
      const named = t(key);
      return named === key ? value : named;
    },
  };
}
