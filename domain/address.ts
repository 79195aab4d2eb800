// Where a complaint is, compared: two open complaints of the same category at the same place are likely one
// thing reported twice (the duplicate hints of api/similar.ts). A Shanghai address is written many ways —
// with or without 上海市 and the district, full-width digits, 號 for 号, 5# for 5号, 八号 for 8号, spaces and
// punctuation, a landmark in brackets — so addresses are compared by a normalised key; coordinates, when both
// complaints have them, by their distance over the earth (haversine). Pure functions, no dependencies.

/** Shanghai's 16 districts, and the names of those merged away that people still write. */
const DISTRICTS = ['黄浦区', '徐汇区', '长宁区', '静安区', '普陀区', '虹口区', '杨浦区', '闵行区', '宝山区', '嘉定区', '浦东新区', '金山区', '松江区', '青浦区', '奉贤区', '崇明区'];
const FORMER_DISTRICTS: Record<string, string> = { 卢湾区: '黄浦区', 闸北区: '静安区', 南汇区: '浦东新区', 崇明县: '崇明区', 浦东区: '浦东新区' };
/** Lingang's special area lies across Pudong and Fengxian, with a brigade of its own. */
const AREAS = ['临港新片区'];
const PLACE_NAMES = [...DISTRICTS, ...Object.keys(FORMER_DISTRICTS), ...AREAS].sort((a, b) => b.length - a.length);

/** Traditional and variant characters that addresses are typed with. */
const VARIANTS: Record<string, string> = { 號: '号', 衖: '弄', 樓: '楼', 區: '区', 鎮: '镇', 〇: '零' };

const CHINESE_DIGITS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CHINESE_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/**
 * A number written in Chinese, as in 一百零八号 or 十二弄 (up to 9,999), or digit by digit as in 一二〇一室;
 * undefined when it is not one.
 */
export function chineseNumber(text: string): number | undefined {
  const chars = [...text];
  if (chars.length === 0 || chars.some((ch) => !(ch in CHINESE_DIGITS) && !(ch in CHINESE_UNITS))) return undefined;
  // Digit by digit (一二〇一), the way room numbers are read out.
  if (chars.length > 1 && chars.every((ch) => ch in CHINESE_DIGITS)) return Number(chars.map((ch) => CHINESE_DIGITS[ch]).join(''));
  let total = 0;
  let digit: number | undefined;
  for (const ch of chars) {
    if (ch in CHINESE_DIGITS) {
      digit = CHINESE_DIGITS[ch]!;
      continue;
    }
    total += (digit ?? 1) * CHINESE_UNITS[ch]!;
    digit = undefined;
  }
  return total + (digit ?? 0);
}

/** An address reduced to what tells one place from another, and the district it names, if any. */
export interface NormalisedAddress {
  /** The district the address (or the location's `district`) names, by its current name. */
  district?: string;
  /** Lower case letters, digits and Chinese characters, in a single form: equal keys, the same place. */
  key: string;
}

/** Where the complaint says it is besides its address: the location's district and street/town as filed. */
export interface AddressHints {
  district?: string;
  street?: string;
}

const currentDistrict = (name: string): string => FORMER_DISTRICTS[name] ?? name;

/** One writing of house, lane, building and room numbers: 8号, 12弄, 5号楼, 1201 (室 dropped). */
function unifyNumbers(text: string): string {
  return (
    text
      // 八号, 十二弄, 一二〇一室: Chinese numerals before a number's word become digits.
      .replace(/([零一二两三四五六七八九十百千]+)(?=号|弄|室|楼|幢|栋|座|层|支弄)/gu, (found) => String(chineseNumber(found) ?? found))
      // 5#, 5#楼, 5栋, 5幢, 5座: building 5.
      .replace(/(\d+)\s*#\s*(?:楼)?/gu, '$1号楼')
      .replace(/(\d+)\s*(?:栋|幢|座|号楼)/gu, '$1号楼')
      // 1201室 and 1201 are the same room.
      .replace(/(\d+)\s*室/gu, '$1')
  );
}

/** Takes the first of `names` off the front of `text`, if it starts with one. */
function takeLeading(text: string, names: readonly string[]): { name?: string; rest: string } {
  const name = names.find((n) => n && text.startsWith(n));
  return name ? { name, rest: text.slice(name.length) } : { rest: text };
}

/**
 * The address as a key: width folded (NFKC: full-width digits and letters become half-width), variant
 * characters made one, numbers written one way, bracketed notes (landmarks, 近…) dropped, everything but
 * letters, digits, Chinese and dashes dropped, and the leading 中国, 上海市, district and — when the
 * complaint names it — street/town taken off, the district kept beside the key.
 */
export function normaliseAddress(address: string, hints: AddressHints = {}): NormalisedAddress {
  let text = address.normalize('NFKC').toLowerCase();
  for (const [variant, standard] of Object.entries(VARIANTS)) text = text.split(variant).join(standard);
  text = text.replace(/\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕/gu, '');
  text = unifyNumbers(text);
  // Letters, digits and Chinese only; a dash stays only between two numbers (12-3号).
  text = text.replace(/[‐‑‒–—―−]/gu, '-').replace(/[^\p{L}\p{N}-]/gu, '').replace(/-+/g, '-').replace(/(?<!\d)-|-(?!\d)/g, '');
  text = takeLeading(text, ['中华人民共和国', '中国']).rest;
  // 上海市, or 上海 right before a district (上海闵行区…): never a bare 上海 that starts a name (上海南站).
  const city = takeLeading(text, ['上海市']);
  text = city.name ? city.rest : PLACE_NAMES.some((n) => text.startsWith(`上海${n}`)) ? text.slice(2) : text;
  const inAddress = takeLeading(text, PLACE_NAMES);
  text = inAddress.rest;
  const district = inAddress.name ? currentDistrict(inAddress.name) : hints.district ? currentDistrict(hints.district.normalize('NFKC').trim()) : undefined;
  // The street or town: the one the complaint names; otherwise a 街道, which no road name ends in, or a
  // town of two to four characters before a road (七宝镇漕宝路), never a road's own 镇 (镇宁路, 新镇路).
  const street = hints.street?.normalize('NFKC').replace(/\s+/g, '');
  const town = takeLeading(text, street ? [street] : []);
  text = town.name
    ? town.rest
    : text
        .replace(/^\p{Script=Han}{2,6}?街道(?=\p{Script=Han})/u, '')
        .replace(/^\p{Script=Han}{2,4}?镇(?=\p{Script=Han}+(?:路|街|道|巷|弄))/u, '');
  return { district, key: text };
}

/** The shortest key two addresses must share to be the same place: "1号" alone is not an address. */
const MIN_KEY_CHARS = 4;

/** Whether two normalised addresses are the same place: the same key, and no two different districts. */
export function sameAddress(a: NormalisedAddress, b: NormalisedAddress): boolean {
  if ([...a.key].length < MIN_KEY_CHARS || a.key !== b.key) return false;
  return a.district === undefined || b.district === undefined || a.district === b.district;
}

export interface Coordinates {
  lat: number;
  lng: number;
}

/** The location's coordinates, when it has both. */
export function coordinatesOf(location: { lat?: number; lng?: number }): Coordinates | undefined {
  return location.lat !== undefined && location.lng !== undefined ? { lat: location.lat, lng: location.lng } : undefined;
}

/** The earth's mean radius (IUGG), in metres. */
const EARTH_RADIUS_M = 6_371_008.8;
const radians = (degrees: number) => (degrees * Math.PI) / 180;
const degrees = (radiansValue: number) => (radiansValue * 180) / Math.PI;

/** The great-circle distance between two points, in metres (haversine: exact for a sphere, within 0.5 % of the earth). */
export function distanceMetres(a: Coordinates, b: Coordinates): number {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface BoundingBox {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

/**
 * A box that holds every point within `radiusM` of `p`: what a query can bound by before the exact distance
 * is worked out. (Not for the poles or the antimeridian, which Shanghai is far from.)
 */
export function boundingBox(p: Coordinates, radiusM: number): BoundingBox {
  const dLat = degrees(radiusM / EARTH_RADIUS_M);
  const dLng = dLat / Math.max(Math.cos(radians(p.lat)), 1e-6);
  return { minLat: p.lat - dLat, maxLat: p.lat + dLat, minLng: p.lng - dLng, maxLng: p.lng + dLng };
}
