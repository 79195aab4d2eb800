// Workstations' QR codes: the PNG and the SVG each decode (jsQR, on the pixels sharp gives) back to the
// address of the workstation's filing page under PUBLIC_BASE_URL; the A4 sheet of a squad lists exactly its
// workstations by full name, each with a code that decodes to its own page, under a CSP that lets only its
// own style apply; only key holders get them, and a unit that is not a squad is refused in words.

import jsQRModule from 'jsqr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEnv, createTestEnv } from './support.js';

const BASE = 'https://bangnong.example.gov.cn/sh';
// The routes read it when the app is built.
process.env.PUBLIC_BASE_URL = `${BASE}/`;

// jsqr is CommonJS whose types declare an ES default export: under NodeNext the import is the module object.
const jsQR = jsQRModule.default;

interface Workstation { id: string; fullName: string; squadId: string; district: string; street: string }
interface Unit { id: string; name: string; kind: string; parentId: string | null }

let env: TestEnv;
let stations: Workstation[];
let units: Unit[];

const page = (id: string) => `${BASE}/citizen/#/w/${id}`;

/** What a phone's camera reads from an image: the QR code's text, or undefined. */
async function decode(image: Buffer | string): Promise<string | undefined> {
  const input = typeof image === 'string' ? Buffer.from(image) : image;
  // An SVG is drawn at 600 px wide; every image is flattened onto white, as on paper.
  const { data, info } = await sharp(input, { density: 300 }).resize({ width: 600 }).flatten({ background: '#ffffff' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data;
}

/** Six codes a page: a squad given eight workstations prints on two. */
const EXTRA = 6;

beforeAll(async () => {
  env = await createTestEnv('qr');
  // The pilot points give a squad two workstations at most: this one gets more, as a town's squad has.
  const [first] = (await env.request('GET', '/v1/workstations')).json().workstations as Workstation[];
  for (let i = 1; i <= EXTRA; i++) {
    await env.database.sql`insert into workstations (id, name, full_name, kind, district, street, squad_id, pilot_seq)
      select ${`ws-extra-${i}`}, ${`第${i}居委`}, ${`${first!.district}${first!.street}第${i}居委城管执法社区工作室`}, kind, district, street, squad_id, null
      from workstations where id = ${first!.id}`;
  }
  await env.restartApi();
  stations = (await env.request('GET', '/v1/workstations')).json().workstations;
  units = (await env.request('GET', '/v1/units')).json().units;
}, 120_000);
afterAll(async () => env?.close());

const get = (url: string, key: string | null = env.keys.desk!) => env.request('GET', url, { key });

describe("a workstation's QR code", () => {
  it('When staff fetch the PNG, then it is a square PNG that decodes back to the address of the workstation\'s filing page', async () => {
    const w = stations[0]!;
    const res = await get(`/v1/workstations/${w.id}/qr.png`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const png = res.rawPayload;
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 512, height: 512 });
    expect(await decode(png)).toBe(page(w.id));

    const small = await get(`/v1/workstations/${w.id}/qr.png?size=256`);
    expect((await sharp(small.rawPayload).metadata()).width).toBe(256);
    expect(await decode(small.rawPayload)).toBe(page(w.id));
  });

  it('When staff fetch the SVG, then rendered it decodes to the same address, and another workstation\'s code to its own', async () => {
    for (const w of [stations[0]!, stations[stations.length - 1]!]) {
      const res = await get(`/v1/workstations/${w.id}/qr.svg`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(res.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(await decode(res.body)).toBe(page(w.id));
    }
  });

  it('When the request is wrong — no key, an unknown workstation, a size out of range, an unknown query — then 401, 404 or 400 in words', async () => {
    const w = stations[0]!;
    expect((await get(`/v1/workstations/${w.id}/qr.png`, null)).statusCode).toBe(401);
    const missing = await get('/v1/workstations/ws-nope/qr.svg');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatch(/no workstation "ws-nope"/);
    const huge = await get(`/v1/workstations/${w.id}/qr.png?size=5000`);
    expect(huge.statusCode).toBe(400);
    expect(huge.json().issues[0].path).toBe('querystring.size');
    expect((await get(`/v1/workstations/${w.id}/qr.svg?size=300`)).statusCode).toBe(400);
    // Any key holder may print them, as any may read the organisation.
    expect((await get(`/v1/workstations/${w.id}/qr.svg`, env.keys.reporter!)).statusCode).toBe(200);
  });
});

describe("a squad's A4 sheet", () => {
  it('When staff open the sheet of a squad, then it lists exactly the squad\'s workstations by full name in Chinese, each with a code to its own page, with A4 print CSS', async () => {
    // The squad with the most workstations, so the sheet runs to more than one card.
    const bySquad = new Map<string, Workstation[]>();
    for (const w of stations) bySquad.set(w.squadId, [...(bySquad.get(w.squadId) ?? []), w]);
    const [squadId, mine] = [...bySquad.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    const squad = units.find((u) => u.id === squadId)!;
    expect(mine.length).toBeGreaterThan(EXTRA);

    const res = await get(`/v1/units/${squadId}/qr-sheet`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain(`<title>${squad.name} 社区工作室二维码</title>`);
    expect(html).toContain('@page { size: A4 portrait; margin: 12mm; }');
    const listed = [...html.matchAll(/<article class="card" data-workstation="([^"]+)"><h2>([^<]+)<\/h2>(<svg[\s\S]*?<\/svg>)/g)];
    expect(listed.map((m) => m[1])).toEqual(mine.map((w) => w.id));
    expect(listed.map((m) => m[2])).toEqual(mine.map((w) => w.fullName));
    for (const [, id, , svg] of listed) expect(await decode(svg!)).toBe(page(id!));
    expect((html.match(/扫码反映城管问题/g) ?? []).length).toBe(mine.length);
    expect((html.match(/<section class="page">/g) ?? []).length).toBe(Math.ceil(mine.length / 6));
    expect(Math.ceil(mine.length / 6)).toBeGreaterThan(1);
    expect(html).toContain(`${squad.name} · 第 2/${Math.ceil(mine.length / 6)} 页`);
    // Its one style block applies (pinned by hash); nothing else loads or runs.
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(html).not.toMatch(/<script/);
  });

  it('When the unit is a district, unknown, or the caller has no key, then 400, 404 or 401 in words', async () => {
    const district = units.find((u) => u.kind === 'district')!;
    const notSquad = await get(`/v1/units/${district.id}/qr-sheet`);
    expect(notSquad.statusCode).toBe(400);
    expect(notSquad.json().error).toMatch(/is a district: a QR sheet is printed per squad/);
    expect((await get('/v1/units/nope/qr-sheet')).statusCode).toBe(404);
    expect((await get(`/v1/units/${district.id}/qr-sheet`, null)).statusCode).toBe(401);
  });
});
