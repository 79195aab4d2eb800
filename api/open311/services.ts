// The Open311 services are our categories (DOMAIN.md "Categories"): one service per category, its
// code the category's name, its name the console's. Every service takes the same few attributes — what
// the intake of any channel takes beyond the text and the place: a title, urgency, the district and
// street, and the workstation a QR code names — so every service has metadata, and its definition
// lists them. A request's attributes are checked against its definition here and become intake fields.

import { CATEGORIES, type Category } from '../../domain/case.js';
import type { Duration, Policy } from '../../domain/policy.js';
import { HttpError } from '../errors.js';
import type { OrgDirectory } from '../org.js';
import type { Open311Messages } from './messages.js';

/**
 * The one jurisdiction this endpoint serves, named as the spec suggests: the root of the jurisdiction's
 * main web site without "www" (www.shanghai.gov.cn). A request may leave `jurisdiction_id` out.
 */
export const JURISDICTION_ID = 'shanghai.gov.cn';

/**
 * When the services or their definitions last changed, sortable: the discovery document's `changeset`,
 * which tells clients to refresh what they cached. test/open311.test.ts pins a fingerprint of the
 * services beside it, so a change to them without a new changeset fails.
 */
export const SERVICES_CHANGESET = '2026-11-23 00:00';

const GROUP_OF = {
  illegal_construction: 'housing',
  load_bearing_damage: 'housing',
  change_of_use: 'housing',
  facade_damage: 'housing',
  illegal_renting: 'housing',
  property_management: 'housing',
  green_space_damage: 'cityscape',
  street_vending: 'cityscape',
  construction_waste: 'cityscape',
  outdoor_advertising: 'cityscape',
  waste_sorting: 'cityscape',
  night_construction_noise: 'nuisance',
  cooking_fumes: 'nuisance',
  other: 'other',
} as const satisfies Record<Category, string>;

export const isServiceCode = (code: string): code is Category => (CATEGORIES as readonly string[]).includes(code);

export interface Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  keywords: string;
  group: string;
}

/** Every service: each answers its request id at once (`realtime`), and each has attributes (`metadata`). */
export function serviceList(m: Open311Messages): Service[] {
  return CATEGORIES.map((code) => ({
    service_code: code,
    service_name: m.console.term('category', code),
    description: m.t(`service.${code}.description`),
    metadata: true,
    type: 'realtime',
    keywords: m.t(`service.${code}.keywords`),
    group: m.t(`group.${GROUP_OF[code]}`),
  }));
}

export const ATTRIBUTE_CODES = ['title', 'urgent', 'district', 'street', 'workstation_id'] as const;
export type AttributeCode = (typeof ATTRIBUTE_CODES)[number];

type Datatype = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

export interface Attribute {
  variable: boolean;
  code: AttributeCode;
  datatype: Datatype;
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
}

/** The longest value each free-text attribute takes: what the intake field it fills takes. */
const MAX_LENGTH: Partial<Record<AttributeCode, number>> = { title: 200, street: 50, workstation_id: 64 };

const DATATYPE: Record<AttributeCode, Datatype> = {
  title: 'string',
  urgent: 'singlevaluelist',
  district: 'singlevaluelist',
  street: 'string',
  workstation_id: 'string',
};

/** The districts a request may name: the district units of the organisation (and Lingang's brigade). */
function districts(org: OrgDirectory): { key: string; name: string }[] {
  return org
    .allUnits()
    .filter((u) => u.kind === 'district')
    .map((u) => ({ key: u.id, name: u.name }));
}

function listValues(code: AttributeCode, m: Open311Messages, org: OrgDirectory): { key: string; name: string }[] | undefined {
  if (code === 'urgent') return ['true', 'false'].map((key) => ({ key, name: m.t(`attribute.urgent.${key}`) }));
  if (code === 'district') return districts(org);
  return undefined;
}

/** A service's definition: the attributes a request for it may carry, none of them required. */
export function serviceDefinition(code: Category, m: Open311Messages, org: OrgDirectory): { service_code: string; attributes: Attribute[] } {
  const attributes = ATTRIBUTE_CODES.map((attribute, i): Attribute => {
    const hint = m.t(`attribute.${attribute}.datatype_description`);
    const values = listValues(attribute, m, org);
    return {
      variable: true,
      code: attribute,
      datatype: DATATYPE[attribute],
      required: false,
      datatype_description: hint === `attribute.${attribute}.datatype_description` ? null : hint,
      order: i + 1,
      description: m.t(`attribute.${attribute}.description`),
      ...(values ? { values } : {}),
    };
  });
  return { service_code: code, attributes };
}

/** What a request's attributes say, as intake fields. */
export interface AttributeAnswers {
  title?: string;
  urgent?: boolean;
  /** The district's name, as a case's location keeps it. */
  district?: string;
  street?: string;
  workstationId?: string;
}

/**
 * A request's `attribute[code]` values checked against the service's definition: an unknown code, a
 * list value that is not one of its keys, several values for a single-value attribute or text too long
 * answer 400, each named. A value given as empty counts as not given (the spec's optional arguments).
 */
export function readAttributes(raw: Record<string, string | string[]>, org: OrgDirectory): AttributeAnswers {
  const problems: { path: string; message: string }[] = [];
  const answers: AttributeAnswers = {};
  for (const [code, given] of Object.entries(raw)) {
    const path = `body.attribute[${code}]`;
    if (!(ATTRIBUTE_CODES as readonly string[]).includes(code)) {
      problems.push({ path, message: `no attribute "${code}": the service definition lists ${ATTRIBUTE_CODES.join(', ')}` });
      continue;
    }
    const values = (Array.isArray(given) ? given : [given]).map((v) => v.trim()).filter(Boolean);
    if (values.length === 0) continue;
    if (values.length > 1) {
      problems.push({ path, message: 'takes one value, not several' });
      continue;
    }
    const problem = setAnswer(answers, code as AttributeCode, values[0]!, org);
    if (problem) problems.push({ path, message: problem });
  }
  if (problems.length > 0) throw new HttpError(400, problems.map((p) => `${p.path}: ${p.message}`).join('; '), { issues: problems });
  return answers;
}

function setAnswer(answers: AttributeAnswers, code: AttributeCode, value: string, org: OrgDirectory): string | undefined {
  const max = MAX_LENGTH[code];
  if (max !== undefined && [...value].length > max) return `is longer than ${max} characters`;
  switch (code) {
    case 'title':
      answers.title = value;
      return undefined;
    case 'street':
      answers.street = value;
      return undefined;
    case 'workstation_id':
      answers.workstationId = value;
      return undefined;
    case 'urgent':
      if (value !== 'true' && value !== 'false') return 'is one of the keys true, false';
      answers.urgent = value === 'true';
      return undefined;
    case 'district': {
      const district = districts(org).find((d) => d.key === value);
      if (!district) return `no district "${value}": the service definition lists their keys`;
      answers.district = district.name;
      return undefined;
    }
  }
}

/** "24 小时", "5 个工作日": a policy duration in words. */
export function durationText(duration: Duration, m: Open311Messages): string {
  const match = /^(\d+)(wd|d|h|m|s)$/.exec(duration);
  if (!match) return duration;
  const n = Number(match[1]);
  const key = { wd: undefined, d: 'duration.day', h: 'duration.hour', m: 'duration.minute', s: 'duration.second' }[match[2] as 'wd' | 'd' | 'h' | 'm' | 's'];
  return key ? m.console.t(key, { n }) : m.t('duration.workday', { n });
}

/** What happens to a request of this service: triaged within the policy's time for its category, then answered. */
export function serviceNotice(code: Category, m: Open311Messages, policy: Policy): string {
  const triage = policy.categories[code]?.triage ?? policy.deadlines.triage;
  return m.t('notice', { triage: durationText(triage, m) });
}
