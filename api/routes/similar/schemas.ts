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
