// A complaint's possible duplicates: the same thing reported again — by the same citizen through another
// channel, or by a neighbour. Two questions, two reads. Similar cases (GET /v1/cases/:id/similar): alike
// in words, nearby in the organisation — Chinese has no spaces between words, so texts are compared by
// their character bigrams (the Dice coefficient of the two sets), over a bounded set of candidates that
// lie where the case lies: no index, extension or migration, and the cost is the same at any size.
// Duplicate hints (GET /v1/cases/:id/duplicates): the same category at the same place, now — open cases
// at the same normalised address or within a radius of its coordinates (domain/address.ts).

import { listDuplicateCandidates, listSimilarCandidates } from '../db/queries/similar.js';
import { refusal } from '../domain/access.js';
import { boundingBox, coordinatesOf, distanceMetres, normaliseAddress, sameAddress } from '../domain/address.js';
import type { CaseView } from '../domain/case.js';
import { districtIdOf, squadIdOf } from '../domain/units.js';
import { caseTarget } from './access.js';
import { type CaseServiceDeps, type Reader, showCases, visibleCase } from './cases.js';
import type { CaseBody } from './schemas.js';

/** How many candidates are compared: the newest that lie where the case lies. */
const CANDIDATES = 300;
/** Closed cases are candidates for this long after filing; open ones always. */
const RECENT_MS = 30 * 86_400_000;
/** Below this a pair of complaints shares little more than the words every complaint uses. */
export const MIN_SIMILARITY = 0.3;
export const MAX_SIMILAR = 5;

/** The character bigrams of a text: letters and digits only, case and width folded. */
export function bigrams(text: string): Set<string> {
  const chars = [...text.normalize('NFKC').toLowerCase()].filter((ch) => /[\p{L}\p{N}]/u.test(ch));
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  if (chars.length === 1) out.add(chars[0]!);
  return out;
}

/** Dice's coefficient of two bigram sets: 1 for the same text, 0 for nothing in common. */
export function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return (2 * shared) / (a.size + b.size);
}

const textOf = (c: CaseView) => bigrams(`${c.title}\n${c.description}`);

export interface SimilarCase {
  similarity: number;
  case: CaseBody;
}

/**
 * The case's possible duplicates the reader may see, best first, at most five: never the case itself,
 * and each shown as the list shows it (masked, or unmasked and in the audit log). 404 / 403 for a case
 * the reader may not read.
 */
export async function similarCases(deps: CaseServiceDeps, reader: Reader, id: string): Promise<SimilarCase[]> {
  const view = await visibleCase(deps, id, reader.principal);
  const candidates = await listSimilarCandidates(deps.db, {
    caseId: view.id,
    workstationId: view.workstationId,
    squadId: squadIdOf(view.squadPath),
    district: view.location.district,
    street: view.location.street,
    closedSince: new Date(Date.now() - RECENT_MS).toISOString(),
    limit: CANDIDATES,
  });
  const mine = textOf(view);
  const best = candidates
    .filter((c) => refusal(reader.principal, 'case.list', caseTarget(c)) === undefined)
    .map((c) => ({ view: c, score: similarity(mine, textOf(c)) }))
    .filter((s) => s.score >= MIN_SIMILARITY)
    .sort((a, b) => b.score - a.score || a.view.createdAt.localeCompare(b.view.createdAt))
    .slice(0, MAX_SIMILAR);
  const shown = await showCases(deps, reader, 'case.list', best.map((s) => s.view));
  return shown.map((c, i) => ({ similarity: Math.round(best[i]!.score * 100) / 100, case: c }));
}

/** How many open cases of the category near the place are compared: the newest. */
const DUPLICATE_CANDIDATES = 300;
export const MAX_DUPLICATE_HINTS = 10;

export interface DuplicateHint {
  /** Metres between the two, when both have coordinates. */
  distanceM?: number;
  /** Whether the two addresses are the same place once normalised (domain/address.ts). */
  sameAddress: boolean;
  case: CaseBody;
}

/**
 * Possible duplicates of a complaint, for triage: open cases of its category, filed before it, at the same
 * place — the same normalised address, or within `radiusM` when both have coordinates — nearest first (the
 * same address counting as no distance), then oldest first, at most ten; only cases the reader may list,
 * each shown as the list shows it. A case without a category has none: the category is what makes two
 * complaints at one place the same one. 404 / 403 for a case the reader may not read.
 */
export async function duplicateHints(deps: CaseServiceDeps, reader: Reader, id: string, radiusM: number): Promise<DuplicateHint[]> {
  const view = await visibleCase(deps, id, reader.principal);
  if (!view.category) return [];
  const here = coordinatesOf(view.location);
  const address = normaliseAddress(view.location.address, view.location);
  const candidates = await listDuplicateCandidates(deps.db, {
    caseId: view.id,
    category: view.category,
    filedBy: view.createdAt,
    box: here && boundingBox(here, radiusM),
    districtId: districtIdOf(view.squadPath),
    district: address.district,
    limit: DUPLICATE_CANDIDATES,
  });
  const hints = candidates
    .filter((c) => refusal(reader.principal, 'case.list', caseTarget(c)) === undefined)
    .flatMap((c) => {
      const there = coordinatesOf(c.location);
      const distanceM = here && there ? distanceMetres(here, there) : undefined;
      const same = sameAddress(address, normaliseAddress(c.location.address, c.location));
      return same || (distanceM !== undefined && distanceM <= radiusM) ? [{ view: c, distanceM, sameAddress: same }] : [];
    })
    .sort((a, b) => (a.sameAddress ? 0 : a.distanceM!) - (b.sameAddress ? 0 : b.distanceM!) || a.view.createdAt.localeCompare(b.view.createdAt))
    .slice(0, MAX_DUPLICATE_HINTS);
  const shown = await showCases(deps, reader, 'case.list', hints.map((h) => h.view));
  return shown.map((c, i) => {
    const { distanceM, sameAddress: same } = hints[i]!;
    return { ...(distanceM !== undefined ? { distanceM: Math.round(distanceM) } : {}), sameAddress: same, case: c };
  });
}
