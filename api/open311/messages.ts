// The words of the Open311 answers, in the language the client asks for (Accept-Language; Chinese by
// default). The names the console shows — categories, states, stages, outcomes, durations — come from its
// catalogue (platform/messages.ts), the departments from the desk's, where they are picked; what only
// Open311 says (groups, service descriptions, attributes, notices) from api/open311/i18n/<lang>.json.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../platform/config.js';
import { LANGUAGES, type Language, type Messages, messages } from '../../platform/messages.js';

const loaded = new Map<string, Record<string, string>>();

function catalogue(file: string): Record<string, string> {
  let c = loaded.get(file);
  if (!c) {
    c = JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as Record<string, string>;
    loaded.set(file, c);
  }
  return c;
}

export interface Open311Messages {
  lang: Language;
  /** An Open311 message (api/open311/i18n) with {name} filled in; a missing key reads as itself. */
  t(key: string, values?: Record<string, string | number>): string;
  /** The console's words: `term('category', 'cooking_fumes')`, `console.t('duration.hour', …)`. */
  console: Messages;
  /** A competent department's name, as the desk picks it (console/i18n/desk.<lang>.json). */
  department(department: string): string;
}

export function open311Messages(lang: Language): Open311Messages {
  const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
  const lookup = (area: string, key: string) => catalogue(`${area}/${lang}.json`)[key] ?? catalogue(`${area}/zh-CN.json`)[key];
  return {
    lang,
    t: (key, values = {}) => fill(lookup('api/open311/i18n', key) ?? key, values),
    console: messages(lang),
    department: (department) => catalogue(`console/i18n/desk.${lang}.json`)[`desk.department.${department}`] ?? department,
  };
}

/**
 * The language an `Accept-Language` header prefers among ours: the first, by weight, that is English or
 * Chinese; Chinese when it names neither. Open311 has no parameter for it, and HTTP has this header.
 */
export function languageOf(acceptLanguage: string | undefined): Language {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, order) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, weight: q === undefined ? 1 : Number(q), order };
    })
    .filter((r) => r.tag && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  for (const { tag } of ranked) {
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
  }
  return LANGUAGES[0];
}
