// The live stream of case events (GET /v1/stream): each API instance LISTENs once for the events the
// projection announces at commit (db/queries/cases.ts, `projectCase`) and hands each to the streams open
// on it whose principal the authorisation table lets see the case ('case.stream', where the case lies or
// is handled, and a bound key's channel) and whose unit it lies or is handled in. A notice carries no
// citizen data and no free text, so nothing in the stream needs masking.

import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.js';
import { type Listener, listen } from '../db/listener.js';
import { CASE_EVENTS_CHANNEL, type CaseEventNotice, listCaseEventNoticesAfter } from '../db/queries/cases.js';
import type { Principal } from '../db/queries/principals.js';
import { refusal } from '../domain/access.js';
import type { Channel } from '../domain/case.js';
import { isWithin } from '../domain/units.js';
import { unitInScope } from './access.js';
import type { CaseServiceDeps } from './cases.js';
import { HttpError } from './errors.js';

/** Who a stream is for, and the unit it covers (none: every case the principal may see). */
export interface StreamScope {
  principal: Principal;
  unit?: { id: string; kind: 'city' | 'district' | 'squad'; path: string };
}

/** The unit asked for, checked as a list's is: by default the principal's own. */
export async function streamScope(deps: Pick<CaseServiceDeps, 'org'>, principal: Principal, requested: string | undefined): Promise<StreamScope> {
  const unit = await unitInScope(deps.org, principal, 'case.stream', requested);
  const row = unit && (await deps.org.unit(unit.id));
  return { principal, ...(unit && row ? { unit: { ...unit, path: row.path } } : {}) };
}

/** Whether a stream of `scope` shows the event: the case lies or is handled in its unit, and the table lets its principal see it. */
export function streamShows(scope: StreamScope, notice: CaseEventNotice): boolean {
  const units = [notice.assignedUnitPath, notice.squadPath ?? undefined];
  const inUnit = !scope.unit || units.some((u) => u !== undefined && (u === scope.unit!.path || isWithin(u, scope.unit!.path)));
  return inUnit && refusal(scope.principal, 'case.stream', { units, channel: notice.channel as Channel }) === undefined;
}

/** An event's SSE id, which a reconnecting client sends back as Last-Event-ID. */
export const streamEventId = (n: Pick<CaseEventNotice, 'caseId' | 'seq'>) => `${n.caseId}:${n.seq}`;

function parseEventId(id: string | null | undefined): { caseId: string; seq: number } | undefined {
  const m = id ? /^(.{1,100}):(\d{1,9})$/.exec(id) : null;
  return m ? { caseId: m[1]!, seq: Number(m[2]) } : undefined;
}

/** At most this many events are replayed to a reconnecting client; past it, it refetches its lists. */
export const REPLAY_LIMIT = 500;

/** The events a reconnecting client missed after `lastEventId`, that its stream shows. */
export async function missedEvents(db: Db, scope: StreamScope, lastEventId: string | null | undefined): Promise<CaseEventNotice[]> {
  const after = parseEventId(lastEventId);
  if (!after) return [];
  const notices = await listCaseEventNoticesAfter(db, { after, unit: scope.unit, limit: REPLAY_LIMIT });
  return notices.filter((n) => streamShows(scope, n));
}

export interface Subscriber {
  scope: StreamScope;
  deliver(notice: CaseEventNotice): void;
  /** The server ends the stream (closing, or the feed lost events); the client reconnects. */
  end(): void;
}

/** The streams open on this instance, fed by one LISTEN. */
export class CaseEventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly listener: Listener;

  constructor(
    db: Db,
    private readonly log: FastifyBaseLogger,
    readonly maxStreams: number,
  ) {
    let failing = false;
    this.listener = listen(db, [CASE_EVENTS_CHANNEL], {
      notified: (_channel, payload) => this.fanOut(payload),
      connected: () => {
        failing = false;
        log.info('listening for case events: the live stream is on');
      },
      // Events committed while the connection is down are never heard: every stream ends, and its client
      // reconnects with Last-Event-ID once the listener is back, and is replayed what it missed.
      disconnected: () => {
        log.warn({ streams: this.subscribers.size }, 'the case-event listener lost its connection: ending the live streams');
        this.endAll();
      },
      failed: (err) => {
        if (!failing) log.warn({ err }, 'cannot listen for case events: no live stream until it can; trying again');
        failing = true;
      },
    });
  }

  get ready(): Promise<void> {
    return this.listener.ready;
  }

  get open(): number {
    return this.subscribers.size;
  }

  /** Adds a stream; 503 past the limit, or while this instance hears no events. Returns its removal. */
  subscribe(subscriber: Subscriber): () => void {
    if (!this.listener.connected) throw new HttpError(503, 'the live stream is unavailable: this instance cannot listen for case events (PostgreSQL out of reach); retry shortly');
    if (this.subscribers.size >= this.maxStreams) throw new HttpError(503, `this instance serves ${this.maxStreams} live streams already; retry shortly`);
    this.subscribers.add(subscriber);
    this.log.debug({ streams: this.subscribers.size }, 'live stream opened');
    return () => {
      if (this.subscribers.delete(subscriber)) this.log.debug({ streams: this.subscribers.size }, 'live stream closed');
    };
  }

  private fanOut(payload: string): void {
    let notice: CaseEventNotice;
    try {
      notice = JSON.parse(payload) as CaseEventNotice;
    } catch (err) {
      this.log.error({ err }, 'a case-event notification that is not JSON');
      return;
    }
    for (const s of this.subscribers) if (streamShows(s.scope, notice)) s.deliver(notice);
  }

  /** Ends the streams of a principal whose keys changed: each reconnects, and is let in again only if its key still is. */
  endFor(principalId: string): void {
    for (const s of [...this.subscribers]) {
      if (s.scope.principal.id === principalId) {
        this.subscribers.delete(s);
        s.end();
      }
    }
  }

  endAll(): void {
    for (const s of [...this.subscribers]) s.end();
    this.subscribers.clear();
  }

  async close(): Promise<void> {
    this.endAll();
    await this.listener.close();
  }
}
