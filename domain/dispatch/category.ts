// The category a complaint's words point at: a phrase model over policy/dispatch.json (and the phrases the
// desk has taught it, learnPhrases below), transparent enough that the desk sees why.
//
// How a score is made:
// - Title and description are normalised (full-width letters and digits to ASCII, letters to lower case) and
//   scanned for every phrase of every category. Where one matched phrase lies inside a longer one matched at
//   the same place (渣土 inside 渣土车, 广告 inside 小广告, 垃圾 inside 建筑垃圾), only the longer counts: the
//   specific phrase decides, and the same characters are not counted twice.
// - Each distinct phrase counts once per field, whatever the number of times it is repeated: its weight times
//   `titleWeight` (2 by default) when it is in the title, plus its weight once when it is in the description.
//   The title is the citizen's (or 12345's) one-line summary of the matter, the description often tells a
//   neighbouring story too (the 群租 tenants' 油烟 in the stairwell), so the title counts double.
// - `contexts`: a phrase that misleads alone counts for its category only when one of its context words is
//   somewhere in the title or description (噪音 is night-construction noise only with 施工, 工地, 夜间 …).
// - `negatives`: phrases that count against a category with their weight, the same way (广场舞 or 音响
//   against night_construction_noise: that noise is not a construction's).
// - The winner is the category with the highest score; below `minScore` (or with nothing matched) the text
//   is `other` with confidence 0. Confidence is the margin over the runner-up, damped while the evidence is
//   thin: (winner − runner-up) / (winner + confidenceHalf) — an unrivalled winner scoring confidenceHalf gets
//   0.5, one scoring 9 × confidenceHalf 0.9. Equal scores: the first in CATEGORIES wins, with confidence 0.
// - Reasons: the phrases that scored for the winner, each with its weight in the policy (or as learned),
//   the largest contribution first.
// Pure: no I/O. Built once; classify takes a few microseconds per complaint (a first-character index).

import { CATEGORIES, type Category } from '../case.js';
import type { CategoryMatch, Reason } from './types.js';

/** The phrase model as policy/dispatch.json writes it (platform/dispatch-policy.ts reads and checks it). */
export interface PhrasePolicy {
  /** Per category, phrase → weight (> 0): the most specific phrases weigh most. */
  categories: Record<Category, Record<string, number>>;
  /** Per category, phrase → words one of which must also be in the text for the phrase to count there. */
  contexts?: Partial<Record<Category, Record<string, string[]>>>;
  /** Per category, phrase → weight taken away from that category when the phrase is in the text. */
  negatives?: Partial<Record<Category, Record<string, number>>>;
  /** How many times a phrase in the title counts, against once in the description; 2 by default. */
  titleWeight?: number;
  /** The least score a winner needs; below it the text is `other` with confidence 0. 1 by default. */
  minScore?: number;
  /** The winner's score (with no rival) at which confidence is 0.5; 1.5 by default. */
  confidenceHalf?: number;
}

/** A phrase the desk's decisions taught (`./bangnong dispatch learn`), kept in dispatch_lessons. */
export interface LearnedPhrase {
  category: Category;
  phrase: string;
  weight: number;
  /** How many of the desk's decisions for that category held the phrase. */
  support: number;
}

type Kind = 'phrase' | 'learned_phrase' | 'negative';
interface Entry {
  category: Category;
  weight: number;
  kind: Kind;
  /** Context words, already normalised: the entry counts only when one of them is in the text. */
  context?: string[];
}

const FULL_WIDTH = /[\uff01-\uff5e]/g;

/** One writing of a text for matching: full-width ASCII to half-width, ideographic space to space, lower case. */
export function normaliseText(text: string): string {
  return text
    .replace(FULL_WIDTH, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .toLowerCase();
}

export class CategoryModel {
  private readonly entries = new Map<string, Entry[]>();
  /** First character → the lengths of the phrases starting with it, longest first. */
  private readonly lengthsByFirst = new Map<string, number[]>();
  private readonly titleWeight: number;
  private readonly minScore: number;
  private readonly half: number;

  constructor(policy: PhrasePolicy, learned: readonly LearnedPhrase[] = []) {
    this.titleWeight = policy.titleWeight ?? 2;
    this.minScore = policy.minScore ?? 1;
    this.half = policy.confidenceHalf ?? 1.5;
    for (const category of CATEGORIES) {
      const contexts = policy.contexts?.[category] ?? {};
      for (const [phrase, weight] of Object.entries(policy.categories[category] ?? {})) {
        const context = contexts[phrase];
        this.add(phrase, { category, weight, kind: 'phrase', ...(context && { context: context.map(normaliseText) }) });
      }
      for (const [phrase, weight] of Object.entries(policy.negatives?.[category] ?? {})) this.add(phrase, { category, weight, kind: 'negative' });
    }
    for (const l of learned) {
      // The policy's own weight for the same phrase and category stands: a lesson adds, it does not overrule.
      const same = this.entries.get(normaliseText(l.phrase))?.some((e) => e.category === l.category && e.kind !== 'negative');
      if (!same && l.weight > 0) this.add(l.phrase, { category: l.category, weight: l.weight, kind: 'learned_phrase' });
    }
    for (const lengths of this.lengthsByFirst.values()) lengths.sort((a, b) => b - a);
  }

  private add(raw: string, entry: Entry): void {
    const phrase = normaliseText(raw);
    if (!phrase) return;
    const list = this.entries.get(phrase) ?? [];
    list.push(entry);
    this.entries.set(phrase, list);
    const first = phrase[0]!;
    const lengths = this.lengthsByFirst.get(first) ?? [];
    if (!lengths.includes(phrase.length)) lengths.push(phrase.length);
    this.lengthsByFirst.set(first, lengths);
  }

  /** The distinct phrases of a text, a phrase inside a longer matched one left out. */
  private phrasesIn(text: string): Set<string> {
    const found: Array<{ start: number; end: number; phrase: string }> = [];
    for (let i = 0; i < text.length; i++) {
      const lengths = this.lengthsByFirst.get(text[i]!);
      if (!lengths) continue;
      for (const n of lengths) {
        if (i + n > text.length) continue;
        const s = text.slice(i, i + n);
        if (this.entries.has(s)) found.push({ start: i, end: i + n, phrase: s });
      }
    }
    const kept = new Set<string>();
    for (const m of found) {
      const inside = found.some((o) => o !== m && o.end - o.start > m.end - m.start && o.start <= m.start && o.end >= m.end);
      if (!inside) kept.add(m.phrase);
    }
    return kept;
  }

  classify(text: { title: string; description: string }): CategoryMatch {
    const title = normaliseText(text.title);
    const description = normaliseText(text.description);
    const whole = `${title}\n${description}`;
    const inTitle = this.phrasesIn(title);
    const inDescription = this.phrasesIn(description);
    const scores = new Map<Category, number>();
    const contributions = new Map<Category, Map<string, { kind: Kind; weight: number; contribution: number }>>();
    for (const phrase of new Set([...inTitle, ...inDescription])) {
      const factor = (inTitle.has(phrase) ? this.titleWeight : 0) + (inDescription.has(phrase) ? 1 : 0);
      for (const e of this.entries.get(phrase)!) {
        if (e.context && !e.context.some((w) => whole.includes(w))) continue;
        const contribution = (e.kind === 'negative' ? -1 : 1) * e.weight * factor;
        scores.set(e.category, (scores.get(e.category) ?? 0) + contribution);
        if (e.kind === 'negative') continue;
        const byPhrase = contributions.get(e.category) ?? new Map();
        byPhrase.set(phrase, { kind: e.kind, weight: e.weight, contribution });
        contributions.set(e.category, byPhrase);
      }
    }
    const ranked = CATEGORIES.filter((c) => (scores.get(c) ?? 0) > 0).sort((a, b) => scores.get(b)! - scores.get(a)!);
    const winner = ranked[0];
    const best = winner ? scores.get(winner)! : 0;
    if (!winner || best < this.minScore) return { category: 'other', confidence: 0, ...(winner && { runnerUp: winner }), reasons: [] };
    const runnerUp = ranked[1];
    const second = runnerUp ? scores.get(runnerUp)! : 0;
    const reasons: Reason[] = [...(contributions.get(winner) ?? [])]
      .sort((a, b) => b[1].contribution - a[1].contribution || a[0].localeCompare(b[0]))
      .map(([phrase, c]) => ({ about: 'category', kind: c.kind === 'learned_phrase' ? 'learned_phrase' : 'phrase', text: phrase, target: winner, weight: c.weight }));
    return {
      category: winner,
      confidence: Math.max(0, (best - second) / (best + this.half)),
      ...(runnerUp && { runnerUp }),
      reasons,
    };
  }
}

/** A stretch of letters, digits and Chinese characters: n-grams never cross punctuation or spaces. */
const RUN = /[\p{Script=Han}a-z]+/gu;

/** The distinct character n-grams (2–6) of a text, none with a digit (house numbers say where, not what). */
function ngrams(text: string): Set<string> {
  const out = new Set<string>();
  for (const run of normaliseText(text).match(RUN) ?? []) {
    for (let n = 2; n <= 6; n++) for (let i = 0; i + n <= run.length; i++) out.add(run.slice(i, i + n));
  }
  return out;
}

/**
 * Retraining: phrases (character n-grams of 2–6 characters) that tell the category the desk decided from the
 * others in its decisions. A phrase is learned for a category when at least `minSupport` (3) of that
 * category's examples hold it and at least `minPrecision` (0.8) of all the examples holding it are of that
 * category — so a one-off sentence teaches nothing. Left out: phrases the policy already weighs for that
 * category, or that contain or lie inside one (the policy decides there already), and a longer phrase whose
 * shorter part was learned; of phrases held by exactly the same examples, only the longest. Weight: precision × (1 + log₂ support), at most 3 — a strong policy phrase's
 * weight, never a decisive one's. The `max` (100) best by support and weight.
 */
export function learnPhrases(
  examples: ReadonlyArray<{ text: string; category: Category }>,
  policy: PhrasePolicy,
  options: { minSupport?: number; max?: number; minPrecision?: number } = {},
): LearnedPhrase[] {
  const minSupport = options.minSupport ?? 3;
  const minPrecision = options.minPrecision ?? 0.8;
  const max = options.max ?? 100;
  // Per n-gram and category: how many examples hold it, and a fingerprint of which (two rolling hashes).
  const counts = new Map<string, Map<Category, { n: number; h1: number; h2: number }>>();
  examples.forEach((ex, index) => {
    for (const g of ngrams(ex.text)) {
      const byCategory = counts.get(g) ?? new Map<Category, { n: number; h1: number; h2: number }>();
      const c = byCategory.get(ex.category) ?? { n: 0, h1: 0, h2: 0 };
      c.n += 1;
      c.h1 = (Math.imul(c.h1, 31) + index + 1) >>> 0;
      c.h2 = (Math.imul(c.h2, 1_000_003) + index + 7) >>> 0;
      byCategory.set(ex.category, c);
      counts.set(g, byCategory);
    }
  });
  const known = new Map<Category, string[]>(CATEGORIES.map((c) => [c, Object.keys(policy.categories[c] ?? {}).map(normaliseText)]));
  // Phrases held by exactly the same examples say the same thing: of each such group, the longest (the most
  // specific) stands for it — a sentence the desk filed five times over teaches one phrase, not all its pairs.
  const groups = new Map<string, LearnedPhrase>();
  for (const [phrase, byCategory] of counts) {
    let total = 0;
    for (const c of byCategory.values()) total += c.n;
    for (const [category, c] of byCategory) {
      const precision = c.n / total;
      if (c.n < minSupport || precision < minPrecision) continue;
      if (known.get(category)!.some((k) => k.includes(phrase) || phrase.includes(k))) continue;
      const key = `${category}:${c.n}:${total}:${c.h1}:${c.h2}`;
      const held = groups.get(key);
      if (held && (held.phrase.length > phrase.length || (held.phrase.length === phrase.length && held.phrase < phrase))) continue;
      groups.set(key, { category, phrase, support: c.n, weight: Math.round(Math.min(3, precision * (1 + Math.log2(c.n))) * 100) / 100 });
    }
  }
  // The most supported first, and of equal support the shorter: a longer phrase then adds nothing its part does not.
  const candidates = [...groups.values()].sort((a, b) => b.support - a.support || a.phrase.length - b.phrase.length || a.phrase.localeCompare(b.phrase));
  const chosen: LearnedPhrase[] = [];
  for (const c of candidates) {
    if (chosen.some((k) => k.category === c.category && c.phrase.includes(k.phrase))) continue;
    chosen.push(c);
  }
  return chosen.sort((a, b) => b.support * b.weight - a.support * a.weight || a.phrase.localeCompare(b.phrase)).slice(0, max);
}
