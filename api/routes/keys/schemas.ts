import { z } from 'zod';
import { CHANNELS, ROLES } from '../../../domain/case.js';

const at = z.string().describe('ISO 8601');

const keySchema = z.object({
  id: z.string().describe('what DELETE /v1/keys/{keyId} takes'),
  prefix: z.string().describe('the key\'s first characters ("bn_" and 8 more): enough to tell keys apart, never the key'),
  state: z.enum(['active', 'expiring', 'expired', 'revoked']).describe('expiring: rotated out, working until `expiresAt`'),
  createdAt: at,
  lastUsedAt: at.nullable().describe('to the minute: each instance records a use at most once a minute'),
  expiresAt: at.nullable(),
  revokedAt: at.nullable(),
});

export const principalSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    unitId: z.string(),
    unitPath: z.string(),
    channel: z.string().nullable().describe('the one channel an intake principal files for; null for any'),
    createdAt: at,
    revokedAt: at.nullable().describe('set when the principal was revoked: every key of it stopped'),
    keys: z.array(keySchema),
  })
  .meta({ id: 'Principal' });

export const principalListSchema = z.object({ principals: z.array(principalSchema) });

export const principalListQuerySchema = z.strictObject({
  unit: z.string().max(64).optional().describe("principals of this unit and below, inside the caller's own; by default the caller's unit"),
});

export const newPrincipalSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).describe('who or what holds the key: a person, a channel\'s system'),
    role: z.enum(ROLES),
    unitId: z.string().min(1).max(64).describe('a unit of GET /v1/units, inside the caller\'s own'),
    channel: z.enum(CHANNELS).optional().describe('binds an intake principal to one channel'),
  })
  .meta({ id: 'NewPrincipal' });

export const rotationSchema = z
  .strictObject({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .optional()
      .describe('how long the principal\'s current keys keep working beside the new one: 86400 (24 h) by default, 0 stops them now'),
  })
  .meta({ id: 'KeyRotation' });

const issued = {
  key: z.string().describe('the new key, in clear: shown this once and stored only as a hash'),
  keyId: z.string(),
  principal: principalSchema,
};

export const issuedPrincipalSchema = z.object(issued).meta({ id: 'IssuedPrincipal' });
export const rotatedKeySchema = z
  .object({ ...issued, previousKeysExpireAt: at.nullable().describe('when the keys the new one replaces stop; null when there were none live') })
  .meta({ id: 'RotatedKey' });

export const principalParams = z.strictObject({ id: z.string().min(1).max(64) });
export const keyParams = z.strictObject({ keyId: z.string().min(1).max(64) });
