// The 12345 hotline's work orders (工单) in our intake's terms. A 12345 export names its columns in Chinese
// and each city's platform names them a little differently, so which column fills which intake field — and
// which of its category and urgency words mean what here — is a policy file, policy/hotline-mapping.json
// (HOTLINE_MAPPING_FILE; `--mapping` for the import), not code. The import command (cli/import-12345.ts)
// and the push endpoint (POST /v1/hotline/work-orders, api/hotline.ts) map every record with the same
// function below, so a work order files the same case by either road.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CATEGORIES, type Category } from '../domain/case.js';
import { REPO_ROOT } from './config.js';

export const DEFAULT_HOTLINE_MAPPING_FILE = path.join(REPO_ROOT, 'policy', 'hotline-mapping.json');

/** The intake fields a column of the export fills (POST /v1/cases: location.* and citizen.* flattened). */
const columnsSchema = z.strictObject({
  externalId: z.string().min(1).describe("the work-order number (工单编号): the case's externalId, so a record filed again is the same case"),
  title: z.string().min(1).optional().describe('absent or empty in a record: the first line of the description, cut to 40 characters'),
  description: z.string().min(1),
  category: z.string().min(1).optional().describe('its values are translated by `categories`'),
  address: z.string().min(1),
  district: z.string().min(1).optional(),
  street: z.string().min(1).optional(),
  citizenName: z.string().min(1).optional(),
  citizenPhone: z.string().min(1).optional(),
  urgent: z.string().min(1).optional().describe('its values are translated by `urgency`'),
});
export type HotlineField = keyof z.infer<typeof columnsSchema>;

export const hotlineMappingSchema = z.strictObject({
  $comment: z.string().optional(),
  columns: columnsSchema,
  /**
   * The export's category words → ours. `null`: a category that is not a 城管 matter (or says nothing); the
   * case is filed without one, for the desk to decide — and, if it is not ours, to return it to 12345.
   * A word not listed is refused, so a new word in the export is noticed rather than guessed.
   */
  categories: z.record(z.string().min(1), z.enum(CATEGORIES).nullable()),
  /** The export's urgency words → urgent or not; an empty cell is not urgent, a word not listed is refused. */
  urgency: z.record(z.string().min(1), z.boolean()),
  /** Further columns kept in the case's description as "label：value" lines (the hotline's own acceptance time, say). */
  notes: z.array(z.strictObject({ column: z.string().min(1), label: z.string().min(1).max(50) })).default([]),
  /** Columns the export has that Bangnong does not take: accepted and dropped, where any other column is refused (push) or reported (import). */
  ignored: z.array(z.string().min(1)).default([]),
});
export type HotlineMapping = z.infer<typeof hotlineMappingSchema>;

/** The mapping in a file's text, checked; the error names the file and every wrong entry. */
export function parseHotlineMapping(text: string, source: string): HotlineMapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the 12345 mapping ${source} is not JSON: ${(e as Error).message}`);
  }
  const parsed = hotlineMappingSchema.safeParse(json);
  if (!parsed.success) throw new Error(`the 12345 mapping ${source} is not valid:\n${z.prettifyError(parsed.error)}`);
  const columns = Object.values(parsed.data.columns);
  const twice = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (twice.length) throw new Error(`the 12345 mapping ${source} maps column ${twice[0]} to two fields`);
  return parsed.data;
}

/** The mapping file, read and checked: a broken one stops the API's start, or the import, with what is wrong. */
export function loadHotlineMapping(file = DEFAULT_HOTLINE_MAPPING_FILE): HotlineMapping {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the 12345 mapping at ${file}: ${(e as Error).message}`);
  }
  return parseHotlineMapping(text, file);
}

/** Every column a record may carry: the mapped ones, the notes and the ignored. */
export function knownColumns(m: HotlineMapping): string[] {
  return [...new Set([...Object.values(m.columns), ...m.notes.map((n) => n.column), ...m.ignored])];
}

/** What a work order files: the body of POST /v1/cases. */
export interface HotlineIntake {
  channel: 'hotline';
  externalId: string;
  title: string;
  description: string;
  category?: Category;
  urgent: boolean;
  location: { address: string; district?: string; street?: string };
  citizen?: { name?: string; phone?: string };
}

/** Something wrong with one column of a record, named as the export names it. */
export interface RecordProblem {
  column: string;
  message: string;
}

export type MappedWorkOrder = { ok: true; intake: HotlineIntake } | { ok: false; problems: RecordProblem[] };

/** A record's cell as text: numbers (a JSON export's work-order number) as written, empty for null. */
function cell(record: Record<string, unknown>, column: string | undefined): string | { bad: string } {
  if (!column) return '';
  const v = record[column];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return { bad: `must be text or a number, not ${Array.isArray(v) ? 'a list' : 'an object'}` };
}

const TITLE_FROM_DESCRIPTION = 40;

/**
 * One record of the export as our intake: the mapped columns, the category and urgency translated, the
 * notes added to the description. Every problem is named by its column; lengths and the rest of the
 * intake's rules are the intake schema's to check (columnOf names those columns too).
 */
export function mapWorkOrder(m: HotlineMapping, record: Record<string, unknown>): MappedWorkOrder {
  const problems: RecordProblem[] = [];
  const get = (field: HotlineField, required = false): string => {
    const column = m.columns[field];
    const v = cell(record, column);
    if (typeof v !== 'string') {
      problems.push({ column: column!, message: v.bad });
      return '';
    }
    if (required && !v) problems.push({ column: column!, message: 'is required and empty' });
    return v;
  };
  const externalId = get('externalId', true);
  const description = get('description', true);
  const address = get('address', true);
  const title = get('title') || description.split('\n')[0]!.trim().slice(0, TITLE_FROM_DESCRIPTION);

  let category: Category | undefined;
  const categoryWord = get('category');
  if (categoryWord) {
    const known = Object.hasOwn(m.categories, categoryWord) ? m.categories[categoryWord] : (CATEGORIES as readonly string[]).includes(categoryWord) ? (categoryWord as Category) : undefined;
    if (known === undefined) {
      problems.push({ column: m.columns.category!, message: `"${categoryWord}" is not a category the mapping knows (its "categories": map it to one of ours, or to null for the desk to decide)` });
    } else if (known !== null) category = known;
  }

  let urgent = false;
  const urgencyWord = get('urgent');
  if (urgencyWord) {
    if (Object.hasOwn(m.urgency, urgencyWord)) urgent = m.urgency[urgencyWord]!;
    else problems.push({ column: m.columns.urgent!, message: `"${urgencyWord}" is not an urgency the mapping knows: one of ${Object.keys(m.urgency).join(', ')}` });
  }

  const notes: string[] = [];
  for (const note of m.notes) {
    const v = cell(record, note.column);
    if (typeof v !== 'string') problems.push({ column: note.column, message: v.bad });
    else if (v) notes.push(`${note.label}：${v}`);
  }

  const district = get('district');
  const street = get('street');
  const name = get('citizenName');
  const phone = get('citizenPhone');
  if (problems.length) return { ok: false, problems };
  const intake: HotlineIntake = {
    channel: 'hotline',
    externalId,
    title,
    description: notes.length ? `${description}\n\n${notes.join('\n')}` : description,
    urgent,
    location: { address, ...(district && { district }), ...(street && { street }) },
  };
  if (category) intake.category = category;
  if (name || phone) intake.citizen = { ...(name && { name }), ...(phone && { phone }) };
  return { ok: true, intake };
}

/**
 * The column behind a field of the intake (an issue's path, such as `location.address` or
 * `body.citizen.phone`), so a refusal names what the 12345 side can fix; the path itself when no column fills it.
 */
export function columnOf(m: HotlineMapping, path: string): string {
  const bare = path.replace(/^body\./, '');
  const field: Record<string, HotlineField> = {
    externalId: 'externalId',
    title: 'title',
    description: 'description',
    category: 'category',
    urgent: 'urgent',
    'location.address': 'address',
    'location.district': 'district',
    'location.street': 'street',
    'citizen.name': 'citizenName',
    'citizen.phone': 'citizenPhone',
  };
  const f = field[bare];
  // A title made from the description is too long only if the description is: name the column there is.
  const column = f ? (m.columns[f] ?? (f === 'title' ? m.columns.description : undefined)) : undefined;
  return column ?? bare;
}
