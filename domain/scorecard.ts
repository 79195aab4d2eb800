// The scorecard of workstations and squads, and the "50 best" ranking (创范评优, seed 001 §三(四)): what is
// counted for a period becomes five measures, each a ratio from 0 to 1; the measures become a score by the
// weights in policy/scorecard.json; the scores become a ranking with ties broken one way only. Pure: the
// counting is SQL (db/queries/scorecard.ts), the policy file is read by platform/scorecard-policy.ts.

export const SCORECARD_LEVELS = ['workstation', 'squad'] as const;
export type ScorecardLevel = (typeof SCORECARD_LEVELS)[number];

/** The measures a score is made of, in the order the screens and the CSV show them. */
export const MEASURES = ['dutyCompliance', 'onTimeRate', 'solvedOnSiteRate', 'satisfaction', 'publicityCompliance'] as const;
export type Measure = (typeof MEASURES)[number];

export const MISSING_RULES = ['reweight', 'zero'] as const;
export type MissingRule = (typeof MISSING_RULES)[number];

export interface ScorecardPolicy {
  /** Per level, the weight of each measure: 0–1, summing to 1. */
  weights: Record<ScorecardLevel, Record<Measure, number>>;
  /** Fewer cases filed in the period than this: scored, not ranked (a single happy citizen makes no "best"). */
  minimumCases: Record<ScorecardLevel, number>;
  /** A measure with nothing to judge: scored over the others (reweight), or counted as 0 (zero). */
  missing: MissingRule;
  /** How many the "50 best" list holds. */
  best: number;
}

/** What is counted for one workstation or squad over the period. */
export interface Tally {
  /**
   * Weeks (of every workstation, for a squad) whose visits met the weekly duty (domain/duties.ts
   * `weekComplies`), of the weeks judged.
   */
  weeksMet: number;
  weeksJudged: number;
  /** Cases filed in the period. */
  cases: number;
  /** Closed with no stage deadline missed, of those closed or already late. */
  onTime: number;
  onTimeJudged: number;
  /** Resolved at the squad, never escalated. */
  solvedOnSite: number;
  rated: number;
  satisfied: number;
  basicallySatisfied: number;
  /** The squad's publicity items released in the period and not taken down by its end. */
  publicityReleased: number;
  /** Months whose released items met the monthly duty (domain/duties.ts `monthComplies`), of the months judged. */
  publicityMonthsMet: number;
  publicityMonthsJudged: number;
}

export const emptyTally = (): Tally => ({
  weeksMet: 0,
  weeksJudged: 0,
  cases: 0,
  onTime: 0,
  onTimeJudged: 0,
  solvedOnSite: 0,
  rated: 0,
  satisfied: 0,
  basicallySatisfied: 0,
  publicityReleased: 0,
  publicityMonthsMet: 0,
  publicityMonthsJudged: 0,
});

/** part / whole to four places (as the dashboard shows shares); null when there is nothing to judge. */
export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

export function measuresOf(t: Tally): Record<Measure, number | null> {
  return {
    dutyCompliance: ratio(t.weeksMet, t.weeksJudged),
    onTimeRate: ratio(t.onTime, t.onTimeJudged),
    solvedOnSiteRate: ratio(t.solvedOnSite, t.cases),
    satisfaction: ratio(t.satisfied + t.basicallySatisfied, t.rated),
    publicityCompliance: ratio(t.publicityMonthsMet, t.publicityMonthsJudged),
  };
}

/**
 * 100 × Σ weight × measure / Σ weight, to two places, from the measures as shown (four places), so a reader
 * can recompute it from a row. With `reweight`, the sums run over the measures present; with `zero`, a
 * missing measure counts 0 against all the weights. Null when no weighed measure is present.
 */
export function scoreOf(measures: Record<Measure, number | null>, weights: Record<Measure, number>, missing: MissingRule): number | null {
  let sum = 0;
  let weight = 0;
  let present = 0;
  for (const m of MEASURES) {
    const w = weights[m];
    if (w === 0) continue;
    const value = measures[m];
    if (value !== null) present++;
    if (value === null && missing === 'reweight') continue;
    sum += w * (value ?? 0);
    weight += w;
  }
  if (present === 0 || weight === 0) return null;
  // The nudge keeps a true x.xx5 (0.7925 × 100 held as 79.2499…) rounding up, as on paper.
  return Math.round((100 * sum) / weight * 100 + 1e-7) / 100;
}

export type Unranked = 'too_few_cases' | 'no_measures';

export interface Scored {
  id: string;
  cases: number;
  score: number | null;
  /** Set by `rank`. */
  rank: number | null;
  unranked?: Unranked;
}

/**
 * The ranking: rows with at least the minimum cases and a score, by score (higher first), then by cases
 * filed (more first: the same score over more work), then by id — so equal scores always come out in
 * the same order. Ranks are 1, 2, 3… with no gaps. The others follow, unranked, by score then id. Each
 * row gets its rank (or why it has none) in place: a city's 6,000 rows are not copied again.
 */
export function rank<T extends Scored>(rows: readonly T[], minimumCases: number): T[] {
  const why = (r: T): Unranked | undefined => (r.score === null ? 'no_measures' : r.cases < minimumCases ? 'too_few_cases' : undefined);
  const byScore = (a: T, b: T) => (b.score ?? -1) - (a.score ?? -1) || b.cases - a.cases || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const ranked: T[] = [];
  const rest: T[] = [];
  for (const r of rows) {
    const reason = why(r);
    r.rank = null;
    if (reason) {
      r.unranked = reason;
      rest.push(r);
    } else {
      delete r.unranked;
      ranked.push(r);
    }
  }
  ranked.sort(byScore).forEach((r, i) => (r.rank = i + 1));
  return [...ranked, ...rest.sort(byScore)];
}
