// Smart dispatch in PostgreSQL: the desk's in-scope decisions on cases that carried a suggestion (each
// triage event records the suggestion beside the decision: workflows/lifecycle.ts recordAgainstSuggestion),
// read back for the accuracy report and for retraining; and the lessons a retraining leaves.

import { sql } from 'drizzle-orm';
import type { Location } from '../../domain/case.js';
import type { Decision } from '../../domain/dispatch/learn.js';
import type { Db } from '../client.js';
import { dispatchLessons } from '../schema.js';

/** One in-scope decision of the desk (or the system's auto-dispatch) on a case with a suggestion, as the report and the retraining read it. */
export interface DispatchDecision extends Decision {
  caseId: string;
  at: string;
  channel: string;
  suggested: Decision['suggested'] & { confidence: number; model: string };
}

/** The decisions taken in [from, to), oldest first; a case decided twice (taken back, decided again) counts each. */
export async function listDispatchDecisions(db: Db, { from, to }: { from: string; to: string }): Promise<DispatchDecision[]> {
  const rows = await db.execute<{
    case_id: string;
    at: string;
    channel: string;
    actor_role: string;
    payload: { suggestion: DispatchDecision['suggested']; decided: DispatchDecision['decided']; corrected: string[] };
    title: string;
    description: string;
    location: Location;
  }>(sql`
    select e.case_id, e.at, c.channel, e.actor->>'role' as actor_role, e.payload, c.title,
           c.view->>'description' as description, c.view->'location' as location
    from case_events e join cases c on c.id = e.case_id
    where e.type in ('triage', 'joint_decision') and e.at >= ${from} and e.at < ${to}
      and e.payload ? 'suggestion' and e.payload ? 'decided'
    order by e.at, e.case_id, e.seq`);
  return rows.map((r) => ({
    caseId: r.case_id,
    at: new Date(r.at).toISOString(),
    channel: r.channel,
    automatic: r.actor_role === 'system',
    suggested: r.payload.suggestion,
    decided: r.payload.decided,
    corrected: r.payload.corrected,
    title: r.title,
    description: r.description,
    location: r.location,
  }));
}

/** How many auto-dispatched cases the desk took back (retriage) in [from, to). */
export async function countAutoDispatchesTakenBack(db: Db, { from, to }: { from: string; to: string }): Promise<number> {
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from case_events
    where type = 'retriage' and at >= ${from} and at < ${to} and (payload->>'autoDispatched')::boolean`);
  return row?.n ?? 0;
}

export type DispatchLesson = Omit<typeof dispatchLessons.$inferSelect, 'learnedAt'> & { learnedAt?: string };

export async function listDispatchLessons(db: Db): Promise<DispatchLesson[]> {
  return db.select().from(dispatchLessons);
}

/** Replaces every lesson with a new training's, in one transaction: the API never reads half a model. */
export async function replaceDispatchLessons(db: Db, lessons: Omit<DispatchLesson, 'learnedAt'>[], learnedAt: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(dispatchLessons);
    for (let i = 0; i < lessons.length; i += 1000) {
      await tx.insert(dispatchLessons).values(lessons.slice(i, i + 1000).map((l) => ({ ...l, learnedAt })));
    }
  });
}
