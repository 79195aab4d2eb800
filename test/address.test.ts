// The address normaliser and the distances behind the desk's duplicate hints (domain/address.ts): the many
// ways one Shanghai address is written come out as one key, different places stay apart, and the haversine
// distance and its bounding box agree with known figures.

import { describe, expect, it } from 'vitest';
import { boundingBox, chineseNumber, coordinatesOf, distanceMetres, normaliseAddress, sameAddress } from '../domain/address.js';

const key = (address: string, hints?: { district?: string; street?: string }) => normaliseAddress(address, hints).key;

describe('normaliseAddress', () => {
  it('When the city, the district and the town lead the address, then they are taken off and the district is kept beside the key', () => {
    expect(normaliseAddress('上海市闵行区七宝镇漕宝路88号', { district: '闵行区', street: '七宝镇' })).toEqual({ district: '闵行区', key: '漕宝路88号' });
    expect(normaliseAddress('中国上海市闵行区漕宝路88号')).toEqual({ district: '闵行区', key: '漕宝路88号' });
    expect(normaliseAddress('上海闵行区漕宝路88号')).toEqual({ district: '闵行区', key: '漕宝路88号' });
    expect(normaliseAddress('漕宝路88号', { district: '闵行区' })).toEqual({ district: '闵行区', key: '漕宝路88号' });
    expect(normaliseAddress('漕宝路88号')).toEqual({ district: undefined, key: '漕宝路88号' });
  });

  it('When digits are full-width, 号 is written 號, and spaces and punctuation are typed, then the key is the same', () => {
    const plain = key('闵行区漕宝路88号');
    expect(key('闵行区 漕宝路８８號')).toBe(plain);
    expect(key('闵行区，漕宝路 88 号。')).toBe(plain);
    expect(key('ＡＢＣ大厦')).toBe('abc大厦');
  });

  it('When a landmark is added in brackets, then it is dropped', () => {
    expect(key('漕宝路88号（近虹梅路）')).toBe('漕宝路88号');
    expect(key('漕宝路88号(菜场门口)')).toBe('漕宝路88号');
    expect(key('漕宝路88号【东门】')).toBe('漕宝路88号');
  });

  it('When lane, house, building and room numbers are written their different ways, then they come out as one', () => {
    const lane = key('虹梅路123弄45号1201室');
    expect(lane).toBe('虹梅路123弄45号1201');
    expect(key('虹梅路123衖45號 1201')).toBe(lane);
    expect(key('虹梅路一百二十三弄四十五号一二〇一室')).toBe(lane);
    for (const building of ['莲花路5栋', '莲花路5幢', '莲花路5座', '莲花路5#楼', '莲花路5#', '莲花路五号楼']) expect(key(building), building).toBe('莲花路5号楼');
    expect(key('漕宝路八十八号')).toBe('漕宝路88号');
    expect(key('漕宝路一百零八号')).toBe('漕宝路108号');
  });

  it('When a dash stands between numbers, then it stays; anywhere else, it goes', () => {
    expect(key('金沙江路12-3号')).toBe('金沙江路12-3号');
    expect(key('金沙江路 — 12号')).toBe('金沙江路12号');
  });

  it('When a name only looks like a prefix, then it is left alone', () => {
    // 上海南站 starts with 上海, but 上海 is taken off only before a district.
    expect(key('上海南站北广场')).toBe('上海南站北广场');
    // 镇宁路 starts with 镇: a town is taken off only when the complaint names it, or when it is a 街道.
    expect(key('镇宁路405号')).toBe('镇宁路405号');
    expect(key('长宁区镇宁路405号', { street: '华阳路街道' })).toBe('镇宁路405号');
    expect(key('徐汇区湖南街道武康路1号')).toBe('武康路1号');
    expect(key('闵行区七宝镇漕宝路88号')).toBe('漕宝路88号');
    expect(key('新镇路1号')).toBe('新镇路1号');
    expect(key('朱家角镇路1号')).toBe('朱家角镇路1号');
    // 长宁路 starts with a district's name without its 区.
    expect(normaliseAddress('长宁路1号')).toEqual({ district: undefined, key: '长宁路1号' });
  });

  it('When a district merged away is written, then it counts as the district it is now', () => {
    expect(normaliseAddress('闸北区天目西路1号').district).toBe('静安区');
    expect(normaliseAddress('卢湾区淮海中路1号').district).toBe('黄浦区');
    expect(normaliseAddress('南汇区惠南镇1号').district).toBe('浦东新区');
  });
});

describe('sameAddress', () => {
  it('When two writings of one address meet, then they are the same place', () => {
    expect(sameAddress(normaliseAddress('上海市闵行区七宝镇漕宝路88号'), normaliseAddress('漕宝路８８號（近虹梅路）', { district: '闵行区' }))).toBe(true);
    // One of them names no district: the key decides.
    expect(sameAddress(normaliseAddress('闵行区漕宝路88号'), normaliseAddress('漕宝路88号'))).toBe(true);
  });

  it('When the same road and number lie in two districts, or the numbers differ, then they are not', () => {
    // 漕宝路 runs through Xuhui and Minhang.
    expect(sameAddress(normaliseAddress('徐汇区漕宝路88号'), normaliseAddress('闵行区漕宝路88号'))).toBe(false);
    expect(sameAddress(normaliseAddress('闵行区漕宝路88号'), normaliseAddress('闵行区漕宝路86号'))).toBe(false);
    expect(sameAddress(normaliseAddress('虹梅路123弄45号1201室'), normaliseAddress('虹梅路123弄45号1202室'))).toBe(false);
  });

  it('When what is left is too short to be an address, then nothing is the same as it', () => {
    expect(sameAddress(normaliseAddress('闵行区1号'), normaliseAddress('闵行区1号'))).toBe(false);
    expect(sameAddress(normaliseAddress('闵行区'), normaliseAddress('上海市闵行区'))).toBe(false);
  });
});

describe('chineseNumber', () => {
  it('When numbers are written in Chinese, then they read as digits; anything else is no number', () => {
    expect(chineseNumber('八')).toBe(8);
    expect(chineseNumber('十')).toBe(10);
    expect(chineseNumber('十二')).toBe(12);
    expect(chineseNumber('二十')).toBe(20);
    expect(chineseNumber('一百零八')).toBe(108);
    expect(chineseNumber('两千零五十')).toBe(2050);
    expect(chineseNumber('一二零一')).toBe(1201);
    expect(chineseNumber('七宝')).toBeUndefined();
    expect(chineseNumber('')).toBeUndefined();
  });
});

describe('distanceMetres and boundingBox', () => {
  const peoplesSquare = { lat: 31.2304, lng: 121.4737 };

  it('When two points are a degree of latitude apart, then they are 111.2 km apart; a point is 0 m from itself', () => {
    expect(distanceMetres({ lat: 31, lng: 121 }, { lat: 32, lng: 121 })).toBeCloseTo(111_195.08, 1);
    expect(distanceMetres(peoplesSquare, peoplesSquare)).toBe(0);
  });

  it('When People\'s Square and the Bund are measured, then it is about 1.9 km, either way round', () => {
    const bund = { lat: 31.2397, lng: 121.4905 };
    const d = distanceMetres(peoplesSquare, bund);
    // 0.0093° of latitude (1,034 m) and 0.0168° of longitude at 31.2° (1,597 m), at right angles.
    expect(d).toBeGreaterThan(1_895);
    expect(d).toBeLessThan(1_910);
    expect(distanceMetres(bund, peoplesSquare)).toBeCloseTo(d, 6);
  });

  it('When a box is drawn around a point, then it holds every point within the radius and not one 300 m east of a 250 m radius', () => {
    const box = boundingBox(peoplesSquare, 250);
    const metresEast = (m: number) => ({ lat: peoplesSquare.lat, lng: peoplesSquare.lng + m / (111_195.08 * Math.cos((peoplesSquare.lat * Math.PI) / 180)) });
    const metresNorth = (m: number) => ({ lat: peoplesSquare.lat + m / 111_195.08, lng: peoplesSquare.lng });
    const inside = (p: { lat: number; lng: number }) => p.lat >= box.minLat && p.lat <= box.maxLat && p.lng >= box.minLng && p.lng <= box.maxLng;
    for (const p of [metresEast(249), metresEast(-249), metresNorth(249), metresNorth(-249)]) {
      expect(distanceMetres(peoplesSquare, p)).toBeCloseTo(249, 0);
      expect(inside(p)).toBe(true);
    }
    expect(distanceMetres(peoplesSquare, metresEast(300))).toBeCloseTo(300, 0);
    expect(inside(metresEast(300))).toBe(false);
    expect(inside(metresNorth(300))).toBe(false);
  });

  it('When a location has one coordinate only, then it has no coordinates', () => {
    expect(coordinatesOf({ lat: 31.2 })).toBeUndefined();
    expect(coordinatesOf({ lat: 31.2, lng: 121.4 })).toEqual({ lat: 31.2, lng: 121.4 });
  });
});
