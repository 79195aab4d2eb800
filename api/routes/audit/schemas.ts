import { z } from 'zod';

export const auditQuerySchema = z.strictObject({
  unit: z.string().max(64).optional().describe("principals of this unit and below (inside the caller's own)"),
  principalId: z.string().max(64).optional(),
  caseId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export const auditSchema = z
  .object({
    entries: z.array(
      z.object({
        at: z.string(),
        principalId: z.string(),
        role: z.string(),
        unitPath: z.string(),
        operation: z.string().describe('what showed the cases: case.read, case.events, case.list, case.file (a repeated filing) or case.action (an action\'s answer)'),
        caseIds: z.array(z.string()).describe('the cases whose citizen data the read showed unmasked'),
        requestId: z.string().optional(),
        ip: z.string().optional(),
      }),
    ),
    next: z.string().optional(),
  })
  .meta({ id: 'AuditLog' });
