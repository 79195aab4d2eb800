import { z } from 'zod';
import { RATINGS } from '../../../domain/case.js';

export const trackParams = z.strictObject({ trackingCode: z.string().min(4).max(32) });

export const publicCaseSchema = z.object({
  trackingCode: z.string(),
  state: z.string(),
  outcome: z.string().optional(),
  category: z.string().optional(),
  title: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  answer: z.string().optional(),
  rating: z.enum(RATINGS).optional(),
  canRate: z.boolean(),
  timeline: z.array(z.object({ type: z.string(), at: z.string(), state: z.string() })),
});

export const ratingBodySchema = z.strictObject({ rating: z.enum(RATINGS), comment: z.string().max(2000).optional() });

export const ratedSchema = z.object({ trackingCode: z.string(), rating: z.enum(RATINGS) });
