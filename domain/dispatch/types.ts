// The vocabulary of smart dispatch (智能派单): what a suggestion says and why. Pure types only, shared by
// the place gazetteer (place.ts), the category model (category.ts), their combination (suggest.ts), the
// API that puts the suggestion on a new case, and the console that shows it to the desk.

import type { Category } from '../case.js';

/** One thing that decided a suggestion: a phrase of the text, a place the address names, or a lesson from the desk. */
export interface Reason {
  /** What the reason decided: the category, or the place (district, squad, workstation). */
  about: 'category' | 'place';
  /**
   * phrase: a phrase of policy/dispatch.json found in the text; learned_phrase: one learned from the desk's
   * corrections; filed: the channel filed the category (or the workstation) itself; district, street,
   * liaison_point: what the address names; learned_place: an address the desk has sent to one workstation
   * before; coordinates: the location's coordinates near a known workstation.
   */
  kind: 'phrase' | 'learned_phrase' | 'filed' | 'district' | 'street' | 'liaison_point' | 'learned_place' | 'coordinates';
  /** The words as found (a phrase of the text, or the part of the address that named the place). */
  text: string;
  /** What it points at: a category value, or a unit or workstation id. */
  target: string;
  /** Its weight in the decision, for phrases; absent for places. */
  weight?: number;
}

/** The category the text points at. */
export interface CategoryMatch {
  category: Category;
  /** 0–1: how far the winner is ahead; 0 when no phrase matched (the category is then `other`). */
  confidence: number;
  /** The runner-up, when one scored: what the desk would pick if not the winner. */
  runnerUp?: Category;
  reasons: Reason[];
}

/** How precisely the address was placed, from nothing known to one liaison point. */
export type PlaceLevel = 'none' | 'district' | 'street' | 'liaison_point';

/** Where the address points in the organisation. */
export interface PlaceMatch {
  level: PlaceLevel;
  /** The district bureau's unit id (GB/T 2260 code), when the district is known. */
  districtId?: string;
  /** The street/town squad's unit id, when the street or town (or a liaison point) is known. */
  squadId?: string;
  /** The workstation, when a liaison point (or a learned address) names one. */
  workstationId?: string;
  /** 0–1. */
  confidence: number;
  reasons: Reason[];
}

/** The suggestion a new case carries (`suggestion` on GET /v1/cases/:id and in the lists). */
export interface Suggestion {
  category: Category;
  /** The unit the case would go to: the squad, or the district bureau when only the district is known; absent when no place is known. */
  unitId?: string;
  workstationId?: string;
  /** 0–1: the lesser of the category's and the place's confidence. */
  confidence: number;
  categoryConfidence: number;
  placeConfidence: number;
  place: PlaceLevel;
  reasons: Reason[];
  /** Which model made it: the policy file's version and the lessons' count, so accuracy can be read per model. */
  model: string;
}
