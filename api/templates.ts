// The answers to the citizen the desk starts from (policy/answer-templates.json): one per outcome, and
// optionally per category, with placeholders for the case's facts that the console fills in. The file is
// read and checked once, when the API starts: a template naming an unknown placeholder, a category or a
// department that does not exist stops the start, not a desk in the middle of its queue.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CATEGORIES, DEPARTMENTS } from '../domain/case.js';
import { REPO_ROOT } from '../platform/config.js';

export const ANSWER_TEMPLATES_FILE = path.join(REPO_ROOT, 'policy', 'answer-templates.json');

/** The outcomes an answer follows (a case ends answered only after triage or resolution), and `default` for any. */
export const TEMPLATE_OUTCOMES = ['resolved', 'transferred', 'explained', 'default'] as const;
export const PLACEHOLDERS = ['title', 'address', 'trackingCode', 'department', 'explanation', 'resolution', 'date'] as const;

export const answerTemplateSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,64}$/),
    outcome: z.enum(TEMPLATE_OUTCOMES).describe('the outcome it answers; `default` answers any'),
    category: z.enum(CATEGORIES).optional().describe('the category it is written for; absent, any'),
    title: z.string().min(1).max(100).describe('what the desk picks it by'),
    text: z.string().min(1).max(5000).describe('the answer, with {placeholders} for the case\'s facts'),
  })
  .meta({ id: 'AnswerTemplate' });

const fileSchema = z.object({
  $comment: z.string().optional(),
  placeholders: z.array(z.object({ name: z.enum(PLACEHOLDERS), description: z.string().min(1) })),
  departments: z.array(z.object({ id: z.enum(DEPARTMENTS), name: z.string().min(1).max(50) })),
  templates: z.array(answerTemplateSchema).min(1),
});

export type AnswerTemplates = Omit<z.infer<typeof fileSchema>, '$comment'>;
export type AnswerTemplate = z.infer<typeof answerTemplateSchema>;

/** The templates file, checked: every placeholder a text uses is known, every department named, ids unique, a default there. */
export function loadAnswerTemplates(file = ANSWER_TEMPLATES_FILE): AnswerTemplates {
  const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  const { placeholders, departments, templates } = parsed.data;
  const problems: string[] = [];
  const known = new Set<string>(placeholders.map((p) => p.name));
  for (const t of templates) {
    for (const [, name] of t.text.matchAll(/\{(\w+)\}/g)) if (!known.has(name!)) problems.push(`template ${t.id} uses {${name}}, which is not among the placeholders`);
  }
  const ids = templates.map((t) => t.id);
  for (const id of new Set(ids)) if (ids.indexOf(id) !== ids.lastIndexOf(id)) problems.push(`template id ${id} is used twice`);
  for (const d of DEPARTMENTS) if (!departments.some((x) => x.id === d)) problems.push(`department ${d} has no name`);
  if (!templates.some((t) => t.outcome === 'default' && !t.category)) problems.push('no default template (outcome "default", no category): some answer must always be offered');
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  return { placeholders, departments, templates };
}

/**
 * The templates that fit a case's outcome and category, most specific first: its category and outcome,
 * then its outcome, then its category for any outcome, then the defaults. Without a filter, every one.
 */
export function templatesFor(all: AnswerTemplates, filter: { outcome?: (typeof TEMPLATE_OUTCOMES)[number]; category?: (typeof CATEGORIES)[number] }): AnswerTemplate[] {
  const fits = (t: AnswerTemplate) =>
    (!filter.outcome || t.outcome === filter.outcome || t.outcome === 'default') && (!filter.category || !t.category || t.category === filter.category);
  const rank = (t: AnswerTemplate) => (t.outcome === 'default' ? 2 : 0) + (t.category ? 0 : 1);
  return all.templates.filter(fits).map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i).map(({ t }) => t);
}
