// Filing without a key, from the page a workstation's QR code opens (console/citizen/): the workstation's
// name for the page's header, a one-time form token, and the complaint (or suggestion) itself, filed as
// channel `qr` by the QR page's own intake principal, which exists only in this process.
//
// What keeps programs out, besides the per-address limits (api/plugins/security.ts and the filing route's
// own): the form token. It is signed (HMAC-SHA256) over its issue time, a random nonce and the
// workstation, so it cannot be made up or moved to another workstation; a form sent less than two seconds
// after its token was issued was not filled in by a person, and one older than twelve hours is stale. The
// nonce is the filing's externalId, so sending the same form again — a retry on a bad connection, a double
// tap — answers the case it filed the first time. And a honeypot: a field people never see, and a program
// that fills in every field fills in.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../db/queries/principals.js';
import type { Category, Citizen, Location } from '../domain/case.js';
import { unitIdOf } from '../domain/units.js';
import { type CaseServiceDeps, fileCase } from './cases.js';
import { badRequest } from './errors.js';
import { workstationOr404 } from './qr.js';
import { fileSuggestion } from './suggestions.js';

/** A form sent sooner than this after its token was issued was not filled in by a person. */
export const FORM_MIN_AGE_MS = 2_000;
/** A form older than this is stale: the page asks for a fresh token. */
export const FORM_MAX_AGE_MS = 12 * 60 * 60 * 1000;
const VERSION = 'v1';
const FIELD = 'body.formToken';

export interface FormToken {
  token: string;
  issuedAt: string;
  /** The form may be sent from then on. */
  notBefore: string;
  expiresAt: string;
}

/** Issues and checks the filing page's one-time form tokens, signed with one secret. */
export class FormTokens {
  private readonly key: Buffer;

  /** Without a secret, a random one: tokens then hold only on this process, until it stops. */
  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  private mac(issuedAt: number, nonce: string, workstationId: string): string {
    return createHmac('sha256', this.key).update(`${VERSION}\u0000${issuedAt}\u0000${nonce}\u0000${workstationId}`).digest('base64url');
  }

  /** A token for a form of `workstationId`, issued at `now`: `v1.<issued ms, base 36>.<nonce>.<mac>`. */
  issue(workstationId: string, now = Date.now()): FormToken {
    const nonce = randomBytes(16).toString('base64url');
    return {
      token: [VERSION, now.toString(36), nonce, this.mac(now, nonce, workstationId)].join('.'),
      issuedAt: new Date(now).toISOString(),
      notBefore: new Date(now + FORM_MIN_AGE_MS).toISOString(),
      expiresAt: new Date(now + FORM_MAX_AGE_MS).toISOString(),
    };
  }

  /** The token's nonce, if it is one this service issued for `workstationId` and it is neither too fresh nor too old; else 400 naming the field. */
  check(token: string, workstationId: string, now = Date.now()): { nonce: string } {
    const [version, issued, nonce, mac, ...rest] = token.split('.');
    const issuedAt = issued && /^[0-9a-z]{1,12}$/.test(issued) ? parseInt(issued, 36) : NaN;
    const forged = () => badRequest('the form token is not one this service issued for this workstation: open the page again from its QR code', FIELD);
    if (version !== VERSION || rest.length || !nonce || !mac || !Number.isSafeInteger(issuedAt)) throw forged();
    const expected = Buffer.from(this.mac(issuedAt, nonce, workstationId));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw forged();
    const age = now - issuedAt;
    if (age < FORM_MIN_AGE_MS) {
      const wait = Math.ceil((FORM_MIN_AGE_MS - age) / 1000);
      throw badRequest(`the form was sent ${Math.max(0, age)} ms after it was opened: a person takes longer; send it again in ${wait} s`, FIELD);
    }
    if (age > FORM_MAX_AGE_MS) throw badRequest(`the form was opened more than ${FORM_MAX_AGE_MS / 3_600_000} hours ago: reload the page for a fresh one and send it again`, FIELD);
    return { nonce };
  }
}

/** A workstation as the filing page's header shows it. */
export async function publicWorkstation(deps: Pick<CaseServiceDeps, 'org'>, id: string) {
  const w = await workstationOr404(deps.org, id);
  return { id: w.id, name: w.name, fullName: w.fullName, district: w.district, street: w.street };
}

/** A form token for the filing page of an existing workstation (404 otherwise). */
export async function formTokenFor(deps: Pick<CaseServiceDeps, 'org'>, tokens: FormTokens, workstationId: string): Promise<FormToken> {
  await workstationOr404(deps.org, workstationId);
  return tokens.issue(workstationId);
}

/** What the filing page sends (api/routes/public/schemas.ts checks its shape). */
export interface CitizenReport {
  formToken: string;
  kind: 'complaint' | 'suggestion';
  workstationId: string;
  text: string;
  category?: Category;
  location?: { address?: string; lat?: number; lng?: number };
  citizen?: Citizen;
  consent?: boolean;
}

export interface FiledReport {
  kind: 'complaint' | 'suggestion';
  trackingCode: string;
  created: boolean;
  /** The citizen's tracking page for it, on this server. */
  trackingUrl: string;
}

/** The QR page's principal: the intake role bound to channel `qr`, at the city, held by no key. */
export function qrPagePrincipal(deps: Pick<CaseServiceDeps, 'org'>): Principal {
  const root = deps.org.rootPath();
  return { id: 'qr-page', name: '社区工作室二维码报事页 (the QR filing page)', role: 'intake', unitId: unitIdOf(root), unitPath: root, channel: 'qr' };
}

/** A title from the citizen's own words: their first line, at most 30 characters. */
export function titleFrom(text: string): string {
  const line = text.trim().split(/\r?\n/)[0]!.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length > 30 ? `${chars.slice(0, 29).join('')}…` : line;
}

/** A Chinese mobile (11 digits from 1) or a landline with its area code; spaces, dashes and +86 allowed. */
export function normalisePhone(phone: string): string | undefined {
  const digits = phone.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  return /^1[3-9]\d{9}$/.test(digits) || /^0\d{9,11}$/.test(digits) ? digits : undefined;
}

/** The citizen's contact as given, checked: 400 naming the field for a phone that is none, or for contact given without consent. */
function contactOf(report: CitizenReport): Citizen | undefined {
  const name = report.citizen?.name?.trim() || undefined;
  const given = report.citizen?.phone?.trim() || undefined;
  if (!name && !given) return undefined;
  let phone: string | undefined;
  if (given) {
    phone = normalisePhone(given);
    if (!phone) throw badRequest('the phone number is not a mobile number (11 digits from 1) or a landline with its area code', 'body.citizen.phone');
  }
  if (report.consent !== true) {
    throw badRequest('a name or phone is used only to answer this complaint: agree to that (consent: true), or leave both empty', 'body.consent');
  }
  return { ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
}

/**
 * Files what the citizen sent from a workstation's QR page, once: a complaint becomes a case of channel
 * `qr` at that workstation (its squad), a suggestion goes to the suggestions' own workflow. 400 naming the
 * field for an unknown workstation, a bad token, a complaint without an address, a bad phone or missing
 * consent. The same form sent again answers what it filed the first time (`created: false`).
 */
export async function fileCitizenReport(deps: CaseServiceDeps, tokens: FormTokens, report: CitizenReport): Promise<FiledReport> {
  const station = await deps.org.workstation(report.workstationId);
  if (!station) throw badRequest(`no workstation "${report.workstationId}": open the page again from the workstation's QR code`, 'body.workstationId');
  const { nonce } = tokens.check(report.formToken, station.id);
  const externalId = `qr-form:${nonce}`;
  const citizen = contactOf(report);
  const address = report.location?.address?.trim() || undefined;
  const coordinates = report.location?.lat !== undefined && report.location.lng !== undefined ? { lat: report.location.lat, lng: report.location.lng } : {};
  const principal = qrPagePrincipal(deps);

  if (report.kind === 'suggestion') {
    const location: Location | undefined = address ? { address, district: station.district, street: station.street, ...coordinates } : undefined;
    const { created, suggestion } = await fileSuggestion(
      deps,
      { channel: 'qr', externalId, title: titleFrom(report.text), text: report.text.trim(), workstationId: station.id, location, citizen },
      principal,
    );
    return { kind: 'suggestion', trackingCode: suggestion.trackingCode, created, trackingUrl: `/citizen/#/track/${suggestion.trackingCode}` };
  }

  if (!address) throw badRequest('where is it? a complaint needs an address (the street and number, a landmark)', 'body.location.address');
  const { created, view } = await fileCase(
    deps,
    {
      channel: 'qr',
      externalId,
      title: titleFrom(report.text),
      description: report.text.trim(),
      category: report.category,
      urgent: false,
      location: { address, district: station.district, street: station.street, ...coordinates },
      workstationId: station.id,
      citizen,
      attachments: [],
    },
    principal,
  );
  return { kind: 'complaint', trackingCode: view.trackingCode, created, trackingUrl: `/citizen/#/track/${view.trackingCode}` };
}
