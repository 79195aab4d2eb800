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

export const officerQuerySchema = z.strictObject({ unit: z.string().max(64).optional().describe('a unit id: its officers and those below it; the whole city by default') });
export const officerListSchema = z.object({ officers: z.array(z.object({ id: z.string(), name: z.string(), unitId: z.string() })) });
