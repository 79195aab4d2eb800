import { z } from 'zod';
import { caseSchema } from '../../schemas.js';

export const similarListSchema = z
  .object({
    similar: z.array(
      z.object({
        similarity: z.number().min(0).max(1).describe("how alike the two complaints' texts are: 1 the same, 0 nothing in common"),
        case: caseSchema,
      }),
    ),
  })
  .meta({ id: 'SimilarCases' });

export const duplicateHintListSchema = z
  .object({
    radiusM: z.number().int().describe('how near a case with coordinates must be to be proposed (DUPLICATE_RADIUS_M), in metres'),
    duplicates: z.array(
      z.object({
        distanceM: z.number().int().min(0).optional().describe('metres between the two, when both have coordinates'),
        sameAddress: z.boolean().describe('whether the two addresses are the same place once normalised'),
        case: caseSchema,
      }),
    ),
  })
  .meta({ id: 'DuplicateHints' });
