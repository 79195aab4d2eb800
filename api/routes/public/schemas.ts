import { z } from 'zod';
import { CATEGORIES } from '../../../domain/case.js';

export const publicWorkstationParams = z.strictObject({ id: z.string().min(1).max(64) });

export const publicWorkstationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    fullName: z.string().describe('the name the workstation is known by, as its QR sheet prints it'),
    district: z.string(),
    street: z.string(),
  })
  .meta({ id: 'PublicWorkstation' });

export const formTokenQuery = z.strictObject({ workstationId: z.string().min(1).max(64).describe('the workstation whose filing page asks') });

export const formTokenSchema = z
  .object({
    token: z.string().describe('send it as formToken with the form; sending the same form again answers what it filed'),
    issuedAt: z.string(),
    notBefore: z.string().describe('the form is refused when sent before then (2 s: a person takes longer)'),
    expiresAt: z.string().describe('the form is refused when sent after then (12 h)'),
  })
  .meta({ id: 'FormToken' });

export const reportBodySchema = z
  .strictObject({
    formToken: z.string().min(1).max(200).describe('from GET /v1/public/form-token'),
    kind: z.enum(['complaint', 'suggestion']).default('complaint').describe('投诉 a complaint (a case), or 建议 a suggestion (人民建议征集)'),
    workstationId: z.string().min(1).max(64).describe("the workstation whose QR code opened the page"),
    text: z.string().trim().min(1).max(2000).describe("the citizen's own words; the first line becomes the title"),
    category: z.enum(CATEGORIES).optional().describe('what it is about, if the citizen knows; the desk decides otherwise'),
    location: z
      .strictObject({
        address: z.string().trim().max(500).optional().describe('where: required for a complaint'),
        lat: z.number().min(-90).max(90).optional().describe("the phone's position, if the citizen shares it"),
        lng: z.number().min(-180).max(180).optional(),
      })
      .optional(),
    citizen: z.strictObject({ name: z.string().trim().max(100).optional(), phone: z.string().trim().max(40).optional() }).optional(),
    consent: z.boolean().optional().describe('the citizen agrees that a name or phone given is used only to answer this; required with either'),
    website: z
      .string()
      .max(0, 'leave this field empty: people never see it, and only a program fills it in')
      .optional()
      .describe('a honeypot: the page hides it from people, so it is always empty when a person sends the form'),
  })
  .meta({ id: 'CitizenReport' });

export const filedReportSchema = z
  .object({
    kind: z.enum(['complaint', 'suggestion']),
    trackingCode: z.string().describe('BN… for a complaint, BS… for a suggestion: the citizen\'s key to follow it'),
    created: z.boolean().describe('false when the same form was sent before: what it filed then'),
    trackingUrl: z.string().describe("the citizen's tracking page for it, on this server"),
  })
  .meta({ id: 'FiledReport' });
