// The duty checks' side effects: one page of workstations (or squads) checked against the thresholds for
// a period, its shortfalls recorded with a message each to the squad's supervisors. Idempotent: a page
// checked again records nothing new and sends nothing twice (domain/duties.ts names each shortfall by its
// kind, subject and period; db/queries/duties.ts writes both with ON CONFLICT DO NOTHING). The messages
// leave through the case activities' `deliverNotifications`, from the same outbox.

import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { type NewShortfall, recordShortfalls, squadMonths, workstationWeeks } from '../db/queries/duties.js';
import type { Notification } from '../domain/case.js';
import { type DutyThresholds, type ShortfallKind, monthComplies, shortfallId, shortfallNotificationId, weekComplies } from '../domain/duties.js';
import { shanghaiDay } from '../domain/periods.js';
import { type SenderRouting, senderFor } from './senders.js';

export interface DutyPageInput {
  kind: ShortfallKind;
  /** The period checked, ISO instants, end exclusive. */
  period: { start: string; end: string };
  thresholds: DutyThresholds;
  /** The last workstation (or squad) id of the previous page. */
  after?: string;
  limit: number;
}

export interface DutyPageResult {
  /** Workstations (or squads) checked on this page, and how many fell short. */
  checked: number;
  short: number;
  /** Shortfalls recorded now for the first time. */
  created: number;
  /** Outbox messages of this page's shortfalls still to deliver (`deliverNotifications`). */
  undelivered: string[];
  /** Where the next page starts; absent after the last page. */
  next?: string;
}

export function createDutyActivities({ db, senders, log }: { db: Db; senders: SenderRouting; log: Logger }) {
  /** What each shortfall tells the squad's supervisors; its id is the shortfall's, so it is written once. */
  const message = (s: NewShortfall): Notification => ({
    id: shortfallNotificationId(s.id),
    caseId: s.id,
    recipient: 'supervisor',
    to: s.unitPath,
    kind: 'duty_shortfall',
    body: { shortfallId: s.id, kind: s.kind, subjectId: s.subjectId, squadId: s.squadId, periodStart: s.periodStart, periodEnd: s.periodEnd, ...s.details },
  });

  const weeklyPage = async (input: DutyPageInput) => {
    const rows = await workstationWeeks(db, { start: input.period.start, end: input.period.end, after: input.after, limit: input.limit });
    const rule = input.thresholds.weekly;
    const short: NewShortfall[] = rows
      .filter((w) => !weekComplies(rule, w))
      .map((w) => ({
        id: shortfallId('weekly_visits', w.workstationId, new Date(input.period.start)),
        kind: 'weekly_visits',
        subjectId: w.workstationId,
        squadId: w.squadId,
        districtId: w.districtId,
        unitPath: w.squadPath,
        periodStart: input.period.start,
        periodEnd: input.period.end,
        details: { workstationName: w.workstationName, squadName: w.squadName, visits: w.visits, minutes: w.minutes, minVisits: rule.minVisits, minMinutes: rule.minMinutes },
      }));
    return { rows: rows.map((w) => w.workstationId), short };
  };

  const monthlyPage = async (input: DutyPageInput) => {
    const rows = await squadMonths(db, { start: input.period.start, end: input.period.end, after: input.after, limit: input.limit });
    const rule = input.thresholds.monthly;
    const short: NewShortfall[] = rows
      .filter((s) => !monthComplies(rule, s))
      .map((s) => ({
        id: shortfallId('monthly_publicity', s.squadId, new Date(input.period.start)),
        kind: 'monthly_publicity',
        subjectId: s.squadId,
        squadId: s.squadId,
        districtId: s.districtId,
        unitPath: s.squadPath,
        periodStart: input.period.start,
        periodEnd: input.period.end,
        details: { squadName: s.squadName, released: s.released, minReleased: rule.minReleased },
      }));
    return { rows: rows.map((s) => s.squadId), short };
  };

  return {
    /**
     * Checks one page of workstations (weekly) or squads (monthly) for the period, in id order, and records
     * their shortfalls with a message each; messages for the log go out at once, the rest are answered for
     * `deliverNotifications`.
     */
    async checkDutyPage(input: DutyPageInput): Promise<DutyPageResult> {
      const { rows, short } = input.kind === 'weekly_visits' ? await weeklyPage(input) : await monthlyPage(input);
      const messages = new Map(short.map((s) => [s.id, message(s)]));
      const routed = [...messages.values()].map((n) => ({ n, sender: senderFor(senders, n) }));
      const inline = new Map(routed.filter((r) => r.sender.inline).map((r) => [r.n.id, r.sender.name]));
      const { created, undelivered } = await recordShortfalls(db, { shortfalls: short, notifications: messages, sentInline: inline });
      const fresh = new Set(created.map(shortfallNotificationId));
      for (const { n, sender } of routed) {
        if (!sender.inline || !fresh.has(n.id)) continue;
        const now = new Date().toISOString();
        await sender.send({ ...n, createdAt: now, attempts: 1, sentAt: now, sender: sender.name });
      }
      const week = shanghaiDay(new Date(input.period.start));
      if (created.length > 0) log.info({ kind: input.kind, period: week, checked: rows.length, short: short.length, created: created.length }, 'duty shortfalls recorded');
      return {
        checked: rows.length,
        short: short.length,
        created: created.length,
        undelivered: undelivered.filter((id) => !inline.has(id)),
        ...(rows.length === input.limit ? { next: rows.at(-1) } : {}),
      };
    },
  };
}

export type DutyActivities = ReturnType<typeof createDutyActivities>;
