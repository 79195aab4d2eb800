// Field schemas shared by the actions' bodies (workflows/lifecycle.ts) and the case's shape
// (domain/case-schemas.ts). They are built from the zod they are given, not imported: the lifecycle's
// definitions travel into the workflow sandbox, where each cached workflow would carry its own copy of
// zod (measured: 1.6 MB instead of 0.4 MB per cached case). The API and the db pass the real zod.

import type { z as Zod } from 'zod';

export type Z = typeof Zod;

/** The fields the actions' bodies are made of, built from `z`. */
export function fieldKit(z: Z) {
  // A link a person will open: http or https only (never javascript:, file: or data:), and a file name,
  // not a path.
  const link = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000, 'must be at most 2,000 characters');
  const name = z
    .string()
    .max(200)
    .refine((name) => !/[/\\]|^\.\.?$/.test(name), 'must be a file name, not a path')
    .optional();
  const contentType = z.string().max(100).optional();
  const attachment = z.strictObject({ url: link, name, contentType });
  // An action's attachment is a link, or a file uploaded to the case (POST /v1/cases/{id}/files): exactly
  // one of the two. The API checks that a fileId names a file of the case the action is for, and fills in
  // its name and type.
  const actionAttachment = z
    .strictObject({
      url: link.optional(),
      fileId: z.string().min(1).max(64).optional().describe('a file uploaded to this case (POST /v1/cases/{id}/files), instead of url'),
      name,
      contentType,
    })
    .superRefine((a, ctx) => {
      if ((a.url === undefined) !== (a.fileId === undefined)) return;
      ctx.addIssue({
        code: 'custom',
        path: [a.url === undefined ? 'url' : 'fileId'],
        message: 'give exactly one of url (a link) and fileId (a file uploaded to this case)',
      });
    });
  return {
    z,
    /** Text a person must give: trimmed, not empty. */
    text: (max: number) => z.string().trim().min(1).max(max),
    optionalNote: z.string().max(5000).optional(),
    /** A link a person will open (the published news item): http or https, at most 2,000 characters. */
    link,
    attachment,
    /** An action's attachments: links, or files uploaded to the case. */
    attachments: z.array(actionAttachment).max(50).optional(),
  };
}

export type FieldKit = ReturnType<typeof fieldKit>;
