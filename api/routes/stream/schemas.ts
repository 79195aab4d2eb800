import { z } from 'zod';

export const streamQuerySchema = z.strictObject({
  unit: z.string().max(64).optional().describe("a unit id: events of the cases that lie or are handled in it (by default the caller's own unit)"),
});

/** The 200 answer: not JSON but a stream of Server-Sent Events, each event's `data` a JSON object. */
export const eventStreamAnswer = {
  description: 'A stream of Server-Sent Events, open until the client leaves or the server closes it.',
  content: {
    'text/event-stream': {
      schema: z
        .string()
        .describe(
          'First `event: ready` (with `retry:`, the reconnection delay); then one `event: case` per case event, `id: <caseId>:<seq>` and `data` a JSON object ' +
            '{caseId, seq, type, from, to, at, assignedUnitPath, squadPath, channel, overdue, deadlineAt}; and a `: heartbeat` comment every 15 s.',
        ),
    },
  },
};
