// Workstation duties as the HTTP contract gives them: a visit logged, its photos, the log, compliance per
// week and month, and the shortfalls. Request schemas are strict: an unknown field is refused with 400
// naming it.

import { z } from 'zod';
import { DUTY_ACTIVITIES, SHORTFALL_KINDS } from '../../../domain/duties.js';
import { parseShanghaiDay } from '../../../domain/periods.js';

const dateTime = z.iso.datetime({ offset: true, error: 'must be a date and time with its offset, e.g. 2026-11-23T09:00:00+08:00' });

/** A bound of a range: a date and time with its offset, or a day (YYYY-MM-DD, 00:00 in Shanghai). */
const instant = z
  .string()
  .max(40)
  .refine((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? parseShanghaiDay(s) !== undefined : z.iso.datetime({ offset: true }).safeParse(s).success), 'must be a day (YYYY-MM-DD, 00:00 in Shanghai) or a date and time with its offset')
  .transform((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? parseShanghaiDay(s)!.toISOString() : new Date(s).toISOString()));

export const visitInputSchema = z
  .strictObject({
    workstationId: z.string().min(1).max(64).describe('the workstation visited: one of the officer\'s squad (GET /v1/workstations)'),
    startedAt: dateTime.describe('when the visit began'),
    endedAt: dateTime.describe('when it ended: after it began, at most 12 hours later (policy/duties.json `visit.maxMinutes`), not in the future'),
    activities: z
      .array(z.enum(DUTY_ACTIVITIES))
      .min(1)
      .max(DUTY_ACTIVITIES.length)
      .describe('what was done (seed 001 §三(三)): patrol 社区巡查, complaint_handling 投诉处置, legal_publicity 普法宣传, opinion_collection 意见征集, property_supervision 物业监督, community_meeting 社区参与'),
    note: z.string().trim().max(2000).optional().describe('what the officer noted (社区工作室记录本)'),
  })
  .meta({ id: 'DutyVisitLog' });

const photoSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    createdAt: z.string(),
    url: z.string().describe('the bytes'),
    previewUrl: z.string().optional().describe('the photo at most 1280 px, as JPEG'),
  })
  .meta({ id: 'DutyVisitPhoto' });

export const visitSchema = z
  .object({
    id: z.string(),
    officer: z.object({ id: z.string(), name: z.string().optional() }),
    workstationId: z.string(),
    workstationName: z.string().optional(),
    squadId: z.string(),
    districtId: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    minutes: z.number().int(),
    activities: z.array(z.enum(DUTY_ACTIVITIES)),
    note: z.string().optional(),
    photos: z.array(photoSchema),
    createdAt: z.string(),
  })
  .meta({ id: 'DutyVisit' });

export { photoSchema };

export const visitParams = z.strictObject({ id: z.string().min(1).max(64) });
export const photoParams = z.strictObject({ id: z.string().min(1).max(64), photoId: z.string().min(1).max(64) });

export const photoUploadBody = z
  .strictObject({ file: z.string().meta({ format: 'binary' }).describe('the photo: image/jpeg, image/png or image/webp') })
  .nullish();

const binary = z.string().meta({ format: 'binary' });
export const photoBytesAnswer = {
  description: 'The photo as it was uploaded, with the type read from its bytes.',
  content: Object.fromEntries(['image/jpeg', 'image/png', 'image/webp'].map((type) => [type, { schema: binary }])),
};
export const photoPreviewAnswer = {
  description: 'The photo at most 1280 px on its long side, as JPEG.',
  content: { 'image/jpeg': { schema: binary } },
};

export const visitListQuerySchema = z.strictObject({
  unit: z.string().max(64).optional().describe("visits at workstations of this unit and below (inside the caller's own; by default the caller's unit)"),
  workstation: z.string().max(64).optional(),
  officer: z.string().max(64).optional().describe('a principal id: that officer\'s visits'),
  from: instant.optional().describe('visits that started at or after this'),
  to: instant.optional().describe('visits that started before this'),
  cursor: z.string().max(512).optional().describe('the `next` of the previous page, as it was given'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const visitListSchema = z.object({ visits: z.array(visitSchema), next: z.string().optional() }).meta({ id: 'DutyVisitList' });

export const complianceQuerySchema = z.strictObject({
  unit: z.string().max(64).optional().describe("workstations and squads of this unit and below (by default the caller's unit)"),
  week: z.string().max(10).optional().describe('any day of the Asia/Shanghai week (Monday to Sunday), YYYY-MM-DD; by default this week'),
  month: z.string().max(7).optional().describe('an Asia/Shanghai month, YYYY-MM: its squads, and the weeks whose Monday lies in it'),
});

const periodSchema = z.object({ start: z.string(), end: z.string().describe('exclusive') });

export const complianceSchema = z
  .object({
    thresholds: z.object({
      weekly: z.object({ minVisits: z.number().int(), minMinutes: z.number().int() }),
      monthly: z.object({ minReleased: z.number().int() }),
    }),
    weeks: z.array(periodSchema).describe('the weeks counted: the one asked for, or those of the month'),
    month: periodSchema,
    workstations: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        squadId: z.string(),
        squadName: z.string(),
        visits: z.number().int().describe('in all the weeks counted'),
        minutes: z.number().int(),
        complies: z.boolean().describe('every week counted has its visits and minutes (a week still running, once it has)'),
        weeks: z.array(z.object({ start: z.string(), visits: z.number().int(), minutes: z.number().int(), complies: z.boolean() })),
      }),
    ),
    squads: z.array(z.object({ id: z.string(), name: z.string(), released: z.number().int().describe('publicity items released in the month and not taken down in it'), complies: z.boolean() })),
  })
  .meta({ id: 'DutyCompliance' });

export const shortfallQuerySchema = z.strictObject({
  unit: z.string().max(64).optional().describe("shortfalls of workstations and squads in this unit and below (by default the caller's unit)"),
  kind: z.enum(SHORTFALL_KINDS).optional(),
  from: instant.optional().describe('shortfalls of periods starting at or after this'),
  to: instant.optional().describe('shortfalls of periods starting before this'),
  cursor: z.string().max(512).optional().describe('the `next` of the previous page, as it was given'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const shortfallListSchema = z
  .object({
    shortfalls: z.array(
      z.object({
        id: z.string().describe('kind:subject:first day of the period — the same however often the period is checked'),
        kind: z.enum(SHORTFALL_KINDS),
        subjectId: z.string().describe('the workstation (weekly_visits) or the squad (monthly_publicity)'),
        subjectName: z.string().optional(),
        squadId: z.string(),
        squadName: z.string().optional(),
        districtId: z.string(),
        periodStart: z.string(),
        periodEnd: z.string(),
        details: z.record(z.string(), z.unknown()).describe('what was found and what was needed: visits, minutes, minVisits, minMinutes; or released, minReleased'),
        detectedAt: z.string(),
      }),
    ),
    next: z.string().optional(),
  })
  .meta({ id: 'DutyShortfallList' });
