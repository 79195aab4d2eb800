import { z } from 'zod';
import { CHANNELS, ROLES } from '../../../domain/case.js';
import { OPERATIONS, RELATIONS } from '../../../domain/access.js';

export const signInBodySchema = z.strictObject({ key: z.string().min(1).max(200).describe('an API key, as `./bangnong principal create` printed it') });

export const meSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    channel: z.enum(CHANNELS).optional(),
    unit: z.object({ id: z.string(), name: z.string(), path: z.string(), kind: z.enum(['city', 'district', 'squad']) }),
    may: z
      .partialRecord(z.enum(OPERATIONS as [string, ...string[]]), z.array(z.enum(RELATIONS)))
      .describe('each operation of the authorisation table the role may take, and where relative to its unit'),
  })
  .meta({ id: 'Me' });

export const signedOutSchema = z.object({ signedOut: z.literal(true) });
