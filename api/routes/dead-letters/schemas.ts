// The dead-letter list as the HTTP contract gives it: a page like the other lists (`next` as the cursor),
// one dead letter with its message, and what a redelivery did.

import { z } from 'zod';

const RECIPIENTS = ['citizen', 'officer', 'supervisor', 'reporter', 'desk', 'partner', 'hotline', 'demolition_office'] as const;
const SENDERS = ['notify', 'partner', 'hotline', 'demolition'] as const;

const filters = {
  unit: z.string().max(64).optional().describe("messages of the cases (suggestions, publicity items, duty shortfalls) of this unit and below, inside the caller's own; by default the caller's unit"),
  caseId: z.string().min(1).max(200).optional().describe('the messages of one case, suggestion, publicity item or duty shortfall'),
  recipient: z.enum(RECIPIENTS).optional(),
  sender: z.enum(SENDERS).optional().describe('the webhook that failed: notify (NOTIFY_WEBHOOK_URL), partner, hotline or demolition'),
  kind: z.string().min(1).max(64).optional().describe('the kind of message, such as disposal_result'),
};

export const deadLetterListQuerySchema = z.strictObject({
  status: z.enum(['waiting', 'redelivered', 'all']).default('waiting').describe('waiting for redelivery (the default), redelivered, or all'),
  ...filters,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export const deadLetterParams = z.strictObject({ id: z.string().min(1).max(200) });

const deadLetterFields = {
  id: z.string().describe("the outbox message's id: its `webhook-id` on every delivery, so a receiver drops a message it already has"),
  caseId: z.string(),
  recipient: z.enum(RECIPIENTS),
  to: z.string().describe("the unit path or principal the message is for; a citizen's tracking code masked"),
  kind: z.string(),
  sender: z.string().describe('the webhook that failed'),
  unitPath: z.string().describe('the unit its case lies in (the city when it has none): whose administrators see it'),
  status: z.enum(['waiting', 'redelivered']),
  error: z.string().describe('the last failure: the webhook\'s answer, or why it could not be reached'),
  attempts: z.number().int().describe('delivery attempts before it was moved here'),
  createdAt: z.string().describe('when the message was written'),
  firstAttemptAt: z.string(),
  deadAt: z.string().describe('when it was moved to the list and its workflow went on'),
  redeliveryAttempts: z.number().int(),
  lastTriedAt: z.string().optional(),
  redeliveredAt: z.string().optional(),
};

export const deadLetterSummarySchema = z.object(deadLetterFields).meta({ id: 'DeadLetterSummary' });

export const deadLetterSchema = z
  .object({ ...deadLetterFields, body: z.record(z.string(), z.unknown()).describe('the message, with phone and identity numbers masked') })
  .meta({ id: 'DeadLetter' });

export const deadLetterListSchema = z
  .object({ deadLetters: z.array(deadLetterSummarySchema), next: z.string().optional() })
  .meta({ id: 'DeadLetterList' });

export const redeliveryResultSchema = z
  .object({
    delivered: z.boolean().describe('true when the webhook took it now; false when it failed again and stays on the list'),
    error: z.string().optional().describe('why it failed again'),
    deadLetter: deadLetterSummarySchema,
  })
  .meta({ id: 'RedeliveryResult' });

export const redeliverAllSchema = z
  .strictObject({ ...filters, limit: z.number().int().min(1).max(500).default(100).describe('at most this many, oldest first') })
  .meta({ id: 'RedeliverAll' });

export const redeliveryRunSchema = z
  .object({
    delivered: z.array(z.string()).describe('the ids the webhooks took'),
    failed: z.array(z.object({ id: z.string(), error: z.string() })).describe('the ids that failed again, with why'),
    skipped: z.array(z.string()).describe('not tried: their webhook had just failed in this run, or another redelivery held them'),
    waiting: z.number().int().describe('dead letters matching the filter still waiting after the run'),
  })
  .meta({ id: 'RedeliveryRun' });
