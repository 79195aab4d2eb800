// Reads the deadline policy and the working-day calendar from their JSON files (policy/), so both can
// be changed without code. New cases take the policy in force when they are filed.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CATEGORIES, CHANNELS, LEVELS } from '../domain/case.js';
import { DEFAULT_CASE_LIMITS, DEFAULT_HOTLINE_RETURN, DEFAULT_PUBLICITY_DEADLINES, DEFAULT_SUGGESTION_DEADLINES, type Policy, isDuration } from '../domain/policy.js';

const duration = z.string().refine(isDuration, 'a duration: a number and s, m, h, d or wd (working days), e.g. "24h", "5wd"');
const stages = z.object({
  triage: duration,
  acceptance: duration,
  arrival: duration,
  investigation: duration,
  escalation: duration,
  feedback: duration,
  mediaReview: duration,
});
const count = z.number().int().positive();
// Strict: a misspelt cap would otherwise fall back to its default without a word.
const limits = z.strictObject({
  supplements: count,
  evidence: count,
  actions: count,
  historyEvents: count.max(51_200, "Temporal's own limit is 51,200 events"),
  historyBytes: count.max(50 * 1024 * 1024, "Temporal's own limit is 50 MB"),
});
// Strict, like the caps: a misspelt deadline would otherwise fall back to its default without a word.
const suggestionDeadlines = z.strictObject({ acknowledge: duration, answer: duration, lapse: duration });
const publicityDeadlines = z.strictObject({ review: duration, revise: duration, lapse: duration });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

const policySchema = z.object({
  deadlines: stages,
  grace: duration,
  ratingWindow: duration,
  reopenWindow: duration,
  urgent: stages.partial().default({}),
  categories: z.partialRecord(z.enum(CATEGORIES), stages.partial()).default({}),
  media: z.object({
    channels: z.array(z.enum(CHANNELS)),
    reviewChain: z.array(z.enum(LEVELS)).min(1),
  }),
  limits: limits.partial().default({}).transform((set) => ({ ...DEFAULT_CASE_LIMITS, ...set })),
  suggestion: suggestionDeadlines.partial().default({}).transform((set) => ({ ...DEFAULT_SUGGESTION_DEADLINES, ...set })),
  publicity: publicityDeadlines.partial().default({}).transform((set) => ({ ...DEFAULT_PUBLICITY_DEADLINES, ...set })),
  hotlineReturn: duration.default(DEFAULT_HOTLINE_RETURN),
});

const calendarSchema = z.object({
  utcOffsetMinutes: z.number().int().min(-720).max(840),
  holidays: z.array(date),
  workdays: z.array(date),
});

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the ${what} at ${file}: ${(e as Error).message}`);
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${file} is not valid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadPolicy(policyFile: string, calendarFile: string): Policy {
  const policy = check(policySchema, readJson(policyFile, 'deadline policy'), policyFile);
  const raw = readJson(calendarFile, 'working-day calendar') as Record<string, unknown>;
  const calendar = check(calendarSchema, raw, calendarFile);
  return { ...policy, calendar } as Policy;
}
