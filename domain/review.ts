// A review chain: a submitted item climbs a list of levels (squad → district → city, seed 003's
// "中队—区局—市局"三级审核); each level approves it on to the next or returns it with comments, and
// each level has a deadline. The media item of a case uses it now; the squads' publicity items will.
// Pure: the caller says who to tell, from what each step answers.

import type { Level } from './case.js';
import { type Calendar, type Duration, addDuration } from './policy.js';

export type ReviewStatus = 'in_review' | 'returned' | 'approved';

/** The review fields of an item (a case's media item has them under these names). */
export interface Reviewable {
  status: string;
  /** The level the item waits at, while in review. */
  reviewLevel?: Level;
  deadlineAt?: string;
  overdue: boolean;
  comments?: string;
}

export interface ReviewChain {
  /** Lowest level first. */
  levels: readonly Level[];
  /** How long each level has. */
  deadline: Duration;
  calendar: Calendar;
}

/** Where a step left the item: waiting at a level (tell its reviewers), or approved at the top. */
export type ReviewStep = { status: 'in_review'; level: Level } | { status: 'approved' };

function waitAt(item: Reviewable, chain: ReviewChain, level: Level | undefined, at: string): ReviewStep {
  item.overdue = false;
  if (level === undefined) {
    item.status = 'approved';
    item.reviewLevel = undefined;
    item.deadlineAt = undefined;
    return { status: 'approved' };
  }
  item.status = 'in_review';
  item.reviewLevel = level;
  item.deadlineAt = addDuration(chain.calendar, new Date(at), chain.deadline).toISOString();
  return { status: 'in_review', level };
}

/** A new draft (or a redraft after a return) goes to the first level; earlier comments are cleared. */
export function submitForReview(item: Reviewable, chain: ReviewChain, at: string): ReviewStep {
  item.comments = undefined;
  return waitAt(item, chain, chain.levels[0], at);
}

/** The level the item waits at approves it: on to the next level, or approved after the last. */
export function approveStep(item: Reviewable, chain: ReviewChain, at: string): ReviewStep {
  const from = item.reviewLevel;
  return waitAt(item, chain, from === undefined ? chain.levels[0] : chain.levels[chain.levels.indexOf(from) + 1], at);
}

/** The level returns the item to its author with comments; it must be submitted again. */
export function returnWithComments(item: Reviewable, comments: string): void {
  item.status = 'returned';
  item.comments = comments;
  item.reviewLevel = undefined;
  item.deadlineAt = undefined;
  item.overdue = false;
}

/** The item leaves review without a decision (waived, withdrawn). */
export function leaveReview(item: Reviewable): void {
  item.reviewLevel = undefined;
  item.deadlineAt = undefined;
  item.overdue = false;
}
