// The ranking's formula as a policy file, policy/scorecard.json (SCORECARD_POLICY_FILE): the weights of the
// measures per level, the cases a row needs to be ranked, what a missing measure counts, and how many the
// "50 best" list holds. Read and checked once at start; a wrong file stops the API with the field named,
// rather than ranking workstations by a formula nobody wrote.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MEASURES, MISSING_RULES, type Measure, SCORECARD_LEVELS, type ScorecardLevel, type ScorecardPolicy } from '../domain/scorecard.js';
import { REPO_ROOT } from './config.js';

export const DEFAULT_SCORECARD_POLICY_FILE = path.join(REPO_ROOT, 'policy', 'scorecard.json');

const weight = z.number().min(0, 'a weight is from 0 to 1').max(1, 'a weight is from 0 to 1');
/** Every measure named, none unknown: a misspelt measure would otherwise weigh nothing without a word. */
const weights = z
  .strictObject(Object.fromEntries(MEASURES.map((m) => [m, weight])) as Record<Measure, typeof weight>)
  .superRefine((w, ctx) => {
    const sum = MEASURES.reduce((s, m) => s + w[m], 0);
    // Written as decimals (0.15 + 0.3 …), the sum is 1 only to within rounding.
    if (Math.abs(sum - 1) > 1e-9) ctx.addIssue({ code: 'custom', message: `the weights must sum to 1; these sum to ${Math.round(sum * 1e6) / 1e6}` });
  });
const perLevel = <T extends z.ZodType>(schema: T) => z.strictObject(Object.fromEntries(SCORECARD_LEVELS.map((l) => [l, schema])) as Record<ScorecardLevel, T>);

export const scorecardPolicySchema = z.strictObject({
  $comment: z.string().optional(),
  weights: perLevel(weights),
  minimumCases: perLevel(z.number().int('a whole number of cases').min(0)),
  missing: z.enum(MISSING_RULES),
  best: z.number().int().min(1).max(1000),
});

/** The policy in a file's text, checked; the error names the file and each wrong field by its path. */
export function parseScorecardPolicy(text: string, source: string): ScorecardPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the scorecard policy ${source} is not JSON: ${(e as Error).message}`);
  }
  const parsed = scorecardPolicySchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`the scorecard policy ${source} is not valid:\n${lines.join('\n')}`);
  }
  const { $comment: _comment, ...policy } = parsed.data;
  return policy;
}

/** The policy file, read and checked: a broken one stops the API's start with what is wrong. */
export function loadScorecardPolicy(file = DEFAULT_SCORECARD_POLICY_FILE): ScorecardPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the scorecard policy at ${file}: ${(e as Error).message}`);
  }
  return parseScorecardPolicy(text, file);
}
