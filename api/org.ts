// The organisation in memory: a few thousand units and workstations at city scale. Intake and actions
// resolve workstations and units here without a query, so they keep working while Postgres is away.

import type { Db } from '../db/client.js';
import { listUnits, listWorkstations } from '../db/queries/org.js';
import { listOfficers } from '../db/queries/principals.js';
import { badRequest } from './errors.js';
import type { UnitRow, WorkstationRow } from '../db/schema.js';

export class OrgDirectory {
  private units = new Map<string, UnitRow>();
  private stations = new Map<string, WorkstationRow>();
  private loadedAt = 0;

  constructor(private readonly db: Db) {}

  async load(): Promise<this> {
    const [units, stations] = await Promise.all([listUnits(this.db), listWorkstations(this.db, {})]);
    this.units = new Map(units.map((u) => [u.id, u]));
    this.stations = new Map(stations.map((w) => [w.id, w]));
    this.loadedAt = Date.now();
    return this;
  }

  /** Reloads at most every few seconds when asked for something unknown: new units appear without a restart. */
  private async reloadOnMiss(): Promise<void> {
    if (Date.now() - this.loadedAt < 5_000) return;
    await this.load().catch(() => undefined);
  }

  async unit(id: string): Promise<UnitRow | undefined> {
    if (!this.units.has(id)) await this.reloadOnMiss();
    return this.units.get(id);
  }

  async workstation(id: string): Promise<(WorkstationRow & { squadPath: string }) | undefined> {
    if (!this.stations.has(id)) await this.reloadOnMiss();
    const w = this.stations.get(id);
    const squad = w && this.units.get(w.squadId);
    return w && squad ? { ...w, squadPath: squad.path } : undefined;
  }

  /** Workstations in pilot order, filtered like the query they were loaded with. */
  workstations(filter: { district?: string; street?: string }): WorkstationRow[] {
    return [...this.stations.values()].filter(
      (w) => (!filter.district || w.district === filter.district) && (!filter.street || w.street === filter.street),
    );
  }

  /** Bumped by every load: what is built from the organisation (smart dispatch's gazetteer) is rebuilt when it changes. */
  get version(): number {
    return this.loadedAt;
  }

  allWorkstations(): WorkstationRow[] {
    return [...this.stations.values()];
  }

  allUnits(): UnitRow[] {
    return [...this.units.values()].sort((a, b) => a.path.localeCompare(b.path));
  }

  rootPath(): string {
    for (const u of this.units.values()) if (u.kind === 'city') return u.path;
    throw new Error('the organisation has no city unit: run the seed (it runs on every start)');
  }
}

/** The officers of a unit (by id) and below it, by name; the whole city's without one. 400 for an unknown unit. */
export async function officersIn(deps: { db: Db; org: OrgDirectory }, unitId: string | undefined) {
  const unit = unitId ? await deps.org.unit(unitId) : undefined;
  if (unitId && !unit) throw badRequest(`no unit "${unitId}": GET /v1/units lists them`, 'querystring.unit');
  return listOfficers(deps.db, { within: unit?.path ?? deps.org.rootPath() });
}
