// Case ids and tracking codes. The same channel + externalId always gives the same case id, so a
// complaint filed twice is one case; tracking codes are random, short and read out easily.

import { createHash, randomBytes } from 'node:crypto';

// Crockford base32 without I, L, O, U: codes a citizen reads out on the phone without confusion.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
function base32(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % 32];
  return out;
}

/** The same channel + key always gives the same case id; without a key, a new random one. */
export function caseIdFor(channel: string, key?: string): string {
  const bytes = key ? createHash('sha256').update(`${channel}\u0000${key}`).digest() : randomBytes(16);
  return base32(bytes, 16).toLowerCase();
}

export const newTrackingCode = (): string => `BN${base32(randomBytes(10), 10)}`;

/**
 * A suggestion's id (人民建议征集): the same channel + key always gives the same one, from a hash apart from
 * cases', so a complaint and a suggestion with the same externalId stay two things.
 */
export const suggestionIdFor = (channel: string, key?: string): string => caseIdFor(`suggestion\u0000${channel}`, key);

/** Suggestions' tracking codes start BS, cases' BN: the citizen's page tells them apart by it. */
export const newSuggestionTrackingCode = (): string => `BS${base32(randomBytes(10), 10)}`;
