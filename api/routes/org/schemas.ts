import { z } from 'zod';

const unitSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['city', 'district', 'squad']),
  parentId: z.string().nullable(),
  path: z.string(),
});

const workstationSchema = z.object({
  id: z.string(),
  name: z.string(),
  fullName: z.string(),
  kind: z.string(),
  district: z.string(),
  street: z.string(),
  squadId: z.string(),
  pilotSeq: z.number().int().nullable(),
});

export const unitListSchema = z.object({ units: z.array(unitSchema) });
export const workstationListSchema = z.object({ workstations: z.array(workstationSchema) });
export const workstationQuerySchema = z.strictObject({ district: z.string().max(50).optional(), street: z.string().max(50).optional() });
