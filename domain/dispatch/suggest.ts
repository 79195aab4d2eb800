// Smart dispatch (智能派单): the suggestion a new case carries, from its address (the gazetteer of
// place.ts, over the organisation) and its words (the phrase model of category.ts, over policy/dispatch.json
// and what the desk has taught it). What the channel filed itself — a category, or a workstation through a
// QR code — is taken as it is, with full confidence. Pure and synchronous: it runs on the intake path.

import type { Category, Location } from '../case.js';
import { CategoryModel, type LearnedPhrase, type PhrasePolicy } from './category.js';
import { Gazetteer, type GazetteerInput } from './place.js';
import type { CategoryMatch, PlaceMatch, Reason, Suggestion } from './types.js';

/** What a suggestion is made from: the complaint as filed. */
export interface Complaint {
  title: string;
  description: string;
  category?: Category;
  location: Location;
  workstationId?: string;
}

export interface SuggestionParts {
  gazetteer: Gazetteer;
  model: CategoryModel;
  /** The policy's version and the lessons' count: "2026-11-23.1+12". */
  modelName: string;
  /** A workstation's squad and district ids, for one the channel named. */
  stationOf: (workstationId: string) => { squadId: string; districtId?: string } | undefined;
}

/**
 * Builds what suggestions are made from, once per change of the organisation or the lessons: the
 * gazetteer over the units and workstations (and the places learned), the model over the policy's phrases
 * (and the phrases learned).
 */
export function buildSuggester(org: GazetteerInput, policy: PhrasePolicy & { version: string }, phrases: LearnedPhrase[] = []): SuggestionParts {
  const districtOfSquad = new Map(org.squads.map((s) => [s.id, s.districtId]));
  const squadOfStation = new Map(org.workstations.map((w) => [w.id, w.squadId]));
  return {
    gazetteer: new Gazetteer(org),
    model: new CategoryModel(policy, phrases),
    modelName: `${policy.version}+${phrases.length + (org.learned?.length ?? 0)}`,
    stationOf: (id) => {
      const squadId = squadOfStation.get(id);
      return squadId === undefined ? undefined : { squadId, districtId: districtOfSquad.get(squadId) };
    },
  };
}

export function suggest(complaint: Complaint, parts: SuggestionParts): Suggestion {
  const category = filedCategory(complaint.category) ?? parts.model.classify(complaint);
  const place = filedPlace(complaint.workstationId, parts) ?? parts.gazetteer.locate(complaint.location);
  const reasons: Reason[] = [...category.reasons, ...place.reasons];
  return {
    category: category.category,
    ...((place.squadId ?? place.districtId) && { unitId: place.squadId ?? place.districtId }),
    ...(place.workstationId && { workstationId: place.workstationId }),
    confidence: round(Math.min(category.confidence, place.confidence)),
    categoryConfidence: round(category.confidence),
    placeConfidence: round(place.confidence),
    place: place.level,
    reasons,
    model: parts.modelName,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function filedCategory(category: Category | undefined): CategoryMatch | undefined {
  if (!category) return undefined;
  return { category, confidence: 1, reasons: [{ about: 'category', kind: 'filed', text: category, target: category }] };
}

function filedPlace(workstationId: string | undefined, parts: SuggestionParts): PlaceMatch | undefined {
  const station = workstationId ? parts.stationOf(workstationId) : undefined;
  if (!workstationId || !station) return undefined;
  return {
    level: 'liaison_point',
    districtId: station.districtId,
    squadId: station.squadId,
    workstationId,
    confidence: 1,
    reasons: [{ about: 'place', kind: 'filed', text: workstationId, target: workstationId }],
  };
}
