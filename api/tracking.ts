// The citizen's side: a case followed by its tracking code, without a key and without personal data, and
// the citizen's rating of the answer.

import { getCaseByTrackingCode, listCaseEvents } from '../db/queries/cases.js';
import type { Actor, CaseView, Rating } from '../domain/case.js';
import { type CaseServiceDeps, actOnCase, present } from './cases.js';
import { notFound } from './errors.js';
import { redactText } from '../domain/privacy.js';

async function caseByTrackingCode(deps: CaseServiceDeps, trackingCode: string): Promise<CaseView> {
  const view = await getCaseByTrackingCode(deps.db, { trackingCode });
  if (!view) throw notFound(`no case with tracking code "${trackingCode}"`);
  return view;
}

/** What the citizen sees: where the case stands, the answer, whether it can be rated, and its timeline. */
export async function trackCase(deps: CaseServiceDeps, trackingCode: string) {
  const view = await caseByTrackingCode(deps, trackingCode);
  const events = await listCaseEvents(deps.db, { caseId: view.id });
  return {
    trackingCode: view.trackingCode,
    state: view.state,
    outcome: view.outcome,
    category: view.category,
    // Whoever holds the code sees the complaint, with phone and identity numbers masked like any reader's.
    title: redactText(view.title, view.citizen),
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    answer: view.feedback === undefined ? undefined : redactText(view.feedback, view.citizen),
    rating: view.rating?.rating,
    canRate: present(view).allowedActions.includes('rate'),
    timeline: events.map((e) => ({ type: e.type, at: new Date(e.at).toISOString(), state: e.toState })),
  };
}

/** The citizen rates the answer: the `rate` action, taken as the citizen, outside the unit tree. */
export async function rateCase(deps: CaseServiceDeps, trackingCode: string, rating: { rating: Rating; comment?: string }) {
  const view = await caseByTrackingCode(deps, trackingCode);
  const citizen: Actor = { id: 'citizen', role: 'citizen', unitPath: deps.org.rootPath() };
  const after = await actOnCase(deps, view.id, { type: 'rate', ...rating }, citizen);
  return { trackingCode: after.trackingCode, rating: after.rating!.rating };
}
