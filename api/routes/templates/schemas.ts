import { z } from 'zod';
import { CATEGORIES, DEPARTMENTS } from '../../../domain/case.js';
import { PLACEHOLDERS, TEMPLATE_OUTCOMES, answerTemplateSchema } from '../../templates.js';

export const templateQuerySchema = z.strictObject({
  outcome: z.enum(TEMPLATE_OUTCOMES).optional().describe("the case's outcome: its templates and the defaults"),
  category: z.enum(CATEGORIES).optional().describe("the case's category: its templates and those for any category"),
});

export const templateListSchema = z
  .object({
    templates: z.array(answerTemplateSchema).describe('most specific first when filtered; in the file\'s order otherwise'),
    placeholders: z.array(z.object({ name: z.enum(PLACEHOLDERS), description: z.string() })).describe('what each {placeholder} of a text stands for'),
    departments: z.array(z.object({ id: z.enum(DEPARTMENTS), name: z.string() })).describe('each competent department as an answer names it ({department})'),
  })
  .meta({ id: 'AnswerTemplates' });
