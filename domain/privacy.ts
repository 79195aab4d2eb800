// A citizen's name and phone, hidden from whoever the authorisation table does not let see them
// (domain/access.ts, `citizen.read`). Masking keeps enough to recognise a case on the phone with the
// citizen ("张**", "138****5678"); redaction finds the same data in free text — a phone number written
// into a supplement, the name repeated in a note — and masks it there too. Pure functions.

import type { Citizen } from './case.js';

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

/** The text with phone and identity numbers, and the citizen's name and phone, masked. */
export function redactText(text: string, citizen?: Citizen): string {
  let out = text.replace(PERSONAL_NUMBER, (found) => maskPhone(digitsOf(found)));
  const phone = citizen?.phone ? digitsOf(citizen.phone) : '';
  if (phone.length >= 5) out = out.split(phone).join(maskPhone(phone));
  const name = citizen?.name?.trim();
  if (name && [...name].length >= 2) out = out.split(name).join(maskName(name));
  return out;
}

/** Every string in a JSON value redacted (keys kept): timeline payloads, notification bodies. */
export function redactValue<T>(value: T, citizen?: Citizen): T {
  if (typeof value === 'string') return redactText(value, citizen) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, citizen)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, citizen)])) as T;
  }
  return value;
}
