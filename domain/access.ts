// Who may do what (DOMAIN.md "Actors"), as one table: for every operation — each action of the lifecycle
// and each read or administration route — the roles that may take it and, for each, where the case (or
// unit) may lie relative to the actor's own unit. The API checks every route against it, the workflow's
// validator checks every action against it, and the README's roles section and the matrix test read it.
// Pure data and functions: this file is bundled into the workflow sandbox.

import type { ActorRole, Channel } from './case.js';
import { isWithin } from './units.js';

/**
 * Where a case or unit lies relative to the actor's unit: in it (`own`), in a unit below it (`below`),
 * in a unit above it (`above`: a squad's case escalated to its district), or in another branch.
 */
export const RELATIONS = ['own', 'below', 'above', 'elsewhere'] as const;
export type Relation = (typeof RELATIONS)[number];

const INSIDE = ['own', 'below'] as const satisfies readonly Relation[];
const ANYWHERE = RELATIONS;

type Rule = Partial<Record<ActorRole, readonly Relation[]>>;

/** The lifecycle's actions (workflows/lifecycle.ts checks that these are exactly its actions). */
export const ACTION_ACCESS = {
  triage: { desk: INSIDE, supervisor: INSIDE },
  joint_decision: { supervisor: INSIDE },
  accept: { officer: INSIDE },
  arrive: { officer: INSIDE },
  record_evidence: { officer: INSIDE, supervisor: INSIDE },
  resolve: { officer: INSIDE, supervisor: INSIDE },
  escalate: { officer: INSIDE, supervisor: INSIDE },
  return_down: { supervisor: INSIDE },
  reassign: { supervisor: INSIDE },
  // Reporters are not in the enforcement tree: their reach is the media item of any case.
  media_join_request: { reporter: ANYWHERE },
  media_join_decision: { officer: INSIDE, supervisor: INSIDE },
  media_draft: { reporter: ANYWHERE },
  // The reviewing level is the unit that acts (see the workflow's jurisdiction).
  media_review: { supervisor: INSIDE },
  media_publish: { reporter: ANYWHERE },
  media_waive: { desk: INSIDE, supervisor: INSIDE },
  feedback: { desk: INSIDE, officer: INSIDE, supervisor: INSIDE },
  // The citizen reaches the case named by its tracking code; intake speaks for its channel's citizens.
  rate: { citizen: ANYWHERE, desk: INSIDE, intake: ANYWHERE },
  reopen: { supervisor: INSIDE },
  withdraw: { citizen: ANYWHERE, intake: ANYWHERE, desk: INSIDE },
  // A dispatched case no officer has accepted goes back to triage: the desk's (or a supervisor's) undoing of a dispatch.
  retriage: { desk: INSIDE, supervisor: INSIDE },
  mark_duplicate: { desk: INSIDE, supervisor: INSIDE },
  // A 12345 work order that is not a 城管 matter goes back to the hotline (退单): the desk's triage decision, or a supervisor's.
  return_to_hotline: { desk: INSIDE, supervisor: INSIDE },
  supplement: { citizen: ANYWHERE, intake: ANYWHERE, desk: INSIDE, officer: INSIDE, supervisor: INSIDE },
  // Erasing the citizen's personal data cannot be undone: the bureau's own decision, taken by a supervisor
  // of the unit that handles the case or above it, who checks the request is the citizen's.
  erase_personal_data: { supervisor: INSIDE },
  // A property company's dual report (双报告) is acknowledged by each party it reached: for the squad, its
  // officers or supervisors; for the district's demolition office (拆违办), which holds no key of its own, a
  // supervisor of the district bureau, the level that works with it (the lifecycle places that party's
  // acknowledgement at the district and refuses officers: workflows/lifecycle.ts, assertMayAct).
  acknowledge_report: { officer: INSIDE, supervisor: INSIDE },
} as const satisfies Record<string, Rule>;

/** Reads and administration: what each route (and, later, the stream and the console) asks of the table. */
export const READ_ACCESS = {
  // Filing: channels' systems anywhere (a bound key for its own channel only); desk staff for their unit,
  // or for the city's triage when the complaint names no workstation.
  'case.file': { intake: ANYWHERE, desk: ['own', 'below', 'above'] },
  // A case, its timeline and the lists: where the case lies or is handled.
  'case.read': { intake: ANYWHERE, desk: INSIDE, officer: INSIDE, supervisor: INSIDE, reporter: INSIDE },
  'case.list': { intake: ANYWHERE, desk: INSIDE, officer: INSIDE, supervisor: INSIDE, reporter: INSIDE },
  // The live stream of case events (GET /v1/stream): what the lists show, as it happens.
  'case.stream': { intake: ANYWHERE, desk: INSIDE, officer: INSIDE, supervisor: INSIDE, reporter: INSIDE },
  // The citizen's name and phone unmasked, and the text the case carries unredacted: only those who call
  // the citizen back — the channel that took the complaint, the desk that triages it, the squad's officers,
  // and the supervisor of the unit that handles it. A level above (a district watching its squads) sees
  // them masked; reporters and administrators never see them. Each unmasked read is audited.
  'citizen.read': { intake: ANYWHERE, desk: INSIDE, officer: INSIDE, supervisor: ['own'] },
  'stats.read': { intake: ANYWHERE, desk: INSIDE, officer: INSIDE, supervisor: INSIDE },
  'org.read': { intake: ANYWHERE, desk: ANYWHERE, officer: ANYWHERE, supervisor: ANYWHERE, reporter: ANYWHERE, admin: ANYWHERE },
  // Who read citizens' data unmasked: supervisors for the principals of their unit, administrators too.
  'audit.read': { supervisor: INSIDE, admin: INSIDE },
  // API keys: administrators, for the principals of their unit (the city's for everyone).
  'keys.manage': { admin: INSIDE },
  // Suggestions (人民建议征集): filed like complaints; read, listed, acknowledged and answered by the desk and
  // the supervisors of the unit that handles them — not by officers: nothing is enforced. Their citizen is
  // shown unmasked by 'citizen.read', as a case's.
  'suggestion.file': { intake: ANYWHERE, desk: ['own', 'below', 'above'] },
  'suggestion.read': { intake: ANYWHERE, desk: INSIDE, supervisor: INSIDE },
  'suggestion.handle': { desk: INSIDE, supervisor: INSIDE },
  // Workstation duties (seeds 000, 001): a liaison officer logs visits (and their photos) to the
  // workstations of its squad; the squad's officers, the desk and the supervisors of the unit and above
  // read the log, compliance and the shortfalls the schedules found.
  'duty.log': { officer: INSIDE },
  'duty.read': { desk: INSIDE, officer: INSIDE, supervisor: INSIDE },
  // The scorecard and the "50 best" (创范评优): the bureau's own appraisal of its workstations and squads,
  // for the supervisors who run it — each for its unit and below. Not the desk (often the newspaper's
  // staff, outside the bureau's appraisal) nor officers (who are appraised).
  'scorecard.read': { supervisor: INSIDE },
  // Publicity items (宣传报道, seeds 000 and 003; domain/publicity.ts): a squad's officers and supervisors (or those
  // of a unit above it, naming the squad) upload, submit, revise and withdraw them. Each review level is its own
  // unit's supervisors only — the squad, then its district, then the city — so three levels review, not one
  // unit three times. A supervisor of the squad or above takes a released item down. Reporters, the
  // newspaper's, read what was released to it, anywhere (their reach; api/publicity.ts hides the rest).
  'publicity.submit': { officer: INSIDE, supervisor: INSIDE },
  'publicity.read': { desk: INSIDE, officer: INSIDE, supervisor: INSIDE, reporter: ANYWHERE },
  'publicity.review': { supervisor: ['own'] },
  'publicity.take_down': { supervisor: INSIDE },
  // Messages the webhooks would not take within DELIVERY_GIVE_UP_AFTER (the dead-letter list): administrators
  // list and redeliver those of the cases, suggestions, publicity items and duty shortfalls of their unit and
  // below — the service's plumbing, shown with phone and identity numbers masked.
  'delivery.manage': { admin: INSIDE },
} as const satisfies Record<string, Rule>;

export const ACCESS: Record<Operation, Rule> = { ...ACTION_ACCESS, ...READ_ACCESS };

export type ActionName = keyof typeof ACTION_ACCESS;
export type ReadOperation = keyof typeof READ_ACCESS;
export type Operation = ActionName | ReadOperation;
export const OPERATIONS = Object.keys(ACCESS) as Operation[];

/** Where `unit` lies relative to `actorUnit`. */
export function relationOf(actorUnit: string, unit: string): Relation {
  if (unit === actorUnit) return 'own';
  if (isWithin(unit, actorUnit)) return 'below';
  if (isWithin(actorUnit, unit)) return 'above';
  return 'elsewhere';
}

/** The closest of several relations: a case lies in its squad and is handled by its assigned unit. */
export function closestRelation(actorUnit: string, units: readonly (string | undefined)[]): Relation {
  const found = units.filter((u): u is string => u !== undefined).map((u) => RELATIONS.indexOf(relationOf(actorUnit, u)));
  return RELATIONS[found.length ? Math.min(...found) : RELATIONS.length - 1]!;
}

/** Whether the table lets `role` take `operation` where the thing lies at `relation`. */
export function permits(role: ActorRole, operation: Operation, relation: Relation): boolean {
  return ACCESS[operation][role]?.includes(relation) ?? false;
}

/** Whether `role` may take `operation` anywhere at all: what a route checks before it looks at the case. */
export function mayEver(role: ActorRole, operation: Operation): boolean {
  return (ACCESS[operation][role]?.length ?? 0) > 0;
}

/** Whether the table lets `role` reach cases outside its own unit and the units below it (intake, reporters). */
export function reachesBeyondItsUnit(role: ActorRole): boolean {
  // The organisation (units, workstations) is everyone's to read; cases are what a key reaches.
  return OPERATIONS.some((op) => op !== 'org.read' && ACCESS[op][role]?.includes('elsewhere'));
}

/** The roles that may take `operation` somewhere. */
export function rolesFor(operation: Operation): ActorRole[] {
  return (Object.keys(ACCESS[operation]) as ActorRole[]).filter((r) => mayEver(r, operation));
}

export interface Subject {
  role: ActorRole;
  unitPath: string;
  /** A key bound to one channel. */
  channel?: Channel;
}

export interface Target {
  /** The units the thing lies or is handled in; the closest decides. */
  units: readonly (string | undefined)[];
  /** The channel a case came through, when the operation concerns a case. */
  channel?: Channel;
}

const withArticle = (role: string) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;

/** Why the table refuses `subject` the operation on `target`, or undefined when it allows it. */
export function refusal(subject: Subject, operation: Operation, target?: Target): string | undefined {
  if (!mayEver(subject.role, operation)) {
    const roles = rolesFor(operation);
    return `${withArticle(subject.role)} may not ${operation}; it takes ${roles.map(withArticle).join(' or ')}`;
  }
  if (!target) return undefined;
  if (subject.channel && target.channel && subject.channel !== target.channel) {
    return `your key is bound to channel ${subject.channel}; this case came through ${target.channel}`;
  }
  const relation = closestRelation(subject.unitPath, target.units);
  if (permits(subject.role, operation, relation)) return undefined;
  const where = target.units.filter(Boolean).join(' and ') || 'no unit';
  const allowed = ACCESS[operation][subject.role]!.map((r) => (r === 'own' ? 'its own unit' : `units ${r} it`)).join(' or ');
  return `${withArticle(subject.role)} may ${operation} in ${allowed}; this lies in ${where}, ${relation === 'elsewhere' ? 'outside' : relation} your unit ${subject.unitPath}`;
}
