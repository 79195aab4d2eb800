// Learning from the desk: how often smart dispatch's suggestion was what the desk decided (the accuracy
// report of `./bangnong dispatch report`), and what a retraining takes from the desk's decisions
// (`./bangnong dispatch learn`): phrases that tell the category the desk chose (category.ts learnPhrases),
// and addresses the desk keeps sending to one workstation (placeKey). Pure: the command reads the decisions.

import type { Category, Location } from '../case.js';
import { type LearnedPhrase, type PhrasePolicy, learnPhrases } from './category.js';
import { placeKey } from './place.js';

/** A decision as the report and the retraining read it (db/queries/dispatch.ts listDispatchDecisions). */
export interface Decision {
  automatic: boolean;
  suggested: { category: Category; unitId?: string; workstationId?: string; place: string };
  decided: { category: Category; unitId?: string; workstationId?: string };
  corrected: string[];
  title: string;
  description: string;
  location: Location;
}

export interface Share {
  right: number;
  of: number;
}

export interface AccuracyReport {
  /** The desk's decisions; the system's own (auto-dispatch) are counted apart, as they follow the suggestion. */
  decisions: number;
  automatic: number;
  category: Share;
  /** The squad, where the address named a street/town or a liaison point (the suggestion had a squad). */
  squadWherePlaced: Share;
  /** The squad, over every decision. */
  squad: Share;
  /** The workstation, where the suggestion named one. */
  workstation: Share;
  byCategory: Array<{ category: Category; decided: number; suggestedRight: number }>;
  /** The desk's most frequent category corrections: suggested → decided. */
  confusions: Array<{ suggested: Category; decided: Category; count: number }>;
}

export function accuracyReport(decisions: readonly Decision[]): AccuracyReport {
  const desk = decisions.filter((d) => !d.automatic);
  const share = (of: readonly Decision[], right: (d: Decision) => boolean): Share => ({ right: of.filter(right).length, of: of.length });
  const placed = desk.filter((d) => d.suggested.place === 'street' || d.suggested.place === 'liaison_point');
  const categories = new Map<Category, { decided: number; suggestedRight: number }>();
  const confusions = new Map<string, { suggested: Category; decided: Category; count: number }>();
  for (const d of desk) {
    const row = categories.get(d.decided.category) ?? { decided: 0, suggestedRight: 0 };
    row.decided += 1;
    if (d.suggested.category === d.decided.category) row.suggestedRight += 1;
    else {
      const key = `${d.suggested.category}>${d.decided.category}`;
      const c = confusions.get(key) ?? { suggested: d.suggested.category, decided: d.decided.category, count: 0 };
      c.count += 1;
      confusions.set(key, c);
    }
    categories.set(d.decided.category, row);
  }
  return {
    decisions: desk.length,
    automatic: decisions.length - desk.length,
    category: share(desk, (d) => d.suggested.category === d.decided.category),
    squadWherePlaced: share(placed, (d) => d.suggested.unitId === d.decided.unitId),
    squad: share(desk, (d) => d.suggested.unitId === d.decided.unitId),
    workstation: share(
      desk.filter((d) => d.suggested.workstationId),
      (d) => d.suggested.workstationId === d.decided.workstationId,
    ),
    byCategory: [...categories].map(([category, r]) => ({ category, ...r })).sort((a, b) => b.decided - a.decided || a.category.localeCompare(b.category)),
    confusions: [...confusions.values()].sort((a, b) => b.count - a.count || a.suggested.localeCompare(b.suggested)).slice(0, 10),
  };
}

export interface PlaceLesson {
  key: string;
  workstationId: string;
  /** How many decisions sent that address to that workstation. */
  support: number;
  /** The share of that address's decisions that went there. */
  weight: number;
}

/** The least a place must be taught, and how consistently, before it is suggested from memory. */
export const PLACE_MIN_SUPPORT = 2;
export const PLACE_MIN_SHARE = 0.8;

/**
 * Addresses the desk sends to one workstation: by place key (the compound, not the room), those decided at
 * least twice and at least 80 % of the time to the same workstation. Only what the desk decided counts.
 */
export function learnPlaces(decisions: readonly Decision[]): PlaceLesson[] {
  const byKey = new Map<string, Map<string, number>>();
  for (const d of decisions) {
    if (d.automatic || !d.decided.workstationId) continue;
    const key = placeKey(d.location);
    if (!key) continue;
    const counts = byKey.get(key) ?? new Map<string, number>();
    counts.set(d.decided.workstationId, (counts.get(d.decided.workstationId) ?? 0) + 1);
    byKey.set(key, counts);
  }
  const lessons: PlaceLesson[] = [];
  for (const [key, counts] of byKey) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const [workstationId, support] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    if (support >= PLACE_MIN_SUPPORT && support / total >= PLACE_MIN_SHARE) lessons.push({ key, workstationId, support, weight: support / total });
  }
  return lessons.sort((a, b) => b.support - a.support || a.key.localeCompare(b.key));
}

/** Phrases that tell the category the desk decided, from its own decisions (not the system's). */
export function learnCategoryPhrases(decisions: readonly Decision[], policy: PhrasePolicy): LearnedPhrase[] {
  const examples = decisions.filter((d) => !d.automatic).map((d) => ({ text: `${d.title}\n${d.description}`, category: d.decided.category }));
  return learnPhrases(examples, policy);
}
