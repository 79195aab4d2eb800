// Smart dispatch's policy file, policy/dispatch.json (DISPATCH_POLICY_FILE): the phrase model that suggests a
// new case's category (domain/dispatch/category.ts says how it scores) and the channels the system may
// dispatch itself. Read and checked once at start, strictly: a misspelt key, a category we do not have or a
// weight that is not a positive number would otherwise weigh nothing — or the wrong way — without a word, so
// the API refuses to start and names the file and the entry.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CATEGORIES, CHANNELS, type Channel } from '../domain/case.js';
import type { PhrasePolicy } from '../domain/dispatch/category.js';
import { REPO_ROOT } from './config.js';

export const DEFAULT_DISPATCH_POLICY_FILE = path.join(REPO_ROOT, 'policy', 'dispatch.json');

export interface DispatchPolicy extends PhrasePolicy {
  version: string;
  titleWeight: number;
  minScore: number;
  confidenceHalf: number;
  autoDispatch: { threshold: number; channels: Channel[] };
}

const phrase = z.string().trim().min(1, 'a phrase is at least one character').max(20, 'a phrase is at most 20 characters');
const weight = z.number('a weight is a number').positive('a weight is above 0 (a phrase against a category goes in "negatives")').max(10, 'a weight is at most 10');
const category = z.enum(CATEGORIES);
/** Every category named (a category left out would never be suggested), none unknown. */
const phrasesByCategory = z.strictObject(Object.fromEntries(CATEGORIES.map((c) => [c, z.record(phrase, weight)])) as Record<(typeof CATEGORIES)[number], z.ZodRecord<typeof phrase, typeof weight>>);

export const dispatchPolicySchema = z
  .strictObject({
    $comment: z.string().optional(),
    version: z.string().min(1).max(40),
    titleWeight: z.number().min(1).max(10).default(2),
    minScore: z.number().min(0).default(1),
    confidenceHalf: z.number().positive().default(1.5),
    categories: phrasesByCategory,
    contexts: z.partialRecord(category, z.record(phrase, z.array(phrase).min(1))).default({}),
    negatives: z.partialRecord(category, z.record(phrase, weight)).default({}),
    autoDispatch: z
      .strictObject({
        threshold: z.number().min(0).max(1),
        channels: z.array(z.enum(CHANNELS)),
      })
      .default({ threshold: 0.9, channels: [] }),
  })
  .superRefine((p, ctx) => {
    // A context for a phrase the category does not weigh would never apply: a typo, most likely.
    for (const [c, byPhrase] of Object.entries(p.contexts)) {
      for (const ph of Object.keys(byPhrase ?? {})) {
        if (!Object.hasOwn(p.categories[c as keyof typeof p.categories], ph)) {
          ctx.addIssue({ code: 'custom', path: ['contexts', c, ph], message: `"${ph}" is not a phrase of categories.${c}` });
        }
      }
    }
  });

/** The policy in a file's text, checked; the error names the file and each wrong entry by its path. */
export function parseDispatchPolicy(text: string, source: string): DispatchPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the dispatch policy ${source} is not JSON: ${(e as Error).message}`);
  }
  const parsed = dispatchPolicySchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new Error(`the dispatch policy ${source} is not valid:\n${lines.join('\n')}`);
  }
  const { $comment: _comment, ...policy } = parsed.data;
  return policy;
}

/** The policy file, read and checked: a broken one stops the API's start (and the retraining) with what is wrong. */
export function loadDispatchPolicy(file = DEFAULT_DISPATCH_POLICY_FILE): DispatchPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the dispatch policy at ${file}: ${(e as Error).message}`);
  }
  return parseDispatchPolicy(text, file);
}
