// `./bangnong bench dispatch`: smart dispatch (智能派单) on labelled complaints — top-1 accuracy of the
// category and of the squad, and the time a suggestion takes on the intake path — with same-run baselines:
// the most frequent category for accuracy, and the duplicate hints' address normalisation
// (domain/address.ts normaliseAddress) of the same complaints for time. No server: the model runs in process
// over the seed's organisation, as the API builds it, and again over 6,000 workstations (city scale).
//
//   test/fixtures/dispatch/labelled.json  the set the phrase policy was written against
//   test/fixtures/dispatch/held-out.json  complaints written without looking at the policy

import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DISTRICTS, readLiaisonPoints, squadId, workstationId } from '../db/seed.js';
import { normaliseAddress } from '../domain/address.js';
import type { Category, Channel, Location } from '../domain/case.js';
import { type SuggestionParts, buildSuggester, suggest } from '../domain/dispatch/suggest.js';
import { seededOrganisation } from '../dev/dispatch-org.js';
import { REPO_ROOT } from '../platform/config.js';
import { loadDispatchPolicy } from '../platform/dispatch-policy.js';

export interface Labelled {
  id: string;
  channel: Channel;
  title: string;
  description: string;
  location: Location;
  expected: { category: Category; place: 'liaison_point' | 'street' | 'district' | 'none'; district: string | null; street: string | null; site: string | null };
}

export function readLabelled(name: 'labelled' | 'held-out'): Labelled[] {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'dispatch', `${name}.json`), 'utf8')) as Labelled[];
}

const points = readLiaisonPoints();
const districtIds = new Map(DISTRICTS.map((d) => [d.name, d.id]));

/** The squad and workstation a labelled complaint should go to, by the seed's ids. */
export function expectedUnits(l: Labelled): { squadId?: string; districtId?: string; workstationId?: string } {
  const districtId = l.expected.district ? districtIds.get(l.expected.district) : undefined;
  const squad = districtId && l.expected.street ? squadId(districtId, l.expected.street) : undefined;
  const point = l.expected.site ? points.find((p) => p.site === l.expected.site && (!l.expected.district || p.district === l.expected.district)) : undefined;
  if (l.expected.site && !point) throw new Error(`${l.id}: no liaison point named "${l.expected.site}" in the seed`);
  return { districtId, squadId: squad, workstationId: point && workstationId(point.fullName) };
}

interface Scores {
  cases: number;
  category: number;
  baselineCategory: number;
  squadCases: number;
  squad: number;
  districtCases: number;
  district: number;
  stationCases: number;
  station: number;
  misses: string[];
}

export function score(set: Labelled[], parts: SuggestionParts): Scores {
  const counts = new Map<Category, number>();
  for (const l of set) counts.set(l.expected.category, (counts.get(l.expected.category) ?? 0) + 1);
  const majority = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const s: Scores = { cases: set.length, category: 0, baselineCategory: 0, squadCases: 0, squad: 0, districtCases: 0, district: 0, stationCases: 0, station: 0, misses: [] };
  for (const l of set) {
    const got = suggest({ title: l.title, description: l.description, location: l.location }, parts);
    const want = expectedUnits(l);
    if (got.category === l.expected.category) s.category++;
    else s.misses.push(`${l.id} category ${got.category} ≠ ${l.expected.category} (${l.title})`);
    if (majority === l.expected.category) s.baselineCategory++;
    if (want.squadId) {
      s.squadCases++;
      if (got.unitId === want.squadId) s.squad++;
      else s.misses.push(`${l.id} squad ${got.unitId ?? '—'} ≠ ${want.squadId} (${l.location.address})`);
    }
    if (want.districtId) {
      s.districtCases++;
      const gotDistrict = got.unitId && (got.unitId === want.districtId || got.unitId.startsWith(`${want.districtId}-`));
      if (gotDistrict) s.district++;
    }
    if (want.workstationId) {
      s.stationCases++;
      if (got.workstationId === want.workstationId) s.station++;
    }
  }
  return s;
}

function timings(set: Labelled[], parts: SuggestionParts, rounds: number): { suggest: number[]; normalise: number[] } {
  const out = { suggest: [] as number[], normalise: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const l of set) {
      let t = performance.now();
      suggest({ title: l.title, description: l.description, location: l.location }, parts);
      out.suggest.push(performance.now() - t);
      t = performance.now();
      normaliseAddress(l.location.address, l.location);
      out.normalise.push(performance.now() - t);
    }
  }
  return out;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const pct = (right: number, of: number) => (of === 0 ? NaN : Number(((100 * right) / of).toFixed(1)));
const ms = (x: number) => Number(x.toFixed(3));

function main() {
  const policy = loadDispatchPolicy();
  const sets = { labelled: readLabelled('labelled'), 'held-out': readLabelled('held-out') };
  const parts = buildSuggester(seededOrganisation(points), policy);
  let t = performance.now();
  const city = buildSuggester(seededOrganisation(points, { scaleTo: 6_000 }), policy);
  const cityBuildMs = performance.now() - t;
  const results: Record<string, unknown>[] = [];
  for (const [name, set] of Object.entries(sets)) {
    const s = score(set, parts);
    const figures = {
      complaints: s.cases,
      categoryTop1: pct(s.category, s.cases),
      categoryBaselineMostFrequent: pct(s.baselineCategory, s.cases),
      squadWhereNamed: pct(s.squad, s.squadCases),
      squadCases: s.squadCases,
      district: pct(s.district, s.districtCases),
      workstationWhereLiaisonPoint: pct(s.station, s.stationCases),
    };
    const met = figures.categoryTop1 >= 85 && figures.squadWhereNamed >= 95;
    console.log(`\n== ${name}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join('  ')}`);
    console.log(`   target: category ≥ 85 %, squad ≥ 95 % where the address names a seeded street/town or liaison point → ${met ? 'met' : 'NOT met'}`);
    for (const miss of s.misses) console.log(`   miss: ${miss}`);
    results.push({ name, figures, met });
  }
  const all = [...sets.labelled, ...sets['held-out']];
  timings(all, city, 3); // warm-up: the JIT, and the first calls' allocations
  for (const [name, p] of [['seed (100 workstations)', parts], ['city scale (6,000 workstations)', city]] as const) {
    const t2 = timings(all, p, 20);
    const figures = {
      suggestions: t2.suggest.length,
      p50ms: ms(percentile(t2.suggest, 50)),
      p99ms: ms(percentile(t2.suggest, 99)),
      maxMs: ms(Math.max(...t2.suggest)),
      baselineNormaliseP99ms: ms(percentile(t2.normalise, 99)),
    };
    console.log(`\n== suggestion time, ${name}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join('  ')}`);
    console.log(`   target: p99 ≤ 5 ms per case → ${figures.p99ms <= 5 ? 'met' : 'NOT met'}`);
    results.push({ name: `time, ${name}`, figures, met: figures.p99ms <= 5 });
  }
  console.log(`\n   building the city-scale gazetteer and model: ${cityBuildMs.toFixed(0)} ms (once per change of the organisation or lessons)`);
  console.log(`   heap in use with both built: ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB`);
  const file = path.join(REPO_ROOT, 'bench', 'results-dispatch.json');
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model}`, cityBuildMs: Math.round(cityBuildMs), results }, null, 2));
  console.log(`\nwritten to ${path.relative(REPO_ROOT, file)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
