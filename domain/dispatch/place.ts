// The place gazetteer of smart dispatch (智能派单): where in the organisation a complaint's address points —
// a liaison point's workstation, a street/town squad, a district bureau, or nowhere known — and which words of
// the address said so. Built once from the organisation (districts, squads, workstations, and the addresses
// the desk has taught it), then asked once per new case on the intake path.
//
// An address is folded first (NFKC: full-width digits and letters half-width; 號→号 and other variants;
// Chinese numerals before 号/弄/室 as digits; spaces dropped; punctuation and brackets as separators), and
// the organisation's names the same way, so `临汾路３８０弄`, `临汾路 380 弄` and `临汾路三百八十弄` are one.
// Then, most specific last:
//   district  the full name (闵行区) or a former one (闸北区) anywhere; the short form (闵行, 浦东) only at
//             the start, after 上海市/上海, and never as the head of a road (宝山路 is in 静安区, 奉贤路 too).
//   street    the seeded name (七宝镇, 江川路街道) anywhere, or its short form (七宝, 江川路, 江湾) at the start,
//             right after the district, or before a road (七宝漕宝路); never as the head of a road (梅陇路 lies
//             in 徐汇区, not in 梅陇镇). A short form several squads share is ambiguous; the district decides.
//   liaison   the compound/community of the site name (临汾路380弄居委城管执法社区工作室 → 临汾路380弄), found
//   point     in what the district and street did not take. A weak name — two characters (友谊), a generic one
//             (北片区) or a bare road (光华路) — counts only when the district or street agrees; the longest wins.
//   learned   an address the desk has sent to one workstation before (placeKey, at least twice) wins over the
//             names: the desk knows the places the names do not.
// The location's `district` and `street` as filed are hints: when they name a known place they are trusted
// over the address. Pure: no node:, no database.

import { chineseNumber } from '../address.js';
import type { PlaceLevel, PlaceMatch, Reason } from './types.js';

export interface GazetteerInput {
  /** The district bureaus (db/seed.ts DISTRICTS, with Lingang's brigade). */
  districts: Array<{ id: string; name: string }>;
  /** The street/town squads, with the street or town as seeded: 七宝镇, 江川路街道. */
  squads: Array<{ id: string; districtId: string; street: string }>;
  /** The workstations; `name` is the site (临汾路380弄居委城管执法社区工作室). */
  workstations: Array<{ id: string; squadId: string; name: string; fullName: string }>;
  /** Addresses (placeKey) the desk has sent to one workstation, and how many times. */
  learned?: Array<{ key: string; workstationId: string; support: number }>;
}

/** Where the complaint is, as filed. */
export interface PlaceQuery {
  address: string;
  district?: string;
  street?: string;
  lat?: number;
  lng?: number;
}

/** How sure each kind of finding is (the brief's figures; the suggestion takes the lesser of place and category). */
export const PLACE_CONFIDENCE = {
  liaisonPoint: 0.95,
  /** A weak liaison-point name, counted only because the district or street agreed. */
  weakLiaisonPoint: 0.9,
  learnedPlace: 0.9,
  streetWithDistrict: 0.9,
  street: 0.8,
  district: 0.4,
  none: 0,
} as const;

/** A learned place is suggested once the desk has sent the address there this many times. */
export const LEARNED_MIN_SUPPORT = 2;

// ---------------------------------------------------------------------------------------------------------
// Folding: one writing of an address and of the organisation's names.

const VARIANTS: Record<string, string> = { 號: '号', 衖: '弄', 樓: '楼', 區: '区', 鎮: '镇', 〇: '零', 裏: '里', 鄉: '乡', 縣: '县' };
const VARIANT_RE = new RegExp(`[${Object.keys(VARIANTS).join('')}]`, 'gu');
/** Where words break: anything but letters, digits and dashes (brackets, commas, slashes…). */
const SEPARATOR = '|';

/** The address folded: width, variants, numerals before 号/弄/室 as digits, no spaces, punctuation as `|`. */
export function foldAddress(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(VARIANT_RE, (ch) => VARIANTS[ch] ?? ch)
    .replace(/([零一二两三四五六七八九十百千]+)(?=号|弄|室|支弄)/gu, (found) => String(chineseNumber(found) ?? found))
    .replace(/\s+/gu, '')
    .replace(/[^\p{L}\p{N}-]+/gu, SEPARATOR);
}

/** 中国, 上海市, and 上海 right before a district (上海闵行…, never the 上海 of 上海南站), taken off the front. */
function dropCity(text: string, districtForms: readonly string[]): string {
  let t = text.replace(/^\|+/u, '');
  for (const country of ['中华人民共和国', '中国']) if (t.startsWith(country)) t = t.slice(country.length);
  if (t.startsWith('上海市')) t = t.slice(3);
  else if (t.startsWith('上海') && districtForms.some((d) => t.startsWith(d, 2))) t = t.slice(2);
  return t.replace(/^\|+/u, '');
}

// ---------------------------------------------------------------------------------------------------------
// Names: the forms a district, street/town or compound is written in.

/** Districts merged away that people still write, by the district they are now part of. */
const FORMER_DISTRICTS: Record<string, string> = { 卢湾区: '黄浦区', 闸北区: '静安区', 南汇区: '浦东新区', 崇明县: '崇明区', 浦东区: '浦东新区' };

/** The forms of a district's name: full (浦东新区, 临港新片区), and short (浦东, 临港) when at least 2 chars. */
function districtForms(name: string): { full: string[]; short: string[] } {
  const base = foldAddress(name).replace(/(综合)?执法(大队|支队|局)$/u, '');
  const full = [base];
  const short = new Set<string>();
  for (const suffix of ['新片区', '新区', '区', '县']) {
    if (base.endsWith(suffix) && base.length - suffix.length >= 2) short.add(base.slice(0, -suffix.length));
  }
  if (base === '浦东新区') short.add('浦东新');
  return { full, short: [...short] };
}

/** The forms of a street/town: as seeded (七宝镇), and short (七宝, 江川路, 江湾, 川沙) when at least 2 chars. */
function streetForms(street: string): { full: string[]; short: string[] } {
  const full = new Set([foldAddress(street)]);
  const short = new Set<string>();
  const base = foldAddress(street);
  // 江湾镇街道 is also written 江湾镇; 川沙新镇 also 川沙镇.
  if (base.endsWith('镇街道')) full.add(base.slice(0, -2));
  if (base.endsWith('新镇')) full.add(`${base.slice(0, -2)}镇`);
  for (const form of [...full]) {
    const m = /^(.+?)(新镇|镇街道|街道|镇|乡)$/u.exec(form);
    if (m && m[1]!.length >= 2) short.add(m[1]!);
  }
  for (const f of full) short.delete(f);
  return { full: [...full], short: [...short] };
}

/** Words that name a place's kind, not the place: what is left without them tells how distinctive a name is. */
const GENERIC_TAIL = /(片区|园区|景区|楼宇|社区|[东南西北中]区)$/u;
const GENERIC_ONLY = /^[东南西北中]?部?$/u;

/**
 * The compound or community a workstation's site names: the site without its 城管执法社区工作室/工作站 and
 * 居委(会)/村委(会) (临汾路380弄居委城管执法社区工作室 → 临汾路380弄, 天山二村居委… → 天山二村), and, besides,
 * without a trailing 社区 or 第一/第二… (馨越河湾社区 → 馨越河湾, 逸仙一村第一 → 逸仙一村).
 */
export function compoundNames(site: string): string[] {
  let name = foldAddress(site).replace(/\|/gu, '');
  name = name.replace(/(城管)?(执法)?(社区)?(工作室|工作站)$/u, '');
  name = name.replace(/(居委会|居委|居会|村委会|村委|居民委员会|村民委员会)$/u, '');
  const names = [name];
  const withoutCommunity = name.replace(/社区$/u, '');
  if (withoutCommunity !== name) names.push(withoutCommunity);
  const withoutOrdinal = name.replace(/第[一二三四五六七八九十]+$/u, '');
  if (withoutOrdinal !== name) names.push(withoutOrdinal);
  return names.filter((n) => n.length >= 2);
}

/** How distinctive a compound name is: its characters once generic words are dropped (北片区 → 0, 曹行片区 → 2). */
function distinctiveLength(name: string): number {
  const core = name.replace(GENERIC_TAIL, '');
  return GENERIC_ONLY.test(core) ? 0 : core.length;
}

// Roads: a name right before these is a road's head (宝山路, 梅陇路), not the district or town.
const ROAD_HEAD = /^(?:[东西南北中]?(?:路|大道|公路|支路|大街|街(?!道)|巷|弄|桥|隧道))/u;
/** A road follows: 七宝|漕宝路. */
const ROAD_FOLLOWS = /^\p{Script=Han}{1,6}?[东西南北中]?(?:路|大道|公路|大街|街(?!道)|巷)/u;
/** A community's own word follows: the name is a compound's (老港|居委), not the town's. */
const COMMUNITY_FOLLOWS = /^(?:居委|村委|社区|小区|新村|花园|公寓|苑)/u;
/** Words that follow a compound's name in an address (友谊|居委, 达安|小区). */
const COMPOUND_FOLLOWS = /^(?:居委|村委|社区|小区|新村|村|花园|苑|公寓|大楼|家园|片区|\d+(?:号|弄|幢|栋))/u;

// ---------------------------------------------------------------------------------------------------------
// A dictionary of names, searched at every position of an address (longest first); its cost does not grow
// with the number of names, only with the address's length times the longest name.

interface Found<T> {
  term: string;
  start: number;
  end: number;
  entries: T[];
}

class Terms<T> {
  private readonly map = new Map<string, T[]>();
  private longest = 0;

  add(term: string, entry: T): void {
    if (term.length < 2) return;
    const list = this.map.get(term);
    if (list) list.push(entry);
    else this.map.set(term, [entry]);
    this.longest = Math.max(this.longest, term.length);
  }

  has(term: string): boolean {
    return this.map.has(term);
  }

  get(term: string): T[] {
    return this.map.get(term) ?? [];
  }

  /** Every occurrence of every term, longest first at each position (overlaps included). */
  findAll(text: string): Array<Found<T>> {
    const out: Array<Found<T>> = [];
    for (let start = 0; start < text.length - 1; start++) {
      for (let len = Math.min(this.longest, text.length - start); len >= 2; len--) {
        const term = text.slice(start, start + len);
        const entries = this.map.get(term);
        if (entries) out.push({ term, start, end: start + len, entries });
      }
    }
    return out;
  }
}

interface DistrictEntry {
  id: string;
  form: 'full' | 'short';
}
interface StreetEntry {
  squadId: string;
  form: 'full' | 'short';
}
interface CompoundEntry {
  workstationId: string;
  squadId: string;
  districtId: string;
  weak: boolean;
}

interface Span {
  start: number;
  end: number;
  text: string;
}

/** Lingang's brigade works in parts of Pudong and Fengxian: a town there is not a contradiction. */
const LINGANG = 'lingang';
const LINGANG_DISTRICTS = new Set(['310115', '310120']);

// ---------------------------------------------------------------------------------------------------------

export class Gazetteer {
  private readonly districts = new Terms<DistrictEntry>();
  private readonly streets = new Terms<StreetEntry>();
  private readonly compounds = new Terms<CompoundEntry>();
  private readonly districtForms: string[];
  private readonly squadDistrict = new Map<string, string>();
  private readonly stations = new Map<string, { squadId: string; districtId: string }>();
  private readonly learned = new Map<string, { workstationId: string; support: number }>();

  constructor(input: GazetteerInput) {
    for (const d of input.districts) {
      const forms = districtForms(d.name);
      for (const f of forms.full) this.districts.add(f, { id: d.id, form: 'full' });
      for (const f of forms.short) this.districts.add(f, { id: d.id, form: 'short' });
    }
    const byName = new Map(input.districts.map((d) => [foldAddress(d.name), d.id]));
    for (const [former, current] of Object.entries(FORMER_DISTRICTS)) {
      const id = byName.get(current);
      if (!id) continue;
      this.districts.add(former, { id, form: 'full' });
      const short = former.slice(0, -1);
      if (!this.districts.has(short)) this.districts.add(short, { id, form: 'short' });
    }
    this.districtForms = input.districts.flatMap((d) => [...districtForms(d.name).full, ...districtForms(d.name).short]).concat(Object.keys(FORMER_DISTRICTS));

    for (const s of input.squads) {
      this.squadDistrict.set(s.id, s.districtId);
      const forms = streetForms(s.street);
      for (const f of forms.full) this.streets.add(f, { squadId: s.id, form: 'full' });
      for (const f of forms.short) this.streets.add(f, { squadId: s.id, form: 'short' });
    }

    for (const w of input.workstations) {
      const districtId = this.squadDistrict.get(w.squadId);
      if (districtId === undefined) continue;
      this.stations.set(w.id, { squadId: w.squadId, districtId });
      for (const name of compoundNames(w.name)) {
        // A name that is also a district's or town's (青村 of 青村社区, 奉城 of 奉城第四) is the town's.
        const isPlaceName = this.streets.has(name) || this.districts.has(name);
        if (isPlaceName && name !== compoundNames(w.name)[0]) continue;
        const weak = isPlaceName || distinctiveLength(name) < 3 || /(?:路|大道|公路|街)$/u.test(name);
        this.compounds.add(name, { workstationId: w.id, squadId: w.squadId, districtId, weak });
      }
    }

    for (const l of input.learned ?? []) {
      if (l.support < LEARNED_MIN_SUPPORT || !this.stations.has(l.workstationId)) continue;
      const seen = this.learned.get(l.key);
      // The same address taught to two workstations: the better-supported one, unless tied (then neither).
      if (!seen || l.support > seen.support) this.learned.set(l.key, { workstationId: l.workstationId, support: l.support });
      else if (l.support === seen.support && seen.workstationId !== l.workstationId) this.learned.set(l.key, { workstationId: '', support: l.support });
    }
  }

  /**
   * Where the location points. Coordinates are accepted but not used: the organisation has no coordinates
   * for its workstations (the seed has none), and a place is never invented from a point alone.
   */
  locate(location: PlaceQuery): PlaceMatch {
    const text = dropCity(foldAddress(location.address), this.districtForms);
    const masked = text.split('');
    const mask = (s: Span) => {
      for (let i = s.start; i < s.end; i++) masked[i] = SEPARATOR;
    };

    // The district: the hint when it names one, else the address.
    const hintDistrict = this.hintDistrict(location.district);
    const saidDistrict = this.districtIn(text);
    if (saidDistrict) mask(saidDistrict.span);
    let districtId = hintDistrict?.id ?? saidDistrict?.id;
    const districtReason: Reason | undefined = hintDistrict
      ? { about: 'place', kind: 'district', text: location.district!.trim(), target: hintDistrict.id }
      : saidDistrict && { about: 'place', kind: 'district', text: saidDistrict.span.text, target: saidDistrict.id };

    // The street/town: the hint when it names one (in the district, if known), else the address.
    const streetHit = this.streetHint(location.street, districtId) ?? this.streetIn(text, districtId, saidDistrict?.span);
    let squadId = streetHit?.squadId;

    if (squadId) districtId = this.squadDistrict.get(squadId);
    const streetReason: Reason | undefined = streetHit && squadId ? { about: 'place', kind: 'street', text: streetHit.text, target: squadId } : undefined;

    // The liaison point, in what is left of the address.
    // (A compound may begin with its town's name, 月浦八村 in 月浦镇; one inside the town's mention may not: 老港镇.)
    const point = this.liaisonPointIn(masked.join(''), districtId, squadId, districtReason !== undefined, streetHit?.span);
    let level: PlaceLevel = 'none';
    let confidence: number = PLACE_CONFIDENCE.none;
    const reasons: Reason[] = [];
    let workstationId: string | undefined;
    if (point) {
      level = 'liaison_point';
      workstationId = point.workstationId;
      squadId = point.squadId;
      districtId = point.districtId;
      confidence = point.weak ? PLACE_CONFIDENCE.weakLiaisonPoint : PLACE_CONFIDENCE.liaisonPoint;
    } else if (squadId) {
      level = 'street';
      confidence = districtReason ? PLACE_CONFIDENCE.streetWithDistrict : PLACE_CONFIDENCE.street;
    } else if (districtId) {
      level = 'district';
      confidence = PLACE_CONFIDENCE.district;
    }
    if (districtReason && districtReason.target === districtId) reasons.push(districtReason);
    else if (districtReason?.target === LINGANG && districtId && LINGANG_DISTRICTS.has(districtId)) reasons.push(districtReason);
    if (streetReason && streetReason.target === squadId) reasons.push(streetReason);
    if (point) reasons.push({ about: 'place', kind: 'liaison_point', text: point.text, target: point.workstationId });

    // What the desk taught beats what the names say.
    const key = this.learned.size > 0 ? placeKey(location) : undefined;
    const lesson = key ? this.learned.get(key) : undefined;
    const station = lesson?.workstationId ? this.stations.get(lesson.workstationId) : undefined;
    if (lesson && station) {
      const agrees = workstationId === lesson.workstationId;
      return {
        level: 'liaison_point',
        districtId: station.districtId,
        squadId: station.squadId,
        workstationId: lesson.workstationId,
        confidence: agrees ? Math.max(confidence, PLACE_CONFIDENCE.learnedPlace) : PLACE_CONFIDENCE.learnedPlace,
        reasons: [
          ...reasons.filter((r) => r.target === station.districtId || r.target === station.squadId || r.target === lesson.workstationId),
          { about: 'place', kind: 'learned_place', text: location.address.trim(), target: lesson.workstationId },
        ],
      };
    }

    return {
      level,
      ...(districtId !== undefined && { districtId }),
      ...(squadId !== undefined && { squadId }),
      ...(workstationId !== undefined && { workstationId }),
      confidence,
      reasons,
    };
  }

  private hintDistrict(hint: string | undefined): { id: string } | undefined {
    if (!hint) return undefined;
    const folded = dropCity(foldAddress(hint), this.districtForms).replace(/\|/gu, '');
    const ids = new Set(this.districts.get(folded).map((e) => e.id));
    return ids.size === 1 ? { id: [...ids][0]! } : undefined;
  }

  /** A full district name anywhere (the first), or a short one at the start that is not a road's head. */
  private districtIn(text: string): { id: string; span: Span } | undefined {
    for (const f of this.districts.findAll(text)) {
      const ids = new Set(f.entries.filter((e) => e.form === 'full').map((e) => e.id));
      if (ids.size === 1 && !ROAD_HEAD.test(text.slice(f.end))) return { id: [...ids][0]!, span: { start: f.start, end: f.end, text: f.term } };
    }
    for (const f of this.districts.findAll(text)) {
      if (f.start > 0) break;
      const ids = new Set(f.entries.map((e) => e.id));
      if (ids.size === 1 && !ROAD_HEAD.test(text.slice(f.end))) return { id: [...ids][0]!, span: { start: f.start, end: f.end, text: f.term } };
    }
    return undefined;
  }

  private inDistrict(squadId: string, districtId: string | undefined): boolean {
    if (districtId === undefined) return true;
    const own = this.squadDistrict.get(squadId);
    return own === districtId || (districtId === LINGANG && own !== undefined && LINGANG_DISTRICTS.has(own));
  }

  private streetHint(hint: string | undefined, districtId: string | undefined): { squadId: string; text: string; span?: Span } | undefined {
    if (!hint) return undefined;
    const folded = foldAddress(hint).replace(/\|/gu, '');
    const squads = new Set(this.streets.get(folded).map((e) => e.squadId).filter((id) => this.inDistrict(id, districtId)));
    return squads.size === 1 ? { squadId: [...squads][0]!, text: hint.trim() } : undefined;
  }

  /**
   * The street/town the address names: seeded names anywhere, short forms only where a town is written (at
   * the start, after the district, before a road, or with its own 镇/街道), never as a road's head; the
   * longest mention first, and among squads sharing a name the district's.
   */
  private streetIn(text: string, districtId: string | undefined, districtSpan: Span | undefined): { squadId: string; text: string; span: Span } | undefined {
    const leading = (start: number) => /^\|*$/u.test(text.slice(districtSpan && districtSpan.end <= start ? districtSpan.end : 0, start));
    const hits: Array<{ squadIds: string[]; full: boolean; span: Span }> = [];
    for (const f of this.streets.findAll(text)) {
      if (districtSpan && f.start < districtSpan.end && f.end > districtSpan.start) continue;
      const after = text.slice(f.end);
      for (const form of ['full', 'short'] as const) {
        const squadIds = [...new Set(f.entries.filter((e) => e.form === form).map((e) => e.squadId))].filter((id) => this.inDistrict(id, districtId));
        if (squadIds.length === 0) continue;
        // A town's name right before 路 is a road's (梅陇路); a short form that itself ends in 路 (江川路) is the road its street is named after.
        if (!f.term.endsWith('路') && ROAD_HEAD.test(after)) continue;
        if (form === 'short') {
          const ownSuffix = /^(镇|街道|乡)/u.exec(after);
          const placed = ownSuffix || leading(f.start) || ROAD_FOLLOWS.test(after);
          if (!placed || COMMUNITY_FOLLOWS.test(after)) continue;
          const end = f.end + (ownSuffix?.[0].length ?? 0);
          hits.push({ squadIds, full: false, span: { start: f.start, end, text: text.slice(f.start, end) } });
        } else hits.push({ squadIds, full: true, span: { start: f.start, end: f.end, text: f.term } });
      }
    }
    if (hits.length === 0) return undefined;
    // The longest, seeded names before short ones; a name several squads share (in the district) says nothing.
    hits.sort((a, b) => b.span.end - b.span.start - (a.span.end - a.span.start) || Number(b.full) - Number(a.full) || a.span.start - b.span.start);
    const best = hits[0]!;
    if (best.squadIds.length !== 1) return undefined;
    return { squadId: best.squadIds[0]!, text: best.span.text, span: best.span };
  }

  /**
   * The liaison point whose compound the address names: the longest name agreeing with the district and
   * street known; a weak name only when the street agrees, or (two characters) the district agrees and a
   * compound's word follows; one name several workstations share only when the street tells them apart.
   */
  private liaisonPointIn(
    text: string,
    districtId: string | undefined,
    squadId: string | undefined,
    districtSaid: boolean,
    streetSpan: Span | undefined,
  ): (CompoundEntry & { text: string }) | undefined {
    const found: Array<CompoundEntry & { text: string }> = [];
    for (const f of this.compounds.findAll(text)) {
      if (streetSpan && f.start >= streetSpan.start && f.end <= streetSpan.end) continue;
      const after = text.slice(f.end);
      for (const e of f.entries) {
        if (districtId !== undefined && e.districtId !== districtId && !(districtId === LINGANG && LINGANG_DISTRICTS.has(e.districtId))) continue;
        if (squadId !== undefined && e.squadId !== squadId) continue;
        if (e.weak) {
          const streetAgrees = squadId === e.squadId;
          const districtAgrees = districtSaid && districtId !== undefined;
          const generic = distinctiveLength(f.term) === 0;
          const short = f.term.length < 3;
          if (!streetAgrees && (generic || !districtAgrees || (short && !COMPOUND_FOLLOWS.test(after)))) continue;
        }
        found.push({ ...e, text: f.term });
      }
    }
    if (found.length === 0) return undefined;
    const longest = Math.max(...found.map((f) => f.text.length));
    const best = found.filter((f) => f.text.length === longest);
    const stations = new Set(best.map((f) => f.workstationId));
    return stations.size === 1 ? best[0] : undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The place key: what a learned address is remembered by.

const KEY_DISTRICTS = ['黄浦区', '徐汇区', '长宁区', '静安区', '普陀区', '虹口区', '杨浦区', '闵行区', '宝山区', '嘉定区', '浦东新区', '金山区', '松江区', '青浦区', '奉贤区', '崇明区', '临港新片区'];
const KEY_FORMS: Array<[string, string]> = (
  [
    ...KEY_DISTRICTS.map((d): [string, string] => [d, d]),
    ...Object.entries(FORMER_DISTRICTS),
    ...KEY_DISTRICTS.map((d): [string, string] => [d.replace(/(新片区|新区|区)$/u, ''), d]),
    ...Object.entries(FORMER_DISTRICTS).map(([f, d]): [string, string] => [f.slice(0, -1), d]),
    ['浦东新', '浦东新区'],
  ] as Array<[string, string]>
).sort((a, b) => b[0].length - a[0].length);

/** What ends a road's or compound's own name when reading back from it: a district, town or street before it. */
const NAME_BREAK = /[区镇乡县市|\d]|街道|号|弄/u;

/** The last two characters of the name before a road's or compound's word, read back to a break (七宝漕宝 → 漕宝). */
function nameRoot(before: string): string {
  let run = '';
  for (let i = before.length - 1; i >= 0 && run.length < 2; i--) {
    const ch = before[i]!;
    if (NAME_BREAK.test(ch) || (ch === '道' && before[i - 1] === '街') || !/\p{Script=Han}/u.test(ch)) break;
    run = ch + run;
  }
  return run;
}

/**
 * The key a learned place is remembered by: district + road + lane/number of the compound (not the room), or
 * undefined when the address is too vague. `上海市闵行区七宝镇漕宝路1500弄3号101室`, `闵行七宝漕宝路１５００弄`
 * and `漕宝路1500弄12号` with the district filed beside it all give `闵行区|漕宝路|1500弄`. Without a road and
 * number, a named compound (美邻苑, 天山二村) stands in: `闵行区|美邻苑`. The road's and compound's names are
 * kept to their last two characters before 路/苑… (plus a direction: 南京东路), so a town written short in
 * front (七宝漕宝路) does not change the key; a district neither written nor filed is `-`.
 */
export function placeKey(location: { address: string; district?: string; street?: string }): string | undefined {
  const forms = KEY_FORMS.map(([f]) => f);
  // Notes in brackets (近地铁站, 东门) say where to look, not where it is.
  let text = dropCity(foldAddress(location.address.replace(/[(（[【〔][^)）\]】〕]*[)）\]】〕]/gu, ' ')), forms);
  let district: string | undefined;
  const leading = KEY_FORMS.find(([f]) => text.startsWith(f) && !ROAD_HEAD.test(text.slice(f.length)));
  if (leading) {
    district = leading[1];
    text = text.slice(leading[0].length);
  } else {
    const anywhere = KEY_FORMS.find(([f, d]) => f === d && text.includes(f));
    district = anywhere?.[1];
  }
  if (!district && location.district) {
    const hint = dropCity(foldAddress(location.district), forms).replace(/\|/gu, '');
    district = KEY_FORMS.find(([f]) => f === hint)?.[1];
  }
  const d = district ?? '-';

  // A road and the compound's lane (弄) or, without one, its number (号, not 号楼).
  const road = /([东西南北中]?)(路|大道|公路|大街|街|巷)(\d+(?:-\d+)?)(弄|号(?!楼))/u.exec(text);
  if (road) {
    const root = nameRoot(text.slice(0, road.index));
    if (root.length >= 1 && !(road[2] === '街' && text.slice(road.index + road[1]!.length + 1).startsWith('道'))) {
      const lane = road[4] === '弄' ? `${road[3]}弄` : `${road[3]}号`;
      return `${d}|${root}${road[1]}${road[2]}|${lane}`;
    }
  }
  // A named compound: 美邻苑, 天山二村, 元丰花园 (not a town's 新村街道, nor 城桥镇's 城).
  const compound = /(小区|花园|新村|家园|公寓|大厦|苑|村|园|城)(?!街道|镇|乡|路|大道)/gu;
  for (let m = compound.exec(text); m; m = compound.exec(text)) {
    const root = nameRoot(text.slice(0, m.index));
    if (root.length >= 2) return `${d}|${root}${m[1]}`;
  }
  return undefined;
}
