// Field schemas shared by the actions' bodies (lifecycle.ts) and the API's other schemas. zod is pure
// JavaScript, so these travel into the workflow bundle with the action definitions.

import { z } from 'zod';

export const text = (max: number) => z.string().trim().min(1).max(max);
export const optionalNote = z.string().max(5000).optional();

export const attachmentSchema = z.strictObject({
  url: z.url().max(2000),
  name: z.string().max(200).optional(),
  contentType: z.string().max(100).optional(),
});

export const attachmentsField = z.array(attachmentSchema).max(50).optional();
