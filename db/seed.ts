// The organisation: the city bureau, the 16 district bureaus and Lingang, one squad per district +
// street/town of the pilot liaison points, and the 100 liaison points themselves (seed 000).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { unitPathOf } from '../domain/units.js';
import type { Db } from './client.js';
import { units, workstations } from './schema.js';

export const CITY = { id: '310000', name: '上海市城市管理行政执法局' };

/** District bureaus by their administrative division codes (GB/T 2260), plus Lingang's brigade. */
export const DISTRICTS: ReadonlyArray<{ id: string; name: string }> = [
  { id: '310101', name: '黄浦区' },
  { id: '310104', name: '徐汇区' },
  { id: '310105', name: '长宁区' },
  { id: '310106', name: '静安区' },
  { id: '310107', name: '普陀区' },
  { id: '310109', name: '虹口区' },
  { id: '310110', name: '杨浦区' },
  { id: '310112', name: '闵行区' },
  { id: '310113', name: '宝山区' },
  { id: '310114', name: '嘉定区' },
  { id: '310115', name: '浦东新区' },
  { id: '310116', name: '金山区' },
  { id: '310117', name: '松江区' },
  { id: '310118', name: '青浦区' },
  { id: '310120', name: '奉贤区' },
  { id: '310151', name: '崇明区' },
  { id: 'lingang', name: '临港新片区综合执法大队' },
];

const shortHash = (text: string, n: number) => createHash('sha256').update(text).digest('hex').slice(0, n);

/** Stable ids: the same street always gets the same squad id, the same site the same workstation id. */
export const squadId = (districtId: string, street: string) => `${districtId}-${shortHash(street, 6)}`;
export const workstationId = (fullName: string) => `ws-${shortHash(fullName, 10)}`;

export interface LiaisonPoint {
  seq: number;
  district: string;
  street: string;
  site: string;
  fullName: string;
  kind: string;
}

export function readLiaisonPoints(file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'seed', 'liaison-points.csv')): LiaisonPoint[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  if (header !== 'seq,district,street_town,site,full_name,kind') throw new Error(`${file}: unexpected header "${header}"`);
  return lines.map((line, i) => {
    const [seq, district, street, site, fullName, kind] = line.split(',');
    if (!kind) throw new Error(`${file}:${i + 2}: expected 6 comma-separated fields`);
    return { seq: Number(seq), district: district!, street: street!, site: site!, fullName: fullName!, kind };
  });
}

/** Idempotent: run on every start, it inserts what is missing and renames what changed. */
export async function seedOrganisation(db: Db, points: LiaisonPoint[] = readLiaisonPoints()): Promise<{ units: number; workstations: number }> {
  const districtByName = new Map(DISTRICTS.map((d) => [d.name, d]));
  const unitRows: (typeof units.$inferInsert)[] = [
    { id: CITY.id, name: CITY.name, kind: 'city', parentId: null, path: CITY.id },
    ...DISTRICTS.map((d) => ({ id: d.id, name: d.name, kind: 'district' as const, parentId: CITY.id, path: unitPathOf(CITY.id, d.id) })),
  ];
  const squads = new Map<string, typeof units.$inferInsert>();
  const stationRows: (typeof workstations.$inferInsert)[] = [];
  for (const p of points) {
    const district = districtByName.get(p.district);
    if (!district) throw new Error(`liaison point ${p.seq}: unknown district "${p.district}"`);
    const id = squadId(district.id, p.street);
    squads.set(id, { id, name: `${p.district}${p.street}中队`, kind: 'squad', parentId: district.id, path: unitPathOf(CITY.id, district.id, id) });
    stationRows.push({
      id: workstationId(p.fullName),
      name: p.site,
      fullName: p.fullName,
      kind: p.kind,
      district: p.district,
      street: p.street,
      squadId: id,
      pilotSeq: p.seq,
    });
  }
  unitRows.push(...squads.values());
  await db.transaction(async (tx) => {
    await tx
      .insert(units)
      .values(unitRows)
      .onConflictDoUpdate({ target: units.id, set: { name: sql`excluded.name`, parentId: sql`excluded.parent_id`, path: sql`excluded.path` } });
    await tx
      .insert(workstations)
      .values(stationRows)
      .onConflictDoUpdate({ target: workstations.id, set: { name: sql`excluded.name`, squadId: sql`excluded.squad_id`, pilotSeq: sql`excluded.pilot_seq` } });
  });
  return { units: unitRows.length, workstations: stationRows.length };
}
