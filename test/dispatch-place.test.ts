// The place gazetteer of smart dispatch (domain/dispatch/place.ts), over the seed's 100 liaison points with
// the ids db/seed.ts gives them (no database): the many ways a Shanghai address names a district, a street or
// town and a liaison point's compound; what it does with the location's hints, with ambiguity and with names
// too short or generic to trust; what the desk taught it; and the place key a learned address is kept by.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISTRICTS, readLiaisonPoints, squadId, workstationId } from '../db/seed.js';
import { seededOrganisation } from '../dev/dispatch-org.js';
import { Gazetteer, type GazetteerInput, PLACE_CONFIDENCE, compoundNames, placeKey } from '../domain/dispatch/place.js';
import { REPO_ROOT } from '../platform/config.js';

const points = readLiaisonPoints();
const org = seededOrganisation(points);
const gazetteer = new Gazetteer(org);
const districtId = (name: string) => DISTRICTS.find((d) => d.name === name)!.id;
const squad = (district: string, street: string) => squadId(districtId(district), street);
const station = (site: string) => workstationId(points.find((p) => p.site === site)!.fullName);
const locate = (address: string, hints: { district?: string; street?: string } = {}) => gazetteer.locate({ address, ...hints });

const QIBAO = squad('闵行区', '七宝镇');
const JIANGCHUAN = squad('闵行区', '江川路街道');
const LINFEN_380 = station('临汾路380弄居委城管执法社区工作室');

describe('districts', () => {
  it('When the address names only a district, in any of its forms, then the district bureau is suggested at 0.4', () => {
    for (const address of ['宝山区某某路88号', '上海市宝山区某某路88号', '上海宝山区某某路88号', '上海宝山某某路88号', '宝山某某路88号', '中国上海市宝山区 某某路 88 号']) {
      expect(locate(address), address).toMatchObject({ level: 'district', districtId: '310113', confidence: PLACE_CONFIDENCE.district });
      expect(locate(address).squadId).toBeUndefined();
    }
    expect(locate('宝山区某某路88号').reasons).toEqual([{ about: 'place', kind: 'district', text: '宝山区', target: '310113' }]);
  });

  it('When the address uses a former district (闸北区, 卢湾区, 南汇区) or 浦东 for 浦东新区, then the district of today is suggested', () => {
    expect(locate('闸北区某某路1号')).toMatchObject({ level: 'district', districtId: districtId('静安区') });
    expect(locate('卢湾区某某路1号')).toMatchObject({ level: 'district', districtId: districtId('黄浦区') });
    expect(locate('南汇区某某路1号')).toMatchObject({ level: 'district', districtId: districtId('浦东新区') });
    expect(locate('上海浦东某某路1号')).toMatchObject({ level: 'district', districtId: districtId('浦东新区') });
  });

  it('When a district\'s short name heads a road (宝山路, 奉贤路, 青浦路), then it is a road, not the district', () => {
    for (const address of ['宝山路100号', '奉贤路20号', '青浦路3号', '黄浦路99号']) expect(locate(address), address).toMatchObject({ level: 'none', confidence: 0 });
  });

  it('When the address names nothing known, then nothing is suggested, with confidence 0 and no reasons', () => {
    for (const address of ['我家楼下', '小区门口', '', '某某路1号']) expect(locate(address)).toEqual({ level: 'none', confidence: 0, reasons: [] });
  });
});

describe('streets and towns', () => {
  it('When the address names a seeded town with its district, in full or short, then that squad is suggested at 0.9', () => {
    for (const address of ['闵行区七宝镇漕宝路1500弄', '上海市闵行区七宝镇漕宝路1500弄', '闵行七宝漕宝路', '闵行区七宝漕宝路１５００弄', '闵行区 七宝镇']) {
      const m = locate(address);
      expect(m, address).toMatchObject({ level: 'street', squadId: QIBAO, districtId: '310112', confidence: PLACE_CONFIDENCE.streetWithDistrict });
    }
    expect(locate('闵行七宝漕宝路').reasons).toEqual([
      { about: 'place', kind: 'district', text: '闵行', target: '310112' },
      { about: 'place', kind: 'street', text: '七宝', target: QIBAO },
    ]);
  });

  it('When a town is named without its district and is unique in the city, then its squad is suggested at 0.8', () => {
    expect(locate('七宝镇漕宝路1500弄')).toMatchObject({ level: 'street', squadId: QIBAO, districtId: '310112', confidence: PLACE_CONFIDENCE.street });
    expect(locate('七宝漕宝路')).toMatchObject({ level: 'street', squadId: QIBAO });
    expect(locate('泗泾镇某某路1号')).toMatchObject({ level: 'street', squadId: squad('松江区', '泗泾镇') });
  });

  it('When a street is written without 街道 (江川路) or another way (江湾街道 for 江湾镇街道, 川沙镇 for 川沙新镇), then its squad is suggested', () => {
    expect(locate('闵行区江川路街道某某路1号')).toMatchObject({ level: 'street', squadId: JIANGCHUAN });
    expect(locate('闵行区江川路100号')).toMatchObject({ level: 'street', squadId: JIANGCHUAN, confidence: PLACE_CONFIDENCE.streetWithDistrict });
    expect(locate('江川路100号')).toMatchObject({ level: 'street', squadId: JIANGCHUAN, confidence: PLACE_CONFIDENCE.street });
    expect(locate('虹口区江湾街道某某路1号')).toMatchObject({ level: 'street', squadId: squad('虹口区', '江湾镇街道') });
    expect(locate('浦东新区川沙镇某某路1号')).toMatchObject({ level: 'street', squadId: squad('浦东新区', '川沙新镇') });
  });

  it('When a town\'s short name heads a road or sits inside another name, then it is not the town', () => {
    // 梅陇路 lies in 徐汇区, not in 闵行区梅陇镇; 七宝 inside a compound's name in the middle of the address is not the town.
    expect(locate('梅陇路100号')).toMatchObject({ level: 'none' });
    expect(locate('徐汇区梅陇路100号')).toMatchObject({ level: 'district', districtId: districtId('徐汇区') });
    expect(locate('某某路新七宝花园')).toMatchObject({ level: 'none' });
  });

  it('When the district contradicts the town, then the town is not believed and the district stands', () => {
    expect(locate('浦东新区七宝镇某某路1号')).toMatchObject({ level: 'district', districtId: districtId('浦东新区') });
    expect(locate('浦东新区七宝镇某某路1号').squadId).toBeUndefined();
  });
});

describe('liaison points', () => {
  it('When the address contains a liaison point\'s compound, written with full-width digits, 號, spaces or Chinese numerals, then that workstation and its squad are suggested at 0.95', () => {
    const linfen = { level: 'liaison_point', workstationId: LINFEN_380, squadId: squad('静安区', '临汾街道'), districtId: districtId('静安区'), confidence: PLACE_CONFIDENCE.liaisonPoint };
    for (const address of ['临汾路380弄', '上海市静安区临汾路３８０弄１２号', '静安区临汾路 380 弄 12 號 301室', '临汾路三百八十弄', '闸北区临汾路380弄5号']) {
      expect(locate(address), address).toMatchObject(linfen);
    }
    expect(locate('临汾路380弄').reasons).toEqual([{ about: 'place', kind: 'liaison_point', text: '临汾路380弄', target: LINFEN_380 }]);
    const changzhong = station('场中路 2601 弄居委城管执法社区工作室');
    expect(locate('场中路2601弄10号')).toMatchObject({ level: 'liaison_point', workstationId: changzhong });
    expect(locate('场中路二千六百零一弄')).toMatchObject({ workstationId: changzhong });
  });

  it('When the liaison point is named by its compound (美邻苑, 天山二村, 馨越河湾), then its workstation is suggested, with the district and street that agree among the reasons', () => {
    expect(locate('美邻苑3号楼')).toMatchObject({ level: 'liaison_point', workstationId: station('美邻苑居委城管执法社区工作室'), squadId: squad('闵行区', '华漕镇') });
    expect(locate('长宁区天山二村12号')).toMatchObject({ workstationId: station('天山二村居委城管执法社区工作室') });
    expect(locate('普陀区长征镇馨越河湾小区')).toMatchObject({ workstationId: station('馨越河湾社区居委城管执法社区工作室') });
    expect(locate('月浦八村5号')).toMatchObject({ workstationId: station('月浦八村居委城管执法社区工作室'), squadId: squad('宝山区', '月浦镇') });
    const reasons = locate('浦东新区老港镇宏港苑').reasons;
    expect(reasons.map((r) => [r.kind, r.text])).toEqual([['district', '浦东新区'], ['street', '老港镇'], ['liaison_point', '宏港苑']]);
  });

  it('When a site is named, then its compound is the site without 居委/村委/社区/城管执法社区工作室 (and spaces)', () => {
    expect(compoundNames('临汾路380弄居委城管执法社区工作室')).toEqual(['临汾路380弄']);
    expect(compoundNames('场中路 2601 弄居委城管执法社区工作室')).toEqual(['场中路2601弄']);
    expect(compoundNames('控江路 645 弄居委城管执法工作室')).toEqual(['控江路645弄']);
    expect(compoundNames('天山二村居委城管执法社区工作室')).toEqual(['天山二村']);
    expect(compoundNames('蔡路村村委城管执法社区工作室')).toEqual(['蔡路村']);
    expect(compoundNames('馨越河湾社区居委城管执法社区工作室')).toEqual(['馨越河湾社区', '馨越河湾']);
    expect(compoundNames('逸仙一村第一居委城管执法社区工作室')).toEqual(['逸仙一村第一', '逸仙一村']);
    expect(compoundNames('北片区城管执法社区工作站')).toEqual(['北片区']);
  });

  it('When a short or generic name (友谊, 市民, 北片区, 康城) appears without its district or street agreeing, then no liaison point is suggested', () => {
    expect(locate('友谊居委')).toMatchObject({ level: 'none' });
    expect(locate('北片区')).toMatchObject({ level: 'none' });
    expect(locate('康城')).toMatchObject({ level: 'none' });
    // 市民 in 黄浦区's 市民大道 is not 市民居委: the district agrees, but no compound's word follows.
    expect(locate('黄浦区市民大道1号')).toMatchObject({ level: 'district' });
    // With the street (or the district and 居委) agreeing, it is.
    expect(locate('闵行区浦江镇北片区')).toMatchObject({ level: 'liaison_point', workstationId: station('北片区城管执法社区工作站'), confidence: PLACE_CONFIDENCE.weakLiaisonPoint });
    expect(locate('莘庄康城')).toMatchObject({ level: 'liaison_point', workstationId: station('康城城管执法社区工作站') });
    expect(locate('长宁区友谊居委')).toMatchObject({ level: 'liaison_point', workstationId: station('友谊居委城管执法社区工作室') });
    expect(locate('黄浦区市民居委')).toMatchObject({ level: 'liaison_point', workstationId: station('市民居委城管执法社区工作室') });
  });

  it('When a compound\'s name is also its town\'s (老港居委 in 老港镇), then the town\'s mention is not taken for the compound', () => {
    expect(locate('浦东新区老港镇某某路1号')).toMatchObject({ level: 'street', squadId: squad('浦东新区', '老港镇') });
    expect(locate('浦东新区老港镇老港居委')).toMatchObject({ level: 'liaison_point', workstationId: station('老港居委城管执法社区工作室') });
    expect(locate('奉贤区青村镇某某路1号')).toMatchObject({ level: 'street', squadId: squad('奉贤区', '青村镇') });
  });

  it('When the address names a liaison point of another district, then the liaison point is not believed', () => {
    expect(locate('浦东新区临汾路380弄')).toMatchObject({ level: 'district', districtId: districtId('浦东新区') });
  });

  it('When one compound name belongs to several workstations, then the street tells them apart, and without it no workstation is guessed', () => {
    const input: GazetteerInput = {
      ...org,
      workstations: [...org.workstations, { id: 'ws-twin', squadId: squad('宝山区', '顾村镇'), name: '美邻苑居委城管执法社区工作室', fullName: '宝山区顾村镇美邻苑居委城管执法社区工作室' }],
    };
    const twins = new Gazetteer(input);
    expect(twins.locate({ address: '美邻苑3号楼' })).toMatchObject({ level: 'none' });
    expect(twins.locate({ address: '宝山区美邻苑3号楼' })).toMatchObject({ level: 'liaison_point', workstationId: 'ws-twin' });
    expect(twins.locate({ address: '华漕美邻苑3号楼' })).toMatchObject({ level: 'liaison_point', workstationId: station('美邻苑居委城管执法社区工作室') });
  });

  it('When a compound\'s name and its shorter form both match, then the longer name is the reason', () => {
    // 逸仙一村第一 (the committee) is longer than 逸仙一村.
    expect(locate('宝山区逸仙一村第一居委')).toMatchObject({ workstationId: station('逸仙一村第一居委城管执法社区工作室'), reasons: expect.arrayContaining([expect.objectContaining({ kind: 'liaison_point', text: '逸仙一村第一' })]) });
  });

  it('When every seeded liaison point\'s full name is the address, then it is placed at its own workstation', () => {
    for (const p of points) expect(locate(p.fullName).workstationId, p.fullName).toBe(workstationId(p.fullName));
  });
});

describe('hints', () => {
  it('When the location\'s district and street as filed name a known place, then they are trusted, and the address\'s compound is sought inside them', () => {
    expect(locate('某某路1号', { district: '闵行区', street: '七宝镇' })).toMatchObject({ level: 'street', squadId: QIBAO, confidence: PLACE_CONFIDENCE.streetWithDistrict });
    expect(locate('某某路1号', { district: '闵行', street: '七宝' })).toMatchObject({ level: 'street', squadId: QIBAO });
    expect(locate('某某路1号', { district: '宝山区' })).toMatchObject({ level: 'district', districtId: '310113' });
    expect(locate('友谊居委', { district: '长宁区', street: '天山路街道' })).toMatchObject({ level: 'liaison_point', workstationId: station('友谊居委城管执法社区工作室') });
    expect(locate('某某路1号', { district: '闵行区', street: '七宝镇' }).reasons).toEqual([
      { about: 'place', kind: 'district', text: '闵行区', target: '310112' },
      { about: 'place', kind: 'street', text: '七宝镇', target: QIBAO },
    ]);
  });

  it('When a hint names nothing known, then the address decides', () => {
    expect(locate('闵行区七宝镇某某路1号', { district: '火星区', street: '某某街道' })).toMatchObject({ level: 'street', squadId: QIBAO });
  });
});

describe('learned places', () => {
  const learnedAt = (support: number, ws = station('三营房居委城管执法社区工作室')) =>
    new Gazetteer({ ...org, learned: [{ key: placeKey({ address: '闵行区七宝镇漕宝路1500弄' })!, workstationId: ws, support }] });

  it('When the desk has sent an address to one workstation at least twice, then the same compound (any room) is suggested there, as learned_place at 0.9', () => {
    const g = learnedAt(3);
    const m = g.locate({ address: '上海市闵行区七宝漕宝路１５００弄3号101室' });
    expect(m).toMatchObject({ level: 'liaison_point', workstationId: station('三营房居委城管执法社区工作室'), squadId: squad('宝山区', '吴淞街道'), confidence: PLACE_CONFIDENCE.learnedPlace });
    expect(m.reasons).toEqual([{ about: 'place', kind: 'learned_place', text: '上海市闵行区七宝漕宝路１５００弄3号101室', target: station('三营房居委城管执法社区工作室') }]);
    // Another compound on the same road is not learned.
    expect(g.locate({ address: '闵行区七宝镇漕宝路1501弄' })).toMatchObject({ level: 'street', squadId: QIBAO });
  });

  it('When the desk has sent it only once, or to a workstation that no longer exists, then nothing is learned', () => {
    expect(learnedAt(1).locate({ address: '闵行区七宝镇漕宝路1500弄' })).toMatchObject({ level: 'street' });
    expect(learnedAt(5, 'ws-gone').locate({ address: '闵行区七宝镇漕宝路1500弄' })).toMatchObject({ level: 'street' });
  });
});

describe('coordinates', () => {
  it('When the location carries coordinates, then they are accepted but place nothing by themselves (the organisation has none)', () => {
    expect(gazetteer.locate({ address: '我家楼下', lat: 31.16, lng: 121.35 })).toMatchObject({ level: 'none', confidence: 0 });
    expect(gazetteer.locate({ address: '临汾路380弄', lat: 31.16, lng: 121.35 })).toMatchObject({ workstationId: LINFEN_380 });
  });
});

describe('placeKey', () => {
  it('When one compound is written many ways, rooms and buildings included, then its key is the same', () => {
    const key = '闵行区|漕宝路|1500弄';
    for (const address of ['闵行区七宝镇漕宝路1500弄', '上海市闵行区七宝镇漕宝路1500弄3号101室', '闵行七宝漕宝路１５００弄', '闵行区漕宝路1500弄12号楼', '闵行区 漕宝路 1500 弄（近地铁站）', '闵行区漕宝路一千五百弄']) {
      expect(placeKey({ address }), address).toBe(key);
    }
    expect(placeKey({ address: '漕宝路1500弄3号', district: '闵行区' })).toBe(key);
    expect(placeKey({ address: '上海市静安区临汾路３８０弄１２号' })).toBe(placeKey({ address: '闸北区临汾路380弄5号301室' }));
  });

  it('When the compound differs (another lane, another road, another district), then so does the key', () => {
    const key = placeKey({ address: '闵行区漕宝路1500弄' });
    expect(placeKey({ address: '闵行区漕宝路1501弄' })).not.toBe(key);
    expect(placeKey({ address: '徐汇区漕宝路1500弄' })).not.toBe(key);
    expect(placeKey({ address: '南京东路100号' })).not.toBe(placeKey({ address: '北京东路100号' }));
  });

  it('When there is no lane, then the house number is the compound; without a road a named compound stands in', () => {
    expect(placeKey({ address: '宝山区某某路88号5号楼' })).toBe('宝山区|某某路|88号');
    expect(placeKey({ address: '闵行区华漕镇美邻苑3号楼1201室' })).toBe(placeKey({ address: '闵行区美邻苑' }));
  });

  it('When the address is too vague (no number, no compound), then there is no key', () => {
    for (const address of ['我家楼下', '闵行七宝漕宝路', '闵行区', '']) expect(placeKey({ address }), address).toBeUndefined();
  });
});

describe('scale', () => {
  it('When the organisation has 6,000 workstations, then the gazetteer builds in well under a second and places an address in well under a millisecond', () => {
    let t = performance.now();
    const city = new Gazetteer(seededOrganisation(points, { scaleTo: 6_000 }));
    expect(performance.now() - t).toBeLessThan(1_000);
    const addresses = ['上海市闵行区七宝镇漕宝路1500弄3号楼1201室（近地铁站）', '临汾路380弄12号', '我家楼下', '浦东新区老港镇老港居委'];
    for (let i = 0; i < 200; i++) for (const a of addresses) city.locate({ address: a });
    t = performance.now();
    const n = 2_000;
    for (let i = 0; i < n; i++) city.locate({ address: addresses[i % addresses.length]! });
    expect((performance.now() - t) / n).toBeLessThan(0.5);
    expect(city.locate({ address: '临汾路380弄12号' }).workstationId).toBe(LINFEN_380);
  });
});

describe('the held-out complaints', () => {
  interface HeldOut {
    id: string;
    location: { address: string; district?: string; street?: string };
    expected: { place: string; district: string | null; street: string | null; site: string | null };
  }
  const set = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'dispatch', 'held-out.json'), 'utf8')) as HeldOut[];

  it('When the 40 held-out complaints are placed, then each lands at the level, district, squad and workstation its label says', () => {
    expect(set).toHaveLength(40);
    const misses = set.flatMap((l) => {
      const m = gazetteer.locate(l.location);
      const e = l.expected;
      const want = {
        level: e.place,
        districtId: e.district ? districtId(e.district) : undefined,
        squadId: e.district && e.street ? squad(e.district, e.street) : undefined,
        workstationId: e.site ? station(e.site) : undefined,
      };
      const got = { level: m.level, districtId: m.districtId, squadId: m.squadId, workstationId: m.workstationId };
      return JSON.stringify(got) === JSON.stringify(want) ? [] : [`${l.id} ${l.location.address}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`];
    });
    expect(misses).toEqual([]);
  });
});
