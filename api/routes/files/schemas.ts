import { z } from 'zod';
import { FILE_TYPES } from '../../files.js';

export const fileParams = z.strictObject({ id: z.string().min(1).max(64) });

export const fileSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    name: z.string().describe('the file name as uploaded, made a name (never a path), ending as its type does'),
    type: z.enum(Object.keys(FILE_TYPES) as [keyof typeof FILE_TYPES, ...(keyof typeof FILE_TYPES)[]]).describe('what the bytes are, read from them'),
    size: z.number().int().describe('bytes'),
    sha256: z.string().describe('of the bytes, hex'),
    owner: z.string().describe('the principal who uploaded it'),
    createdAt: z.string(),
    url: z.string().describe('GET it for the bytes'),
    previewUrl: z.string().optional().describe('images only: a copy at most 1280 px on its long side, JPEG'),
  })
  .meta({ id: 'File' });

export const fileListSchema = z.object({ files: z.array(fileSchema) }).meta({ id: 'FileList' });

/**
 * The upload's body as the description shows it: multipart/form-data with the file in a part named
 * `file`. The route reads the parts as a stream (@fastify/multipart), so there is no parsed body to
 * validate (Fastify hands the validator null); a JSON body is checked against this shape and refused.
 */
export const uploadBody = z
  .strictObject({ file: z.string().meta({ format: 'binary' }).describe(`the file: ${Object.keys(FILE_TYPES).join(', ')}`) })
  .nullish();

const binary = z.string().meta({ format: 'binary' });

/** The 200 answer of a download: the bytes, as the type they are. */
export const fileBytesAnswer = {
  description: 'The bytes, with the type read from them on upload; images and video inline, other files as a download.',
  content: Object.fromEntries(Object.keys(FILE_TYPES).map((type) => [type, { schema: binary }])),
};

export const previewAnswer = {
  description: 'The image at most 1280 px on its long side, as JPEG.',
  content: { 'image/jpeg': { schema: binary } },
};
