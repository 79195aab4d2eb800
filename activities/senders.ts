// Where notifications go. One interface, two senders: the log (default) and a signed webhook.

import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { NotificationRow } from '../db/schema.js';
import type { Citizen } from '../domain/case.js';
import { redactValue } from '../domain/privacy.js';

export interface Sender {
  readonly name: string;
  /**
   * True for a sender that cannot fail or stall (the log): its messages go out with the projection
   * itself, costing no round trip. Others get their own activity, retried by Temporal.
   */
  readonly inline: boolean;
  /** Sends one message; throws to have Temporal retry the delivery. `citizen` is whom to mask in its text. */
  send(n: NotificationRow, citizen?: Citizen): Promise<void>;
}

export class LogSender implements Sender {
  readonly name = 'log';
  readonly inline = true;
  constructor(private readonly log: Logger) {}
  async send(n: NotificationRow): Promise<void> {
    // A citizen's messages go to the case's tracking code, the citizen's own key to it: not for the log.
    const to = n.recipient === 'citizen' ? undefined : n.to;
    this.log.info({ caseId: n.caseId, notificationId: n.id, recipient: n.recipient, to, kind: n.kind }, 'notification');
  }
}

export const SIGNATURE_HEADER = 'x-bangnong-signature';

/**
 * What a message may carry out of the service. Messages for the newspaper (the partner platform and
 * its reporters) go with phone and identity numbers masked in their text, as the authorisation table
 * masks them for reporters; the rest go to the enforcement side and the citizen as written.
 */
export function outgoingBody(n: Pick<NotificationRow, 'recipient' | 'body'>, citizen?: Citizen): Record<string, unknown> {
  // The partner desk is told the citizen masked; a reporter, nothing of the citizen at all (api/access.ts).
  return forTheNewspaper(n) ? redactValue(n.body, citizen, n.recipient === 'reporter' ? 'hidden' : 'masked') : n.body;
}

export const forTheNewspaper = (n: Pick<NotificationRow, 'recipient'>): boolean => n.recipient === 'partner' || n.recipient === 'reporter';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs the message as JSON, signed with HMAC-SHA256 over the exact body. The notification id
 * travels as Idempotency-Key: a retry after a lost answer may deliver twice, and receivers dedupe.
 */
export class WebhookSender implements Sender {
  readonly inline = false;
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async send(n: NotificationRow, citizen?: Citizen): Promise<void> {
    const body = JSON.stringify({ id: n.id, caseId: n.caseId, recipient: n.recipient, to: n.to, kind: n.kind, body: outgoingBody(n, citizen), createdAt: n.createdAt });
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': n.id, [SIGNATURE_HEADER]: signBody(this.secret, body) },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`${this.name} webhook ${this.url} answered ${res.status} for notification ${n.id}`);
  }
}

/**
 * Routes each message: to the partner platform, the 12345 platform or the districts' demolition offices
 * when each has its own webhook configured; everything else, and those when they have none, to the main
 * sender.
 */
export interface SenderRouting {
  main: Sender;
  partner?: Sender;
  hotline?: Sender;
  demolitionOffice?: Sender;
}

export function senderFor(routing: SenderRouting, n: Pick<NotificationRow, 'recipient'>): Sender {
  switch (n.recipient) {
    case 'partner':
      return routing.partner ?? routing.main;
    case 'hotline':
      return routing.hotline ?? routing.main;
    case 'demolition_office':
      return routing.demolitionOffice ?? routing.main;
    default:
      return routing.main;
  }
}
