import { and, desc, eq, gte, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { BoundingBox } from '../../domain/address.js';
import { type CaseView, STATES } from '../../domain/case.js';
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

/** The states of an open case: every one but closed. */
const OPEN_STATES = STATES.filter((s) => s !== 'closed');

/** Where and what a complaint is, as the candidates for its duplicate hints are sought. */
export interface DuplicatePlace {
  /** The case itself, never its own candidate. */
  caseId: string;
  category: string;
  /** Cases filed up to this time: those a complaint may repeat. */
  filedBy: string;
  /** Around the case's coordinates, when it has them: candidates whose coordinates lie in the box. */
  box?: BoundingBox;
  /** The case's district — its squad's (id), or as filed (name) — for candidates at the same address. */
  districtId?: string;
  district?: string;
  limit: number;
}

/**
 * The open cases of the same category, filed before the case, that may be at its place: coordinates in
 * the box around it, or lying in its district (by the squad's district, or the district as filed or written
 * in the address), where an address can be the same. A case that knows neither is compared with every open case of its category.
 * The newest first, at most `limit`: the category, the open states and the box or district bound it. At
 * city scale (tens of thousands of open cases) it wants a partial index on (category, district_id,
 * created_at) where state <> 'closed', and the coordinates as columns with an index (or PostGIS) for the box.
 */
export async function listDuplicateCandidates(db: Db, p: DuplicatePlace): Promise<CaseView[]> {
  const location = (field: string) => sql`(${cases.view}->'location'->>${field})`;
  const place = or(
    p.box
      ? and(
          sql`${location('lat')}::double precision between ${p.box.minLat} and ${p.box.maxLat}`,
          sql`${location('lng')}::double precision between ${p.box.minLng} and ${p.box.maxLng}`,
        )
      : undefined,
    p.districtId ? eq(cases.districtId, p.districtId) : undefined,
    // Filed with the district, or with it only in the address (上海市闵行区…).
    p.district ? or(sql`${location('district')} = ${p.district}`, sql`${location('address')} like ${`%${p.district}%`}`) : undefined,
  );
  const rows = await db
    .select({ view: cases.view })
    .from(cases)
    .where(and(inArray(cases.state, OPEN_STATES), eq(cases.category, p.category), ne(cases.id, p.caseId), lte(cases.createdAt, p.filedBy), place))
    .orderBy(desc(cases.createdAt))
    .limit(p.limit);
  return rows.map((r) => r.view);
}
