// The duty thresholds and the schedules' times (policy/duties.json, DUTIES_POLICY_FILE), read once at the
// start of the worker and the API and checked strictly: a misspelt or missing field would otherwise set
// a threshold to nothing without a word, so it stops the start and names the field (a ConfigError: the
// processes print its message alone).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DutyThresholds } from '../domain/duties.js';
import { ConfigError, REPO_ROOT } from './config.js';

export const DEFAULT_DUTIES_POLICY_FILE = path.join(REPO_ROOT, 'policy', 'duties.json');

const DAYS_OF_WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
const count = z.number().int().min(1);
const hour = z.number().int().min(0).max(23);
const minute = z.number().int().min(0).max(59);

const dutiesPolicySchema = z.strictObject({
  $comment: z.string().optional(),
  weekly: z.strictObject({
    minVisits: count.describe('visits a workstation needs in a week'),
    minMinutes: count.max(7 * 24 * 60).describe('minutes those visits total at least'),
    schedule: z.strictObject({ dayOfWeek: z.enum(DAYS_OF_WEEK), hour, minute }),
  }),
  monthly: z.strictObject({
    minReleased: count.describe('publicity items a squad releases in a month'),
    // Up to the 28th: a check on the 31st would skip the months without one.
    schedule: z.strictObject({ dayOfMonth: z.number().int().min(1).max(28), hour, minute }),
  }),
  visit: z.strictObject({ maxMinutes: z.number().int().min(30).max(24 * 60).describe('the longest visit one log entry records') }),
});

export type DutiesPolicy = z.infer<typeof dutiesPolicySchema>;

/** What the check workflows are given: the thresholds alone (the times are the schedules'). */
export const thresholdsOf = (p: DutiesPolicy): DutyThresholds => ({
  weekly: { minVisits: p.weekly.minVisits, minMinutes: p.weekly.minMinutes },
  monthly: { minReleased: p.monthly.minReleased },
});

/** The policy in a file's text, checked; the error names the file and every wrong field. */
export function parseDutiesPolicy(text: string, source: string): DutiesPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`the duties policy ${source} is not JSON: ${(e as Error).message}`);
  }
  const parsed = dutiesPolicySchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`the duties policy ${source} is not valid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadDutiesPolicy(file = DEFAULT_DUTIES_POLICY_FILE): DutiesPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the duties policy at ${file}: ${(e as Error).message}`);
  }
  return parseDutiesPolicy(text, file);
}
