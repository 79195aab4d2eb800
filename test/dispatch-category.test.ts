// Smart dispatch's category model (domain/dispatch/category.ts) and its policy file (platform/dispatch-policy.ts,
// policy/dispatch.json): the loader refuses a wrong file naming what is wrong; the model picks the category of
// typical complaints, says which phrases decided, counts the title double and a phrase inside a longer one
// once, lets negatives and contexts undo a misleading word; retraining learns what the desk keeps deciding
// and nothing from a one-off; and on the labelled set (test/fixtures/dispatch/labelled.json) the category is
// right at least 85 % of the time. No database.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLiaisonPoints } from '../db/seed.js';
import { CATEGORIES, type Category } from '../domain/case.js';
import { CategoryModel, type PhrasePolicy, learnPhrases, normaliseText } from '../domain/dispatch/category.js';
import { REPO_ROOT } from '../platform/config.js';
import { loadDispatchPolicy, parseDispatchPolicy } from '../platform/dispatch-policy.js';

const policy = loadDispatchPolicy();
const model = new CategoryModel(policy);
const classify = (title: string, description = '') => model.classify({ title, description });

/** A policy of a few phrases, for the arithmetic of scores. */
function tiny(categories: Partial<Record<Category, Record<string, number>>>, rest: Partial<PhrasePolicy> = {}): PhrasePolicy {
  return { categories: { ...(Object.fromEntries(CATEGORIES.map((c) => [c, {}])) as PhrasePolicy['categories']), ...categories }, ...rest };
}

describe('the dispatch policy file', () => {
  const good = JSON.parse(readFileSync(path.join(REPO_ROOT, 'policy', 'dispatch.json'), 'utf8')) as Record<string, unknown> & { categories: Record<string, Record<string, number>> };
  const parse = (value: unknown) => () => parseDispatchPolicy(JSON.stringify(value), 'dispatch.json');

  it('When the shipped file is read, then it carries its version, weighs phrases for every category and leaves auto-dispatch off', () => {
    expect(policy.version).toBe('2026-11-23.1');
    for (const c of CATEGORIES) expect(Object.keys(policy.categories[c]).length, c).toBeGreaterThan(0);
    expect(policy.autoDispatch).toEqual({ threshold: 0.9, channels: [] });
    expect(policy).not.toHaveProperty('$comment');
  });

  it('When autoDispatch and the scoring figures are left out, then the defaults apply', () => {
    const { autoDispatch: _a, titleWeight: _t, minScore: _m, confidenceHalf: _h, ...bare } = good;
    const p = parseDispatchPolicy(JSON.stringify(bare), 'dispatch.json');
    expect(p).toMatchObject({ autoDispatch: { threshold: 0.9, channels: [] }, titleWeight: 2, minScore: 1, confidenceHalf: 1.5, contexts: {}, negatives: {} });
  });

  it('When the file has a key the policy does not know, then it is refused naming the file and the key', () => {
    expect(parse({ ...good, treshold: 0.9 })).toThrow(/dispatch\.json is not valid:[\s\S]*treshold/);
    expect(parse({ ...good, autoDispatch: { threshold: 0.9, channels: [], chanels: ['qr'] } })).toThrow(/autoDispatch[\s\S]*chanels/);
  });

  it('When a category is unknown, or one is left out, then the file is refused naming it', () => {
    expect(parse({ ...good, categories: { ...good.categories, noise: { 噪音: 2 } } })).toThrow(/categories[\s\S]*noise/);
    const { other: _other, ...without } = good.categories;
    expect(parse({ ...good, categories: without })).toThrow(/categories\.other/);
    expect(parse({ ...good, negatives: { noise: { 广场舞: 2 } } })).toThrow(/negatives[\s\S]*"noise"/);
  });

  it('When a weight is negative, zero or not a number, then the file is refused naming the phrase', () => {
    const withWeight = (w: unknown) => ({ ...good, categories: { ...good.categories, cooking_fumes: { ...good.categories.cooking_fumes, 油烟: w } } });
    expect(parse(withWeight(-2))).toThrow(/categories\.cooking_fumes\.油烟: a weight is above 0/);
    expect(parse(withWeight(0))).toThrow(/categories\.cooking_fumes\.油烟/);
    expect(parse(withWeight('5'))).toThrow(/categories\.cooking_fumes\.油烟: a weight is a number/);
    expect(parse({ ...good, negatives: { night_construction_noise: { 广场舞: -1 } } })).toThrow(/negatives\.night_construction_noise\.广场舞/);
  });

  it('When a context names a phrase its category does not weigh, or a channel is unknown, then the file is refused', () => {
    expect(parse({ ...good, contexts: { night_construction_noise: { 吵闹: ['施工'] } } })).toThrow(/contexts\.night_construction_noise\.吵闹: "吵闹" is not a phrase of categories\.night_construction_noise/);
    expect(parse({ ...good, autoDispatch: { threshold: 0.9, channels: ['fax'] } })).toThrow(/autoDispatch\.channels\.0/);
    expect(parse({ ...good, autoDispatch: { threshold: 1.5, channels: [] } })).toThrow(/autoDispatch\.threshold/);
  });

  it('When the file is not JSON or cannot be read, then the error says so with its path', () => {
    expect(() => parseDispatchPolicy('{', 'dispatch.json')).toThrow(/dispatch policy dispatch\.json is not JSON/);
    expect(() => loadDispatchPolicy('/nonexistent/dispatch.json')).toThrow(/cannot read the dispatch policy at \/nonexistent\/dispatch\.json/);
  });
});

describe('CategoryModel', () => {
  // Typical sentences of each category, written for this test (not taken from the labelled set).
  const typical: Array<[Category, string, string]> = [
    ['illegal_construction', '隔壁违章搭建', '邻居在自家平台上搭了一间彩钢板房，还在继续加盖。'],
    ['load_bearing_damage', '装修拆承重墙', '楼上装修把承重墙拆掉了，我家墙上出现了裂缝。'],
    ['change_of_use', '住宅改成足浴店', '楼下的住宅被改成足浴店营业，居改非。'],
    ['facade_damage', '外立面被改', '底楼商户破墙开门，外立面全变了样。'],
    ['illegal_renting', '楼上群租', '楼上一套房子隔成了七八间，放了上下铺，住了很多人。'],
    ['green_space_damage', '绿地被毁', '小区绿化带被人铲掉种菜。'],
    ['property_management', '物业不作为', '向物业公司反映了多次，物业一直推诿，不管不问。'],
    ['night_construction_noise', '夜间施工噪音', '工地每天夜里打桩，吵得睡不着。'],
    ['cooking_fumes', '饭店油烟', '楼下饭店的油烟直排，窗户都不能开。'],
    ['street_vending', '占道经营', '路口有小贩摆摊卖水果，占道经营。'],
    ['construction_waste', '渣土车撒漏', '渣土车没有密闭，沿路撒漏泥土。'],
    ['outdoor_advertising', '广告牌要掉下来了', '商场门口的户外广告牌松动，风一吹就晃。'],
    ['waste_sorting', '垃圾不分类', '小区居民不分类投放，湿垃圾干垃圾混在一起。'],
    ['other', '共享单车乱停', '地铁口的共享单车乱停，把盲道都堵了。'],
  ];

  it.each(typical)('When a complaint is typical of %s, then the model picks it, with a confidence above 0.5', (category, title, description) => {
    const m = classify(title, description);
    expect(m.category).toBe(category);
    expect(m.confidence).toBeGreaterThan(0.5);
  });

  it('When a complaint scores, then its reasons are the phrases that decided, with their policy weights, largest contribution first', () => {
    const m = classify('楼下饭店油烟直排', '饭店的油烟没有净化就排出来了。');
    expect(m.category).toBe('cooking_fumes');
    expect(m.reasons[0]).toEqual({ about: 'category', kind: 'phrase', text: '油烟', target: 'cooking_fumes', weight: 5 });
    expect(m.reasons.map((r) => r.text)).toEqual(['油烟', '直排', '饭店']);
    expect(m.reasons.every((r) => r.target === 'cooking_fumes')).toBe(true);
  });

  it('When the same phrase is in the title rather than the description, then it counts titleWeight times as much', () => {
    const p = tiny({ cooking_fumes: { 油烟: 3 }, street_vending: { 摆摊: 4 } });
    const m = new CategoryModel(p);
    // Title 油烟 (3 × 2 = 6) against description 摆摊 (4 × 1 = 4): the title wins …
    expect(m.classify({ title: '油烟', description: '门口还有人摆摊' })).toMatchObject({ category: 'cooking_fumes', runnerUp: 'street_vending', confidence: (6 - 4) / (6 + 1.5) });
    // … and the other way round, the same words lose.
    expect(m.classify({ title: '摆摊', description: '还有油烟' })).toMatchObject({ category: 'street_vending', confidence: (8 - 3) / (8 + 1.5) });
    // In both: 3 × 2 + 3; a phrase repeated in one field counts once.
    expect(m.classify({ title: '油烟', description: '油烟油烟油烟' }).confidence).toBeCloseTo(9 / 10.5);
    expect(new CategoryModel({ ...p, titleWeight: 1 }).classify({ title: '油烟', description: '门口还有人摆摊' }).category).toBe('street_vending');
  });

  it('When a phrase lies inside a longer matched phrase, then only the longer counts', () => {
    const m = classify('渣土车', '');
    expect(m.reasons.map((r) => r.text)).toEqual(['渣土车']);
    // 小广告 is 乱张贴 (other), and its 广告 is not counted for outdoor advertising too.
    const ads = classify('楼道里贴满小广告', '');
    expect(ads.category).toBe('other');
    expect(ads.runnerUp).toBeUndefined();
    // 装修垃圾 is construction waste, whatever 垃圾 and 装修 might say alone.
    expect(classify('装修垃圾堆在门口', '').category).toBe('construction_waste');
  });

  it('When 噪音 comes with 施工 or 工地, then it is night construction noise; alone, or with 广场舞 or 音响, it is other', () => {
    expect(classify('噪音扰民', '旁边工地的噪音太大了').category).toBe('night_construction_noise');
    // Noise that is not a construction's (a neighbour, a shop) is not ours to dispatch by category: other.
    const plain = classify('噪音扰民', '楼下每天都有噪音');
    expect(plain).toMatchObject({ category: 'other', reasons: [expect.objectContaining({ text: '噪音', target: 'other' })] });
    expect(plain.runnerUp).toBeUndefined();
    const dance = classify('广场舞噪音扰民', '每天晚上广场舞音响开得很大，工地施工都没这么吵。');
    expect(dance.category).toBe('other');
    expect(dance.reasons.map((r) => r.text)).toContain('广场舞');
    // A negative takes its weight off its category, in the title twice as much, as a phrase adds.
    const p = tiny({ night_construction_noise: { 施工: 3 } }, { negatives: { night_construction_noise: { 广场舞: 2 } } });
    expect(new CategoryModel(p).classify({ title: '施工', description: '' }).category).toBe('night_construction_noise');
    expect(new CategoryModel(p).classify({ title: '施工', description: '广场舞' })).toMatchObject({ category: 'night_construction_noise', confidence: (6 - 2) / (4 + 1.5) });
    expect(new CategoryModel(p).classify({ title: '广场舞', description: '施工' })).toEqual({ category: 'other', confidence: 0, reasons: [] });
  });

  it('When no phrase matches, then the category is other with confidence 0 and no reasons', () => {
    expect(classify('请联系我', '有事情想反映一下。')).toEqual({ category: 'other', confidence: 0, reasons: [] });
  });

  it('When two problems are mixed, then the stronger wins with a lower confidence than either alone, and the other is the runner-up', () => {
    const mixed = classify('楼上群租', '楼上隔成了好多间出租，还有人在楼道里炒菜，油烟很大。');
    expect(mixed).toMatchObject({ category: 'illegal_renting', runnerUp: 'cooking_fumes' });
    expect(mixed.confidence).toBeLessThan(classify('楼上群租', '楼上隔成了好多间出租。').confidence);
  });

  it('When the text is typed full-width, then it matches as half-width', () => {
    expect(normaliseText('ＬＥＤ屏　太亮')).toBe('led屏 太亮');
    expect(classify('ＬＥＤ大屏', '路口的ＬＥＤ广告').category).toBe('outdoor_advertising');
  });

  it('When the desk taught a phrase, then it scores as a learned_phrase; one the policy weighs already is left to the policy', () => {
    const learned = new CategoryModel(policy, [
      { category: 'property_management', phrase: '堆物', weight: 2.5, support: 6 },
      { category: 'cooking_fumes', phrase: '油烟', weight: 1, support: 9 },
    ]);
    const m = learned.classify({ title: '楼道堆物', description: '楼道里堆物很多，没人管。' });
    expect(m.category).toBe('property_management');
    expect(m.reasons).toContainEqual({ about: 'category', kind: 'learned_phrase', text: '堆物', target: 'property_management', weight: 2.5 });
    expect(classify('楼道堆物', '楼道里堆物很多，没人管。').category).toBe('other');
    const fumes = learned.classify({ title: '油烟', description: '' });
    expect(fumes.reasons).toEqual([{ about: 'category', kind: 'phrase', text: '油烟', target: 'cooking_fumes', weight: 5 }]);
  });

  it('When a long complaint is classified, then it takes well under a millisecond', () => {
    const long = { title: '楼上群租还在楼道里烧饭', description: '我们这幢楼303室被二房东租下来，隔成了十来个小间，住了二十几个人，有人在楼道里放煤气罐烧饭，油烟味熏得整个楼道都是。'.repeat(8) };
    for (let i = 0; i < 200; i++) model.classify(long);
    const t = performance.now();
    for (let i = 0; i < 1000; i++) model.classify(long);
    expect((performance.now() - t) / 1000).toBeLessThan(0.5);
  });
});

describe('learnPhrases', () => {
  const background: Array<{ text: string; category: Category }> = [
    { text: '楼下饭店油烟很大', category: 'cooking_fumes' },
    { text: '路口有人摆摊卖水果', category: 'street_vending' },
    { text: '小区里有人违章搭建', category: 'illegal_construction' },
    { text: '楼道里有人乱扔垃圾，没人管', category: 'waste_sorting' },
    { text: '工地夜间施工太吵', category: 'night_construction_noise' },
    { text: '楼道灯坏了没人修', category: 'other' },
  ];
  const taught = [
    { text: '楼道里堆物严重，物业也不来清理', category: 'property_management' as const },
    { text: '消防通道被邻居堆物占用', category: 'property_management' as const },
    { text: '楼梯口长期堆物，老人上下楼不方便', category: 'property_management' as const },
    { text: '走廊堆物挡住了电表箱', category: 'property_management' as const },
  ];

  it('When the desk keeps deciding one category for complaints that share a phrase, then that phrase is learned for it, with its support', () => {
    const learned = learnPhrases([...background, ...taught], policy);
    const heap = learned.find((l) => l.phrase === '堆物');
    expect(heap).toMatchObject({ category: 'property_management', support: 4 });
    expect(heap!.weight).toBeGreaterThan(1);
    expect(heap!.weight).toBeLessThanOrEqual(3);
    // Its longer forms add nothing 堆物 does not, and are left out.
    expect(learned.some((l) => l.phrase !== '堆物' && l.phrase.includes('堆物'))).toBe(false);
    // And the model built with it now decides such a complaint.
    expect(new CategoryModel(policy, learned).classify({ title: '楼道堆物', description: '' }).category).toBe('property_management');
  });

  it('When a phrase was decided once, or across categories, then nothing is learned from it', () => {
    const once = learnPhrases([...background, ...taught.slice(0, 1), { text: '门口一直堆着旧家具', category: 'other' }], policy);
    expect(once.some((l) => l.phrase.includes('堆'))).toBe(false);
    // 楼道 is in four categories' complaints: it tells none of them apart.
    const mixed = learnPhrases([...background, ...taught, { text: '楼道里群租的人很多', category: 'illegal_renting' }], policy);
    expect(mixed.some((l) => l.phrase === '楼道')).toBe(false);
  });

  it('When the policy already weighs a phrase for the category, or the phrase holds a number, then it is not learned again', () => {
    const fumes = Array.from({ length: 5 }, (_, i) => ({ text: `漕宝路${100 + i}号饭店油烟扰民`, category: 'cooking_fumes' as const }));
    const learned = learnPhrases([...background, ...fumes], policy);
    expect(learned.filter((l) => l.category === 'cooking_fumes').map((l) => l.phrase)).not.toContain('油烟');
    expect(learned.some((l) => l.phrase.includes('油烟'))).toBe(false);
    expect(learned.some((l) => /\d/.test(l.phrase))).toBe(false);
    // The same sentence filed over and over teaches one phrase for it, not every pair of its characters.
    const same = Array.from({ length: 4 }, () => ({ text: '电瓶车在楼道里充电', category: 'other' as const }));
    expect(learnPhrases([...background, ...same], policy).filter((l) => l.category === 'other')).toHaveLength(1);
  });

  it('When max is given, then at most that many of the best supported are kept', () => {
    const learned = learnPhrases([...background, ...taught], policy, { max: 1 });
    expect(learned).toEqual([expect.objectContaining({ phrase: '堆物' })]);
  });
});

describe('the labelled set', () => {
  interface Labelled {
    id: string;
    title: string;
    description: string;
    location: { address: string; district?: string; street?: string };
    expected: { category: Category; place: string; district: string | null; street: string | null; site: string | null };
  }
  const set = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'dispatch', 'labelled.json'), 'utf8')) as Labelled[];

  it('When the set is read, then it holds at least 110 complaints over all 14 categories (6 or more each), the 16 districts and seeded places', () => {
    expect(set.length).toBeGreaterThanOrEqual(110);
    expect(new Set(set.map((l) => l.id)).size).toBe(set.length);
    for (const c of CATEGORIES) expect(set.filter((l) => l.expected.category === c).length, c).toBeGreaterThanOrEqual(6);
    const points = readLiaisonPoints();
    expect(new Set(set.map((l) => l.expected.district).filter(Boolean)).size).toBe(16);
    for (const l of set) {
      if (l.expected.site) expect(points.some((p) => p.site === l.expected.site && p.district === l.expected.district && p.street === l.expected.street), l.id).toBe(true);
      else if (l.expected.street) expect(points.some((p) => p.district === l.expected.district && p.street === l.expected.street), l.id).toBe(true);
    }
    const named = set.filter((l) => l.expected.place === 'street' || l.expected.place === 'liaison_point').length;
    expect(named / set.length).toBeGreaterThan(0.8);
  });

  it('When the model classifies the labelled set, then the category is right for at least 85 % of it', () => {
    const misses = set.filter((l) => model.classify(l).category !== l.expected.category).map((l) => `${l.id} ${l.title}`);
    expect((set.length - misses.length) / set.length, misses.join('\n')).toBeGreaterThanOrEqual(0.85);
  });
});
