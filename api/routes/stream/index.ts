// The live stream: GET /v1/stream, Server-Sent Events of the case events a supervisor's console (or any
// reader of the lists) may see, as they are committed. The stream and its listener live in api/stream.ts.

import { fastifySSE } from '@fastify/sse';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CaseEventHub, missedEvents, streamEventId, streamScope } from '../../stream.js';
import type { CaseEventNotice } from '../../../db/queries/cases.js';
import { errorAnswers } from '../../schemas.js';
import { eventStreamAnswer, streamQuerySchema } from './schemas.js';

/** Streams one instance serves at most: each holds a socket and a little memory. */
const MAX_STREAMS = 1_000;
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before it reconnects. */
const RETRY_MS = 3_000;
/** A client this far behind (bytes not yet taken) is dropped, and reconnects to be replayed what it missed. */
const MAX_BUFFERED = 1 << 20;

const stream: FastifyPluginAsyncZod = async (app) => {
  await app.register(fastifySSE, { heartbeatInterval: HEARTBEAT_MS });
  const hub = new CaseEventHub(app.services.db, app.log, MAX_STREAMS);
  await hub.ready;
  // A revoked key's streams end at once: it is not let in again.
  app.watchKeyChanges((principalId) => hub.endFor(principalId));
  // Before the server stops taking connections: an open stream would otherwise hold `close` up.
  app.addHook('preClose', async () => hub.endAll());
  app.addHook('onClose', async () => hub.close());

  app.get(
    '/v1/stream',
    {
      config: { access: 'case.stream' },
      sse: { kind: 'only' },
      schema: {
        operationId: 'streamCaseEvents',
        tags: ['cases'],
        summary: 'Live: the case events of a unit, as Server-Sent Events',
        description:
          'Each event of a case the caller may see (as the lists do) in `unit`, as it is committed. An event carries no citizen data and no free text — ' +
          'the case, the transition, its time, the units, channel and deadline — so nothing in it is masked; read the case for the rest. ' +
          'A client that reconnects with `Last-Event-ID` is first sent the events it missed since (at most 500; past that, refetch the lists).',
        querystring: streamQuerySchema,
        response: { 200: eventStreamAnswer, ...errorAnswers(400, 401, 403, 503) },
        answers: {
          200: eventStreamAnswer.description,
          503: 'This instance serves as many streams as it takes, or cannot hear case events (PostgreSQL out of reach): retry shortly.',
        },
      },
    },
    async (request, reply) => {
      const scope = await streamScope(app.services, request.principal!, request.query.unit);
      const send = (n: CaseEventNotice) => reply.sse.send({ id: streamEventId(n), event: 'case', data: n });
      const unsubscribe = hub.subscribe({
        scope,
        deliver: (n) => {
          if (reply.raw.writableLength > MAX_BUFFERED) return reply.sse.close();
          send(n).catch(() => reply.sse.close());
        },
        end: () => reply.sse.close(),
      });
      reply.sse.onClose(unsubscribe);
      reply.sse.keepAlive();
      await reply.sse.send({ event: 'ready', data: { unit: scope.unit?.id ?? null }, retry: RETRY_MS });
      for (const n of await missedEvents(app.services.db, scope, reply.sse.lastEventId)) await send(n);
    },
  );
};

export default stream;
