// The deadline policy and the working-day calendar: pure functions over data loaded from policy/*.json.
// A case keeps the policy it was filed under (it travels in the workflow input), so replay never
// depends on a file that may have changed since.

import type { Category, Channel, Level, Stage } from './case.js';

/** "24h", "90m", "30s", "7d" (calendar time) or "5wd" (working days on the calendar). */
export type Duration = string;

export interface Calendar {
  /** Minutes east of UTC where the calendar's days begin (Shanghai: 480, no daylight saving). */
  utcOffsetMinutes: number;
  /** Days off that fall on weekdays: public holidays, "YYYY-MM-DD". */
  holidays: string[];
  /** Weekend days that are working days (调休 make-up days), "YYYY-MM-DD". */
  workdays: string[];
}

export interface Policy {
  deadlines: Record<Stage, Duration>;
  /** How long a case may stay overdue before it escalates one level by itself. */
  grace: Duration;
  ratingWindow: Duration;
  /** How long after an unsatisfied rating a supervisor may reopen the case. */
  reopenWindow: Duration;
  urgent: Partial<Record<Stage, Duration>>;
  categories: Partial<Record<Category, Partial<Record<Stage, Duration>>>>;
  media: {
    /** Channels whose cases carry a media item (the newspaper's own desk by default). */
    channels: Channel[];
    /** The review chain a draft passes, lowest level first (seed 003: up to squad → district → city). */
    reviewChain: Level[];
  };
  calendar: Calendar;
  /** How much one case takes; absent from the input of cases filed before the caps (caseLimits fills it in). */
  limits?: CaseLimits;
  /** The deadlines of suggestions (人民建议征集); absent from the input of cases filed before them, which never read it. */
  suggestion?: SuggestionDeadlines;
  /**
   * How long after receipt a 12345 work order that is not a 城管 matter may be returned to the hotline (退单):
   * 2 working days by the provincial 12345 rules (DOMAIN.md "Deadlines"). Absent from the input of cases
   * filed before the return existed, which therefore have no return deadline.
   */
  hotlineReturn?: Duration;
  /** The deadlines of the squads' publicity items (宣传报道, domain/publicity.ts); read only when an item is submitted. */
  publicity?: PublicityDeadlines;
}

export const DEFAULT_HOTLINE_RETURN: Duration = '2wd';

/**
 * How long a suggestion (人民建议征集, domain/suggestion.ts) may wait at each step. Suggestions are not
 * complaints: nothing is enforced, so the steps are counted in working days.
 */
export interface SuggestionDeadlines {
  /** From filing to its acknowledgement (受理), which the citizen is told. */
  acknowledge: Duration;
  /** From the acknowledgement to the answer (答复). */
  answer: Duration;
  /** From filing: a suggestion still unanswered then lapses, closed unanswered, and its workflow ends. */
  lapse: Duration;
}

/**
 * Acknowledged the next working day, as triage takes a day; answered within 15 working days, the term
 * many cities' 12345 platforms give an ordinary work order; lapsed after 60 working days (about three months), well
 * past the 60 calendar days 《信访工作条例》(2022) art. 34 gives a petition, so a late answer still has time.
 */
export const DEFAULT_SUGGESTION_DEADLINES: SuggestionDeadlines = { acknowledge: '1wd', answer: '15wd', lapse: '60wd' };

/**
 * How long a squad's publicity item (宣传报道, seeds 000 and 003) may wait at each step of its review
 * ("中队—区局—市局"三级审核): every level of the chain has its own deadline of `review` from the moment the
 * item reaches it; a returned item has `revise` for the squad to resubmit it.
 */
export interface PublicityDeadlines {
  /** Each review level, from the moment the item reaches it. */
  review: Duration;
  /** A returned item, from the return to the squad's resubmission. */
  revise: Duration;
  /** From submission: an item neither released nor withdrawn by then lapses, and its workflow ends. */
  lapse: Duration;
}

/**
 * Two working days a level, so an item submitted early in a month passes all three within it; five for the
 * squad's revision; lapsed after 30 working days (about six weeks): the month it was for is long over.
 */
export const DEFAULT_PUBLICITY_DEADLINES: PublicityDeadlines = { review: '2wd', revise: '5wd', lapse: '30wd' };

/**
 * How much one case takes before it refuses further actions (issue 9), so that no flood of them can bring
 * its workflow to Temporal's history limits (51,200 events, 50 MB), where Temporal terminates it and the
 * case takes nothing more. The case's update validator checks them (workflows/limits.ts).
 */
export interface CaseLimits {
  /** Supplements: the one action a citizen's channel may repeat without end. */
  supplements: number;
  /** Evidence records: repeated by an officer, or by a script on an officer's key. */
  evidence: number;
  /** Events in the case's timeline (its `version`: intake and the clocks' events count too). */
  actions: number;
  /** The workflow history, in events and bytes, past which the case takes no action at all. */
  historyEvents: number;
  historyBytes: number;
}

export type CaseLimitName = keyof CaseLimits;

/** A cap a refused action met: which, how far it goes, and how far the case has come. */
export interface CaseLimitReached {
  name: CaseLimitName;
  max: number;
  count: number;
}

/**
 * What a case takes unless its policy says otherwise (policy/deadlines.json).
 *
 * Measured on a live case (test/case-limits.test.ts): an action adds 8 to 10 events to the history, and
 * bytes for its request plus its answer, which is the whole case: 2.1 KB for a short supplement on a
 * small case, 32 KB for one of 10,000 CJK characters (30 KB of text). A case filed with a 10,000-character
 * description and 50 attachments answers 160 KB on every action; the largest answer (every text field
 * full besides, and a 50,000-character media draft) is about 0.41 MB, and with the largest request (a
 * 10,000-character supplement with 50 such attachments, 160 KB) an action costs at most about 0.6 MB.
 * A refused action costs nothing: 100 short supplements made 808 events and 207 KB, and the 2,000 refused
 * after them left the history as it was.
 *
 * Events: 500 actions × 10 = 5,000, a tenth of Temporal's 51,200.
 * Bytes, every action at 10,000 characters (32 KB): the 200 supplements and evidence records 6.4 MB,
 * all 500 actions 16 MB, a third of Temporal's 50 MB.
 * Cases whose answer is large reach the byte guards before the counts. The guards are 40,000 events and
 * 20 MB; supplements and evidence stop at half of them (workflows/limits.ts), so a flood of them, however
 * large, leaves the other half to the lifecycle: at 0.6 MB an action, the worst, 16 more actions; at
 * 160 KB, 60. Past a guard, at most 10 updates are in flight (Temporal's history.maxInFlightUpdates),
 * each at most 0.6 MB and 10 events: the history stays below 27 MB and 40,100 events. And 500 actions
 * stay far below the 2,000 updates Temporal lets one workflow take (history.maxTotalUpdates).
 */
export const DEFAULT_CASE_LIMITS: CaseLimits = {
  supplements: 100,
  evidence: 100,
  actions: 500,
  historyEvents: 40_000,
  historyBytes: 20 * 1024 * 1024,
};

export const CASE_LIMIT_NAMES = Object.keys(DEFAULT_CASE_LIMITS) as CaseLimitName[];

/** The case's caps: its policy's, else the defaults (a case filed before the caps has none in its input). */
export function caseLimits(policy: Policy): CaseLimits {
  return { ...DEFAULT_CASE_LIMITS, ...policy.limits };
}

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

export function isDuration(value: string): boolean {
  return /^\d+(\.\d+)?(s|m|h|d|wd)$/.test(value);
}

function parse(duration: Duration): { amount: number; unit: string } {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|wd)$/.exec(duration);
  if (!m) throw new Error(`bad duration "${duration}": use a number followed by s, m, h, d or wd`);
  return { amount: Number(m[1]), unit: m[2]! };
}

function dayKey(localMs: number): string {
  return new Date(localMs).toISOString().slice(0, 10);
}

export function isWorkingDay(calendar: Calendar, date: string): boolean {
  if (calendar.workdays.includes(date)) return true;
  if (calendar.holidays.includes(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The same local time of day `days` working days after `from`: each step moves to the next
 * calendar day and on past any day off. A case filed on a day off thus gets full working days.
 */
export function addWorkingDays(calendar: Calendar, from: Date, days: number): Date {
  const offset = calendar.utcOffsetMinutes * 60_000;
  let local = from.getTime() + offset;
  for (let i = 0; i < days; i++) {
    local += DAY_MS;
    while (!isWorkingDay(calendar, dayKey(local))) local += DAY_MS;
  }
  return new Date(local - offset);
}

export function addDuration(calendar: Calendar, from: Date, duration: Duration): Date {
  const { amount, unit } = parse(duration);
  if (unit === 'wd') return addWorkingDays(calendar, from, Math.ceil(amount));
  return new Date(from.getTime() + amount * UNIT_MS[unit]!);
}

export function stageDuration(policy: Policy, stage: Stage, category: Category | undefined, urgent: boolean): Duration {
  const byCategory = category ? policy.categories[category]?.[stage] : undefined;
  const byUrgency = urgent ? policy.urgent[stage] : undefined;
  return byUrgency ?? byCategory ?? policy.deadlines[stage];
}

export function stageDeadline(
  policy: Policy,
  stage: Stage,
  from: Date,
  category: Category | undefined,
  urgent: boolean,
): string {
  return addDuration(policy.calendar, from, stageDuration(policy, stage, category, urgent)).toISOString();
}

/** When a hotline case may no longer be returned to 12345; none for other channels, or under a policy without the rule. */
export function hotlineReturnDeadline(policy: Policy, channel: Channel, receivedAt: string): string | undefined {
  if (channel !== 'hotline' || !policy.hotlineReturn) return undefined;
  return addDuration(policy.calendar, new Date(receivedAt), policy.hotlineReturn).toISOString();
}
