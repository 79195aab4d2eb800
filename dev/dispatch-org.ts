// The organisation as smart dispatch's gazetteer takes it, straight from the seed's liaison points (no
// database): for the benchmark (bench/dispatch.ts) and the unit tests, with the ids db/seed.ts gives.
// `scaleTo` adds made-up workstations to the real ones, to measure the gazetteer at city scale (6,000+).

import { DISTRICTS, type LiaisonPoint, readLiaisonPoints, squadId, workstationId } from '../db/seed.js';
import type { GazetteerInput } from '../domain/dispatch/place.js';

export function seededOrganisation(points: LiaisonPoint[] = readLiaisonPoints(), options: { scaleTo?: number } = {}): GazetteerInput {
  const districtId = new Map(DISTRICTS.map((d) => [d.name, d.id]));
  const squads = new Map<string, { id: string; districtId: string; street: string }>();
  const workstations: GazetteerInput['workstations'] = [];
  for (const p of points) {
    const district = districtId.get(p.district)!;
    const id = squadId(district, p.street);
    squads.set(id, { id, districtId: district, street: p.street });
    workstations.push({ id: workstationId(p.fullName), squadId: id, name: p.site, fullName: p.fullName });
  }
  // City scale: more workstations in the same squads, with names no complaint uses (甲乙丙… 号小区).
  const squadList = [...squads.values()];
  for (let i = workstations.length; i < (options.scaleTo ?? 0); i++) {
    const squad = squadList[i % squadList.length]!;
    const site = `第${i}号测试小区居委城管执法社区工作室`;
    workstations.push({ id: `ws-scale-${i}`, squadId: squad.id, name: site, fullName: `${squad.street}${site}` });
  }
  return { districts: DISTRICTS.map((d) => ({ id: d.id, name: d.name })), squads: squadList, workstations };
}
