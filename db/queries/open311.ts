// The cases one channel filed, newest first: what Open311's GET requests lists (api/open311/requests.ts).

import { and, desc, eq, gte, inArray, lte } from 'drizzle-orm';
import type { CaseState, CaseView } from '../../domain/case.js';
import type { Db } from '../client.js';
import { cases } from '../schema.js';

export interface ChannelCaseFilter {
  channel: string;
  /** These cases only; the other filters still apply. */
  ids?: string[];
  categories?: string[];
  states?: CaseState[];
  /** Filed at or after. */
  from?: string;
  /** Filed at or before. */
  to?: string;
  limit: number;
  offset: number;
}

/** Cases of a channel by when they were filed, newest first (then by id), a page at a time. */
export async function listChannelCases(db: Db, f: ChannelCaseFilter): Promise<CaseView[]> {
  const rows = await db
    .select({ view: cases.view })
    .from(cases)
    .where(
      and(
        eq(cases.channel, f.channel),
        f.ids ? inArray(cases.id, f.ids) : undefined,
        f.categories ? inArray(cases.category, f.categories) : undefined,
        f.states ? inArray(cases.state, f.states) : undefined,
        f.from ? gte(cases.createdAt, f.from) : undefined,
        f.to ? lte(cases.createdAt, f.to) : undefined,
      ),
    )
    .orderBy(desc(cases.createdAt), desc(cases.id))
    .limit(f.limit)
    .offset(f.offset);
  return rows.map((r) => r.view);
}
