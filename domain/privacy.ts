// A citizen's name and phone, hidden from whoever the authorisation table does not let see them
// (domain/access.ts, `citizen.read`). Masking keeps enough to recognise a case on the phone with the
// citizen ("张**", "138****5678"); redaction finds the same data in free text — a phone number written
// into a supplement, the name repeated in a note — and masks it there too. Pure functions.

import type { CaseView, Citizen } from './case.js';

/** Keeps `keepStart` characters at the front and `keepEnd` at the back; always hides at least one. */
export function mask(value: string, keepStart: number, keepEnd: number): string {
  const chars = [...value];
  if (chars.length <= keepStart + keepEnd) return (chars[0] ?? '') + '*'.repeat(Math.max(chars.length - 1, 1));
  return chars.slice(0, keepStart).join('') + '*'.repeat(chars.length - keepStart - keepEnd) + chars.slice(chars.length - keepEnd).join('');
}

export const maskName = (name: string): string => mask(name, 1, 0);
export const maskPhone = (phone: string): string => mask(phone, 3, 4);

export function maskCitizen(citizen: Citizen): Citizen {
  return { ...citizen, ...(citizen.name ? { name: maskName(citizen.name) } : {}), ...(citizen.phone ? { phone: maskPhone(citizen.phone) } : {}) };
}

// Mainland mobiles (1[3-9] and 9 digits), landlines with an area code (0 and 2–3 digits, then 7–8), and
// resident identity numbers (17 digits and a digit or X), with the spaces or dashes people type in them.
// Digits run on either side are left alone: an order number is not a phone.
const PERSONAL_NUMBER =
  /(?<![\d])(?:\+?86[\s-]?)?(?:1[3-9]\d(?:[\s-]?\d){8}|0\d{2,3}[\s-]?\d{7,8}|\d{17}[\dXx])(?![\d])/g;

const digitsOf = (s: string) => s.replace(/\D/g, '');

/**
 * How much of a citizen a reader may see: `masked` keeps enough to recognise them (the units that handle
 * the case); `hidden` keeps nothing — every digit and character starred — for the press, whose pages and
 * stories must never carry a citizen's name or phone, not even in part.
 */
export type Concealment = 'masked' | 'hidden';

const starred = (s: string) => '*'.repeat([...s].length);

/** The text with phone and identity numbers, and the citizen's name and phone, masked (or hidden). */
export function redactText(text: string, citizen?: Citizen, how: Concealment = 'masked'): string {
  const hideNumber = how === 'hidden' ? starred : maskPhone;
  const hideName = how === 'hidden' ? starred : maskName;
  let out = text.replace(PERSONAL_NUMBER, (found) => hideNumber(digitsOf(found)));
  const phone = citizen?.phone ? digitsOf(citizen.phone) : '';
  if (phone.length >= 5) out = out.split(phone).join(hideNumber(phone));
  const name = citizen?.name?.trim();
  if (name && [...name].length >= 2) out = out.split(name).join(hideName(name));
  return out;
}

/** Every string in a JSON value redacted (keys kept): timeline payloads, notification bodies. */
export function redactValue<T>(value: T, citizen?: Citizen, how: Concealment = 'masked'): T {
  if (typeof value === 'string') return redactText(value, citizen, how) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, citizen, how)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, citizen, how)])) as T;
  }
  return value;
}

/**
 * The case with its citizen erased, on the citizen's request: no `citizen`, and the citizen's name and
 * phone and every phone or identity number starred out of the case's free text — what a reporter would
 * see (`hidden`), but for everyone and for good. The timeline's payloads and the outbox are redacted the
 * same way outside the workflow (activities/index.ts, `erasePersonalData`).
 */
export function withoutPersonalData(view: CaseView): CaseView {
  const { citizen, ...rest } = view;
  const hide = (text: string) => redactText(text, citizen, 'hidden');
  const out: CaseView = {
    ...rest,
    title: hide(view.title),
    description: hide(view.description),
    location: { ...view.location, address: hide(view.location.address) },
    attachments: view.attachments.map((a) => (a.name ? { ...a, name: hide(a.name) } : a)),
    media: { ...view.media },
  };
  for (const field of ['title', 'body', 'comments'] as const) {
    if (view.media[field] !== undefined) out.media[field] = hide(view.media[field]);
  }
  for (const field of ['explanation', 'resolution', 'instructions', 'feedback', 'returnReason'] as const) {
    if (view[field] !== undefined) out[field] = hide(view[field]);
  }
  if (view.rating?.comment !== undefined) out.rating = { ...view.rating, comment: hide(view.rating.comment) };
  return out;
}
