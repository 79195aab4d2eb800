// Demo data: N complaints filed across the 100 pilot liaison points and walked through the lifecycle by
// the actors who would take each step — the desk triages, the squad's officer investigates, supervisors
// escalate, return, reassign, reopen and review media, reporters draft and publish, the citizen rates
// through the tracking code. Planning is pure and seeded (`planDemo`): the same seed gives the same
// complaints and the same walks. Walking (`runDemo`) speaks only the HTTP contract, through whatever
// client it is given: fetch against `./bangnong up` (cli/demo.ts) or app.inject in the tests.

import type { Category, Channel, Department, MediaStatus, Rating, Role } from '../domain/case.js';
import type { Policy } from '../domain/policy.js';

// ——— The API, as the generator sees it ———

export interface ApiAnswer {
  status: number;
  json: any;
  /** Seconds a 429 asks the client to wait (its Retry-After), when the client can read it. */
  retryAfterSeconds?: number;
}

/** A client of the contract: fetch against a running API, or app.inject in a test. `key` null: no key. */
export interface DemoApi {
  request(method: 'GET' | 'POST', url: string, key: string | null, body?: unknown): Promise<ApiAnswer>;
}

/** The contract over HTTP, against a running API at `base` (what `./bangnong demo` and the benchmarks use). */
export function httpApi(base: string): DemoApi {
  return {
    async request(method, url, key, body) {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = { error: text.slice(0, 200) };
      }
      const retryAfter = Number(res.headers.get('retry-after'));
      return { status: res.status, json, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}) };
    },
  };
}

// ——— The organisation ———

export interface Station {
  id: string;
  /** The liaison point's site, e.g. 漕宝路三居委城管执法社区工作室. */
  site: string;
  district: string;
  street: string;
  squadId: string;
  districtId: string;
}

/** The liaison points and the district of each one's squad, as GET /v1/workstations and /v1/units say. */
export async function readStations(api: DemoApi, key: string): Promise<Station[]> {
  const [stations, units] = await Promise.all([api.request('GET', '/v1/workstations', key), api.request('GET', '/v1/units', key)]);
  if (stations.status !== 200 || units.status !== 200) {
    throw new Error(`cannot read the organisation (GET /v1/workstations ${stations.status}, /v1/units ${units.status}): ${stations.json?.error ?? units.json?.error ?? ''}`);
  }
  const parentOf = new Map<string, string>((units.json.units as { id: string; parentId: string | null }[]).map((u) => [u.id, u.parentId ?? '']));
  const list = (stations.json.workstations as { id: string; name: string; district: string; street: string; squadId: string }[]).map((w) => ({
    id: w.id,
    site: w.name,
    district: w.district,
    street: w.street,
    squadId: w.squadId,
    districtId: parentOf.get(w.squadId) ?? '',
  }));
  if (list.length === 0) throw new Error('the organisation has no liaison points: `./bangnong up` seeds them at start');
  return list;
}

// ——— Seeded randomness ———

/** A small seeded generator (mulberry32): the same seed, the same demo. */
export function seededRandom(seed: string | number): () => number {
  let h = 1779033703 ^ String(seed).length;
  for (const ch of String(seed)) h = Math.imul(h ^ ch.charCodeAt(0), 3432918353);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
function weighted<T extends string>(r: Random, weights: Readonly<Record<T, number>>): T {
  const entries = Object.entries(weights) as [T, number][];
  let x = r() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [k, w] of entries) if ((x -= w) < 0) return k;
  return entries[entries.length - 1]![0];
}

// ——— What complaints say ———

/** In-scope complaints by category: a title and what the citizen writes ({place} is where). */
const COMPLAINTS: Partial<Record<Category, ReadonlyArray<readonly [string, string]>>> = {
  night_construction_noise: [
    ['夜间施工噪音扰民', '{place}的工地每天晚上十一点以后还在打桩，家里老人小孩根本睡不着，希望尽快处理。'],
    ['深夜装修电钻声', '{place}有一户人家连续一周晚上十点后还在用电钻装修，跟物业说了也没用。'],
  ],
  cooking_fumes: [
    ['饭店油烟直排', '{place}楼下新开的饭店油烟没有净化设备，直接往居民楼排，窗户都不敢开。'],
    ['烧烤店油烟熏人', '{place}的烧烤店每天傍晚开始油烟很大，衣服晾在外面都是味道。'],
  ],
  illegal_construction: [
    ['屋顶违章搭建', '{place}顶楼住户在屋顶搭了一间彩钢板房，已经快完工了，担心安全。'],
    ['底楼私自扩建', '{place}底楼住户把院子围起来扩建成房间，占用了公共绿地和通道。'],
  ],
  street_vending: [
    ['小区门口占道摆摊', '{place}门口每天早上有流动摊贩占道经营，人行道走不过去，还留下很多垃圾。'],
    ['学校附近无证摊贩', '{place}附近放学时间有几个无证摊贩卖烤肠和饮料，卫生堪忧。'],
  ],
  waste_sorting: [
    ['垃圾未分类投放', '{place}垃圾箱房经常混投，湿垃圾和干垃圾倒在一起，夏天味道很重。'],
    ['垃圾箱房满溢', '{place}的垃圾箱房两天没人清运，垃圾堆到了路边。'],
  ],
  outdoor_advertising: [
    ['店招破损有坠落风险', '{place}沿街一家店的店招一角已经脱落，刮风时晃动，怕砸到路人。'],
    ['违规设置广告牌', '{place}有商家在人行道上摆放大型广告牌，晚上还亮灯。'],
  ],
  illegal_renting: [
    ['疑似群租', '{place}一套两居室住了十几个人，进出频繁，楼道里堆满杂物。'],
    ['房屋隔断出租', '{place}有房东把客厅隔成好几间出租，消防隐患很大。'],
  ],
  facade_damage: [
    ['擅自改变外立面', '{place}一楼商铺把外墙砸开改成了大门，破坏了房屋外貌。'],
    ['外墙私开窗洞', '{place}有住户在外墙上私自开了窗洞，担心影响结构。'],
  ],
  green_space_damage: [
    ['毁绿种菜', '{place}小区绿化带被人铲掉种菜，还用了粪水浇灌，气味难闻。'],
    ['绿地被占作停车', '{place}有人把公共绿地铺上砖当成停车位。'],
  ],
  property_management: [
    ['物业不作为', '{place}违建和群租问题反映给物业多次，物业一直不管。'],
    ['楼道杂物长期不清', '{place}楼道堆放杂物和电瓶车，物业不劝阻也不清理。'],
  ],
  construction_waste: [
    ['建筑垃圾乱堆', '{place}路边堆了一大堆装修垃圾，已经一个多星期没人清运。'],
    ['渣土车撒漏', '{place}附近渣土车夜间经过时沿路撒漏，路面全是泥。'],
  ],
  load_bearing_damage: [['装修拆承重墙', '{place}楼上装修好像在拆承重墙，整栋楼都在震，大家很担心。']],
  change_of_use: [['住宅改成作坊', '{place}一套住宅被改成了加工作坊，白天机器声不断。']],
};

/** How often each category comes in (the pilot's complaints are mostly nuisances of daily life). */
const CATEGORY_WEIGHTS: Readonly<Partial<Record<Category, number>>> = {
  night_construction_noise: 14,
  cooking_fumes: 12,
  illegal_construction: 12,
  street_vending: 11,
  waste_sorting: 9,
  outdoor_advertising: 7,
  illegal_renting: 8,
  facade_damage: 5,
  green_space_damage: 6,
  property_management: 6,
  construction_waste: 6,
  load_bearing_damage: 2,
  change_of_use: 2,
};

/** What a patrolling officer finds, by category (patrol cases have no citizen). */
const PATROL_CATEGORIES: readonly Category[] = ['street_vending', 'outdoor_advertising', 'construction_waste', 'waste_sorting'];

/** Complaints for another department: title, text, the competent department. */
const FOR_OTHERS: ReadonlyArray<readonly [string, string, Department]> = [
  ['邻居深夜喧哗', '{place}楼上邻居经常半夜聚会喝酒吵闹，敲门沟通后还被辱骂。', 'police'],
  ['楼上漏水', '{place}楼上卫生间漏水到我家天花板，楼上不配合维修。', 'housing'],
  ['行道树遮挡采光', '{place}门前的行道树太高，挡住了整栋楼的阳光，希望修剪。', 'greening'],
  ['自来水发黄', '{place}这几天自来水一直发黄，烧开后有沉淀。', 'water'],
  ['超市商品价格不明', '{place}附近的超市商品没有标价，结账时随意收费。', 'market_regulation'],
  ['工厂排放异味', '{place}附近的工厂晚上排放刺鼻气味，怀疑偷排废气。', 'environment'],
];

/** Complaints answered with an explanation: not a violation, or already lawful. */
const EXPLAINED: ReadonlyArray<readonly [string, string, string]> = [
  ['白天装修噪音', '{place}隔壁白天在装修，噪音很大。', '经核实，该户装修时间在规定的白天施工时段内，已提醒其文明施工，并向您说明。'],
  ['路边摊贩', '{place}路口有人卖水果。', '经核实，该处为街道设置的临时疏导点，摊贩持有经营许可，已向您说明。'],
  ['小区搭建雨棚', '{place}有住户装了雨棚。', '经核实，该雨棚在小区管理规约允许的尺寸内，不属于违法搭建，已向您解释。'],
];

const SURNAMES = ['张', '王', '李', '赵', '陈', '刘', '杨', '黄', '周', '吴', '徐', '孙', '朱', '胡', '沈', '顾'] as const;
const GIVEN = ['伟', '芳', '敏', '静', '磊', '洁', '勇', '婷', '强', '丽', '军', '燕', '佳怡', '志明', '建国', '秀英', '海峰', '雪梅'] as const;
const ESTATES = ['锦绣苑', '阳光花园', '梅园新村', '春华小区', '康乐公寓', '枫林苑', '金桥新村', '和平小区', '绿洲家园', '东方名苑'] as const;

/** Obviously fake contacts: 139-0000-xxxx, and names from a short list. */
const fakeCitizen = (r: Random) => ({ name: `${pick(r, SURNAMES)}${pick(r, GIVEN)}`, phone: `1390000${String(Math.floor(r() * 10_000)).padStart(4, '0')}` });

/** A plausible address near a liaison point: district, street/town, the point's neighbourhood, an estate. */
function addressNear(r: Random, s: Station): { address: string; district: string; street: string; place: string } {
  const neighbourhood = s.site.replace(/(城管执法)?社区工作[室站]$/, '');
  const place = `${neighbourhood}${pick(r, ESTATES)}`;
  return { address: `上海市${s.district}${s.street}${place}${1 + Math.floor(r() * 40)}号楼`, district: s.district, street: s.street, place };
}

// ——— Scenarios: where a case is left, and how it got there ———

/**
 * Each scenario is one path through the lifecycle, with its share of the demo (per hundred cases) and, per
 * case of it in turn, the media item the newspaper's cases end with (null: a case of another channel).
 */
export const SCENARIOS = {
  waiting_triage: { weight: 8, media: ['none', null, null], late: true },
  joint_triage: { weight: 2, media: [null] },
  dispatched: { weight: 8, media: [null, 'none', null], late: true },
  reassigned: { weight: 3, media: [null] },
  investigating: { weight: 9, media: ['in_review', null, 'none', null] },
  escalated_district: { weight: 5, media: [null, 'none'] },
  escalated_city: { weight: 3, media: [null] },
  returned_down: { weight: 3, media: [null] },
  resolved_awaiting: { weight: 8, media: ['in_review', 'returned', 'approved', null] },
  closed_resolved: { weight: 20, media: ['published', null, 'waived', null, null] },
  resolved_by_district: { weight: 4, media: ['published', null] },
  transferred: { weight: 7, media: [null, 'waived', null] },
  explained: { weight: 5, media: [null, 'waived'] },
  withdrawn: { weight: 4, media: [null] },
  duplicate: { weight: 4, media: [null] },
  reopened: { weight: 5, media: ['waived', null] },
  unsatisfied: { weight: 2, media: [null] },
} as const satisfies Record<string, { weight: number; media: readonly (MediaStatus | null)[]; late?: boolean }>;

export type Scenario = keyof typeof SCENARIOS;
const SCENARIO_NAMES = Object.keys(SCENARIOS) as Scenario[];

/** Channels other than the newspaper's, in the shares the pilot sees them. */
const OTHER_CHANNELS: Readonly<Record<Exclude<Channel, 'xinmin'>, number>> = { hotline: 34, qr: 24, patrol: 12, walkin: 12, property: 9, open311: 9 };
/** Channels whose complaint names its liaison point at intake (the QR code, the counter, the patrol, the squad's property partner). */
const KNOWS_STATION: ReadonlySet<Channel> = new Set(['qr', 'walkin', 'patrol', 'property']);
/** Channels whose intake already carries a category. */
const KNOWS_CATEGORY: ReadonlySet<Channel> = new Set(['qr', 'patrol', 'property', 'open311']);

export interface PlannedCase {
  index: number;
  scenario: Scenario;
  /** Its position among the cases of its scenario: picks the variant (media item, rating, …). */
  ordinal: number;
  station: Station;
  /** Where a reassigned case goes. */
  otherStation?: Station;
  category: Category;
  department?: Department;
  explanation?: string;
  media: MediaStatus;
  /** An urgent case left waiting: overdue once its (short, under the demo policy) deadline passes. */
  late: boolean;
  rating?: Rating;
  /** The earlier case this one repeats. */
  duplicateOf?: number;
  intake: {
    channel: Channel;
    externalId: string;
    title: string;
    description: string;
    category?: Category;
    urgent?: boolean;
    location: { address: string; district: string; street: string };
    workstationId?: string;
    citizen?: { name: string; phone: string };
    attachments?: { url: string; name: string }[];
  };
}

/** How many cases of each scenario: its share of `n`, at least one each when `n` allows. */
function allocate(n: number): Record<Scenario, number> {
  const exact = SCENARIO_NAMES.map((s) => ({ s, x: (n * SCENARIOS[s].weight) / 100 }));
  const counts = Object.fromEntries(exact.map(({ s, x }) => [s, n >= SCENARIO_NAMES.length ? Math.max(1, Math.floor(x)) : Math.floor(x)])) as Record<Scenario, number>;
  const byRemainder = [...exact].sort((a, b) => b.x - Math.floor(b.x) - (a.x - Math.floor(a.x)) || SCENARIOS[b.s].weight - SCENARIOS[a.s].weight);
  let total = SCENARIO_NAMES.reduce((sum, s) => sum + counts[s], 0);
  for (let i = 0; total < n; i++, total++) counts[byRemainder[i % byRemainder.length]!.s] += 1;
  const byWeight = [...SCENARIO_NAMES].sort((a, b) => SCENARIOS[b].weight - SCENARIOS[a].weight);
  for (let i = 0; total > n; i++) {
    const s = byWeight[i % byWeight.length]!;
    if (counts[s] > 1) {
      counts[s] -= 1;
      total -= 1;
    }
  }
  return counts;
}

const RATINGS_WHEN_CLOSED: readonly (Rating | undefined)[] = ['satisfied', 'satisfied', 'basically_satisfied', undefined, 'satisfied', 'basically_satisfied'];

/** The demo, decided before any request: `cases` complaints, their places, texts and walks. */
export function planDemo(o: { cases: number; seed: string | number; run: string; stations: Station[] }): PlannedCase[] {
  const r = seededRandom(o.seed);
  const counts = allocate(o.cases);
  const scenarios: Scenario[] = SCENARIO_NAMES.flatMap((s) => Array<Scenario>(counts[s]).fill(s));
  // Shuffled (Fisher–Yates), so a bar of progress shows every kind of case as it goes.
  for (let i = scenarios.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [scenarios[i], scenarios[j]] = [scenarios[j]!, scenarios[i]!];
  }
  // A duplicate repeats an earlier case: the first case is never one.
  const first = scenarios.findIndex((s) => s !== 'duplicate');
  if (first > 0) [scenarios[0], scenarios[first]] = [scenarios[first]!, scenarios[0]!];

  const seen: Partial<Record<Scenario, number>> = {};
  const plan: PlannedCase[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    const ordinal = (seen[scenario] = (seen[scenario] ?? -1) + 1);
    const spec: { media: readonly (MediaStatus | null)[]; late?: boolean } = SCENARIOS[scenario];
    const mediaPlan = spec.media[ordinal % spec.media.length]!;
    const externalId = `demo-${o.run}-${index + 1}`;

    if (scenario === 'duplicate') {
      const originals = plan.filter((p) => p.scenario !== 'duplicate');
      const original = pick(r, originals);
      // The same complaint again, by another channel or the same citizen once more.
      const channel: Channel = pick(r, ['hotline', 'xinmin', original.intake.channel]);
      plan.push({
        ...original,
        index,
        scenario,
        ordinal,
        media: channel === 'xinmin' ? 'none' : 'not_applicable',
        late: false,
        rating: undefined,
        duplicateOf: original.index,
        intake: { ...original.intake, channel, externalId, urgent: false, workstationId: KNOWS_STATION.has(channel) ? original.intake.workstationId : undefined },
      });
      continue;
    }

    const channel: Channel = mediaPlan ? 'xinmin' : weighted(r, OTHER_CHANNELS);
    const station = pick(r, o.stations);
    const where = addressNear(r, station);
    let category: Category = channel === 'property' ? 'illegal_construction' : channel === 'patrol' ? pick(r, PATROL_CATEGORIES) : weighted(r, CATEGORY_WEIGHTS as Record<Category, number>);
    let title: string;
    let text: string;
    let department: Department | undefined;
    let explanation: string | undefined;
    if (scenario === 'transferred') {
      const [t, d, dep] = pick(r, FOR_OTHERS);
      [title, text, department, category] = [t, d, dep, 'other'];
    } else if (scenario === 'explained') {
      const [t, d, e] = pick(r, EXPLAINED);
      [title, text, explanation, category] = [t, d, e, 'other'];
    } else {
      [title, text] = pick(r, COMPLAINTS[category]!);
      if (channel === 'patrol') text = `巡查发现：${text.replace(/希望.*$|，?担心.*$/, '')}`;
      if (channel === 'property') text = `物业双报告：${text}已同时报告区拆违办。`;
    }
    const late = Boolean(spec.late) && ordinal % 2 === 0;
    const otherStation = scenario === 'reassigned' ? otherStationFor(r, station, o.stations) : undefined;
    plan.push({
      index,
      scenario,
      ordinal,
      station,
      otherStation,
      category,
      department,
      explanation,
      media: mediaPlan ?? 'not_applicable',
      late,
      rating: ['closed_resolved', 'resolved_by_district', 'explained', 'transferred'].includes(scenario) ? RATINGS_WHEN_CLOSED[ordinal % RATINGS_WHEN_CLOSED.length] : undefined,
      intake: {
        channel,
        externalId,
        title,
        description: text.replaceAll('{place}', where.place),
        ...(KNOWS_CATEGORY.has(channel) && category !== 'other' ? { category } : {}),
        ...(late ? { urgent: true } : {}),
        location: { address: where.address, district: where.district, street: where.street },
        ...(KNOWS_STATION.has(channel) ? { workstationId: station.id } : {}),
        ...(channel === 'patrol' ? {} : { citizen: channel === 'property' ? { name: `${where.place.slice(-4)}物业服务中心`, phone: `02100000${String(index % 1000).padStart(3, '0')}` } : fakeCitizen(r) }),
        ...(r() < 0.35 ? { attachments: [{ url: `https://files.example/demo/${o.run}/${index + 1}.jpg`, name: `现场照片${index + 1}.jpg` }] } : {}),
      },
    });
  }
  return plan;
}

/** Another liaison point for a reassignment: in the same district when there is one with another squad. */
function otherStationFor(r: Random, s: Station, stations: Station[]): Station {
  const near = stations.filter((x) => x.districtId === s.districtId && x.squadId !== s.squadId);
  return pick(r, near.length > 0 ? near : stations.filter((x) => x.squadId !== s.squadId));
}

// ——— Keys: the actors of the demo ———

export interface DemoKeys {
  intake: Record<Channel, string>;
  /** The newspaper's desk (xinmin), the city's dispatch desk (hotline, open311), each district's desk. */
  xinminDesk: string;
  cityDesk: string;
  districtDesk: Record<string, string>;
  citySupervisor: string;
  districtSupervisor: Record<string, string>;
  squad: Record<string, { officer: string; supervisor: string }>;
  reporters: string[];
}

/** Issues (or finds) a key for one principal: createPrincipal straight in the database. */
export type IssueKey = (p: { label: string; role: Role; unitId: string; channel?: Channel }) => Promise<string>;

const CHANNEL_LIST: readonly Channel[] = ['xinmin', 'qr', 'hotline', 'property', 'patrol', 'walkin', 'open311'];

/** One intake key per channel, bound to it, at the city. */
export async function issueIntakeKeys(issue: IssueKey, cityId: string): Promise<Record<Channel, string>> {
  const keys = {} as Record<Channel, string>;
  for (const channel of CHANNEL_LIST) keys[channel] = await issue({ label: `demo intake (${channel})`, role: 'intake', unitId: cityId, channel });
  return keys;
}

/** The keys the plan's walks need: an officer and a supervisor of every squad involved, their districts', the desks, reporters. */
export async function issueDemoKeys(issue: IssueKey, cityId: string, plan: PlannedCase[]): Promise<DemoKeys> {
  const stations = plan.flatMap((p) => (p.otherStation ? [p.station, p.otherStation] : [p.station]));
  const squads = [...new Set(stations.map((s) => s.squadId))].sort();
  const districts = [...new Set(stations.map((s) => s.districtId))].sort();
  const keys: DemoKeys = {
    intake: await issueIntakeKeys(issue, cityId),
    xinminDesk: await issue({ label: 'demo desk (新民帮侬忙)', role: 'desk', unitId: cityId }),
    cityDesk: await issue({ label: 'demo desk (市局指挥中心)', role: 'desk', unitId: cityId }),
    citySupervisor: await issue({ label: 'demo supervisor (市局)', role: 'supervisor', unitId: cityId }),
    districtDesk: {},
    districtSupervisor: {},
    squad: {},
    reporters: [],
  };
  for (const d of districts) {
    keys.districtDesk[d] = await issue({ label: `demo desk (${d})`, role: 'desk', unitId: d });
    keys.districtSupervisor[d] = await issue({ label: `demo supervisor (${d})`, role: 'supervisor', unitId: d });
  }
  for (const s of squads) {
    keys.squad[s] = {
      officer: await issue({ label: `demo officer (${s})`, role: 'officer', unitId: s }),
      supervisor: await issue({ label: `demo supervisor (${s})`, role: 'supervisor', unitId: s }),
    };
  }
  for (const n of [1, 2, 3]) keys.reporters.push(await issue({ label: `demo reporter ${n}`, role: 'reporter', unitId: cityId }));
  return keys;
}

// ——— Walking the plan through the API ———

export interface DemoCaseResult {
  index: number;
  scenario: Scenario;
  id?: string;
  state?: string;
  outcome?: string;
  media?: string;
  overdue?: boolean;
  /** When the current stage is due. */
  deadlineAt?: string;
  /** An urgent case left waiting on purpose (PlannedCase.late). */
  late: boolean;
  reopenCount?: number;
  escalationLevel?: string;
  district: string;
  channel: Channel;
}

export interface DemoReport {
  cases: DemoCaseResult[];
  /** Answers the generator did not expect: each names the case, the request and what the API said. */
  problems: string[];
  /** How often the API asked to slow down (429): waited out, not problems. */
  throttled: number;
}

class StepFailed extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `task(i)` for i in [0, n), `concurrency` at a time, in order of i. */
async function inTurn(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < n; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, lane));
}

/** Walks every planned case; `onProgress` hears each case that is done (walked or failed). */
export async function runDemo(o: {
  api: DemoApi;
  plan: PlannedCase[];
  keys: DemoKeys;
  concurrency?: number;
  onProgress?: (done: number, failed: number) => void;
}): Promise<DemoReport> {
  const { api, plan, keys } = o;
  const report: DemoReport = { cases: [], problems: [], throttled: 0 };
  const filed = new Map<number, { resolve: (id: string) => void; reject: (e: Error) => void; promise: Promise<string> }>();
  for (const p of plan) {
    let resolve!: (id: string) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined);
    filed.set(p.index, { resolve, reject, promise });
  }
  let done = 0;
  let failed = 0;

  /** One request; a 429 or a 503 is waited out and tried again, anything else but `expect` is a problem. */
  const call = async (p: PlannedCase, method: 'GET' | 'POST', url: string, key: string | null, body: unknown, expect: number[]) => {
    for (let attempt = 1; ; attempt++) {
      const res = await api.request(method, url, key, body);
      if (res.status === 429 && attempt <= 30) {
        report.throttled += 1;
        await sleep(1000 * Math.min(Math.max(res.retryAfterSeconds ?? 5, 1), 60));
        continue;
      }
      if (res.status === 503 && attempt <= 5) {
        await sleep(1000 * attempt);
        continue;
      }
      if (!expect.includes(res.status)) {
        const what = (body as { type?: string } | undefined)?.type ?? '';
        report.problems.push(`case ${p.index + 1} (${p.scenario}): ${method} ${url} ${what} answered ${res.status}: ${res.json?.error ?? JSON.stringify(res.json)}`);
        throw new StepFailed();
      }
      return res.json;
    }
  };

  const walk = async (p: PlannedCase) => {
    const squad = keys.squad[p.station.squadId]!;
    const districtSupervisor = keys.districtSupervisor[p.station.districtId]!;
    const desk = p.intake.channel === 'xinmin' ? keys.xinminDesk : p.intake.workstationId ? keys.districtDesk[p.station.districtId]! : keys.cityDesk;
    const reporter = keys.reporters[p.index % keys.reporters.length]!;
    const intakeKey = keys.intake[p.intake.channel];

    let c = await call(p, 'POST', '/v1/cases', intakeKey, p.intake, [200, 201]);
    filed.get(p.index)!.resolve(c.id);
    const act = async (key: string, body: Record<string, unknown>) => (c = await call(p, 'POST', `/v1/cases/${c.id}/actions`, key, body, [200]));
    const rate = (rating: Rating, comment?: string) => call(p, 'POST', `/v1/track/${c.trackingCode}/rating`, null, { rating, ...(comment ? { comment } : {}) }, [200]);

    const dispatch = () => act(desk, { type: 'triage', decision: 'in_scope', category: p.category, workstationId: p.station.id, note: '属城管职责，派至属地中队' });
    const investigate = async () => {
      await dispatch();
      if (p.intake.channel === 'xinmin' && p.ordinal % 2 === 0) {
        await act(reporter, { type: 'media_join_request', note: '希望跟拍现场处置' });
        await act(squad.officer, { type: 'media_join_decision', approve: p.ordinal % 4 === 0, note: p.ordinal % 4 === 0 ? '同意跟拍' : '涉及居民隐私，不宜跟拍' });
      }
      await act(squad.officer, { type: 'accept' });
      await act(squad.officer, { type: 'arrive', note: '已到达现场' });
      await act(squad.officer, { type: 'record_evidence', note: '现场核实情况属实，已拍照取证', attachments: [{ url: `https://files.example/evidence/${c.id}.jpg`, name: '取证照片.jpg' }] });
    };
    const escalate = async () => {
      await investigate();
      await act(squad.officer, { type: 'escalate', reason: '涉及多个部门，中队层面无法当场解决，逐级上报' });
    };
    const reviewerAt = (level: string) => (level === 'city' ? keys.citySupervisor : level === 'district' ? districtSupervisor : squad.supervisor);
    /** Brings the newspaper's item to the planned status (or as far as the case's state allows). */
    const media = async (target: MediaStatus) => {
      if (target === 'not_applicable' || target === 'none') return;
      if (target === 'waived') {
        await act(desk, { type: 'media_waive', reason: '不做报道' });
        return;
      }
      await act(reporter, { type: 'media_draft', title: `帮侬忙：${p.intake.title}有了回音`, body: `市民反映${p.intake.title}，城管执法中队接报后赶赴现场处置。` });
      if (target === 'in_review') return;
      if (target === 'returned') {
        await act(squad.supervisor, { type: 'media_review', decision: 'return', comments: '请核实处置时间和涉及的门牌号' });
        return;
      }
      while (c.media.status === 'in_review') await act(reviewerAt(c.media.reviewLevel), { type: 'media_review', decision: 'approve' });
      if (target === 'published') await act(reporter, { type: 'media_publish', url: `https://xinmin.example/bangnong/${c.trackingCode}` });
    };
    const resolveOnSite = async () => {
      await investigate();
      await act(squad.officer, { type: 'resolve', result: '已当场责令整改，当事人已整改到位' });
    };
    const answer = (message: string, key = desk) => act(key, { type: 'feedback', message });
    const closeResolved = async () => {
      await resolveOnSite();
      await media(p.media);
      await answer('您反映的问题已处理完毕，感谢您对城管工作的支持。');
    };
    const rateIfPlanned = async () => {
      if (p.rating) await rate(p.rating, p.rating === 'satisfied' ? '处理及时，谢谢' : undefined);
    };

    switch (p.scenario) {
      case 'waiting_triage':
        if (p.ordinal % 3 === 1) await act(intakeKey, { type: 'supplement', text: '补充：情况仍在持续，晚上更严重。' });
        break;
      case 'joint_triage':
        await act(desk, { type: 'triage', decision: 'joint', workstationId: p.station.id, note: '是否属城管职责需与中队共同研判' });
        break;
      case 'dispatched':
        await dispatch();
        if (p.intake.channel === 'xinmin') await act(reporter, { type: 'media_join_request', note: '希望跟拍' });
        break;
      case 'reassigned':
        await dispatch();
        await act(p.otherStation!.districtId === p.station.districtId ? districtSupervisor : keys.citySupervisor, {
          type: 'reassign',
          workstationId: p.otherStation!.id,
          reason: '现场位于相邻街镇辖区，改派属地中队',
        });
        break;
      case 'investigating':
        await investigate();
        await media(p.media);
        break;
      case 'escalated_district':
        await escalate();
        await media(p.media);
        break;
      case 'escalated_city':
        await escalate();
        await act(districtSupervisor, { type: 'escalate', reason: '需市局协调相关委办局' });
        break;
      case 'returned_down':
        await escalate();
        await act(districtSupervisor, { type: 'return_down', instructions: '请中队联合街道再次上门，限期整改' });
        await act(squad.officer, { type: 'accept' });
        await act(squad.officer, { type: 'resolve', result: '联合街道再次上门，当事人已整改' });
        await answer('经区局协调，问题已整改。');
        break;
      case 'resolved_awaiting':
        await resolveOnSite();
        await media(p.media);
        break;
      case 'closed_resolved':
        await closeResolved();
        await rateIfPlanned();
        break;
      case 'resolved_by_district':
        await escalate();
        await act(districtSupervisor, { type: 'record_evidence', note: '区局会同街道现场核查' });
        await act(districtSupervisor, { type: 'resolve', result: '区局牵头联合执法，已拆除整改' });
        await media(p.media);
        await answer('经区局协调联合执法，问题已解决。');
        await rateIfPlanned();
        break;
      case 'transferred':
        await act(desk, { type: 'triage', decision: 'transfer', department: p.department, note: '不属城管职责' });
        // Some wait for their answer; the rest are answered (and the newspaper's item waived).
        if (p.ordinal % 3 === 2) break;
        await answer('您反映的问题不属于城管执法职责，已移送相关职能部门处理。');
        await media(p.media);
        await rateIfPlanned();
        break;
      case 'explained':
        await act(desk, { type: 'triage', decision: 'explain', explanation: p.explanation });
        await answer(p.explanation!);
        await media(p.media);
        await rateIfPlanned();
        break;
      case 'withdrawn':
        if (p.ordinal % 2 === 1) await dispatch();
        await act(intakeKey, { type: 'withdraw', reason: '问题已自行协商解决' });
        break;
      case 'duplicate': {
        const originalId = await filed.get(p.duplicateOf!)!.promise;
        await act(desk, { type: 'mark_duplicate', originalId });
        break;
      }
      case 'reopened':
      case 'unsatisfied':
        await closeResolved();
        await rate('unsatisfied', '问题依旧，没有彻底解决');
        if (p.scenario === 'unsatisfied') break;
        await act(squad.supervisor, { type: 'reopen', reason: '市民不满意，重新处置' });
        if (p.ordinal % 2 === 1) break;
        await act(squad.officer, { type: 'accept' });
        await act(squad.officer, { type: 'resolve', result: '再次上门，彻底整改到位' });
        await answer('再次处置后问题已彻底解决。');
        break;
    }
    return c.id as string;
  };

  const ids = new Map<number, string>();
  await inTurn(plan.length, o.concurrency ?? 8, async (i) => {
    const p = plan[i]!;
    try {
      ids.set(p.index, await walk(p));
    } catch (err) {
      filed.get(p.index)!.reject(err as Error);
      failed += 1;
      if (!(err instanceof StepFailed)) report.problems.push(`case ${p.index + 1} (${p.scenario}): ${err instanceof Error ? err.message : String(err)}`);
    }
    o.onProgress?.(++done, failed);
  });

  // Where each case stands now, as a reporter of the city reads it (masked: no audit entries).
  await inTurn(plan.length, o.concurrency ?? 8, async (i) => {
    const p = plan[i]!;
    const row: DemoCaseResult = { index: p.index, scenario: p.scenario, district: p.station.district, channel: p.intake.channel, late: p.late };
    const id = ids.get(p.index);
    if (id) {
      const c = await call(p, 'GET', `/v1/cases/${id}`, keys.reporters[i % keys.reporters.length]!, undefined, [200]).catch(() => undefined);
      if (c) Object.assign(row, { id, state: c.state, outcome: c.outcome, media: c.media?.status, overdue: c.overdue, deadlineAt: c.deadlineAt, reopenCount: c.reopenCount, escalationLevel: c.escalationLevel });
    }
    report.cases.push(row);
  });
  report.cases.sort((a, b) => a.index - b.index);
  return report;
}

/** Counts of the report's cases by a field, most first. */
export function tally(cases: DemoCaseResult[], field: (c: DemoCaseResult) => string | undefined): [string, number][] {
  const counts = new Map<string, number>();
  for (const c of cases) {
    const v = field(c);
    if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * The deadline policy with short clocks for urgent cases, so the demo's late cases (urgent, left waiting)
 * are overdue within minutes. A running stack keeps the policy it started with, and each case the policy
 * it was filed under: lateness comes from time, or from starting the stack with this policy.
 */
export function demoPolicy(base: Policy, short = { triage: '10m', acceptance: '15m' }): Policy {
  return { ...base, urgent: { ...base.urgent, triage: short.triage, acceptance: short.acceptance } } as Policy;
}
