import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { type UnitRow, type WorkstationRow, units, workstations } from '../schema.js';

export async function listUnits(db: Db): Promise<UnitRow[]> {
  return db.select().from(units).orderBy(asc(units.path));
}

export async function getUnit(db: Db, { id }: { id: string }): Promise<UnitRow | undefined> {
  const [row] = await db.select().from(units).where(eq(units.id, id));
  return row;
}

export async function listWorkstations(db: Db, filter: { district?: string; street?: string }): Promise<WorkstationRow[]> {
  const where = and(
    filter.district ? eq(workstations.district, filter.district) : undefined,
    filter.street ? eq(workstations.street, filter.street) : undefined,
  );
  return db.select().from(workstations).where(where).orderBy(asc(workstations.pilotSeq), asc(workstations.id));
}
