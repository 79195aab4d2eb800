import { and, desc, eq, gte, isNull, ne, or, sql } from 'drizzle-orm';
import type { CaseView } from '../../domain/case.js';
import type { Db } from '../client.js';
import { cases } from '../schema.js';

/** Where a case lies, as the candidates for its possible duplicates are sought. */
export interface SimilarPlace {
  /** The case itself, never its own candidate. */
  caseId: string;
  workstationId?: string;
  squadId?: string;
  /** The location's district and street/town as filed (names). */
  district?: string;
  street?: string;
  /** Closed cases count from this time on; open ones always. */
  closedSince: string;
  limit: number;
}

/**
 * The cases that may be a complaint's duplicates: open, or filed since `closedSince`, at the same
 * workstation, in the same squad, or at the same district and street as filed; never cases already
 * closed as duplicates themselves. The newest first, at most `limit`: walked back along the filing-time
 * index, so the bound holds however many cases there are.
 */
export async function listSimilarCandidates(db: Db, p: SimilarPlace): Promise<CaseView[]> {
  const district = sql`${cases.view}->'location'->>'district'`;
  const street = sql`${cases.view}->'location'->>'street'`;
  const place = or(
    p.workstationId ? eq(cases.workstationId, p.workstationId) : undefined,
    p.squadId ? eq(cases.squadId, p.squadId) : undefined,
    p.district ? and(sql`${district} = ${p.district}`, p.street ? sql`${street} = ${p.street}` : undefined) : undefined,
  );
  if (!place) return [];
  const rows = await db
    .select({ view: cases.view })
    .from(cases)
    .where(
      and(
        ne(cases.id, p.caseId),
        or(isNull(cases.outcome), ne(cases.outcome, 'duplicate')),
        or(ne(cases.state, 'closed'), gte(cases.createdAt, p.closedSince)),
        place,
      ),
    )
    .orderBy(desc(cases.createdAt))
    .limit(p.limit);
  return rows.map((r) => r.view);
}
