// Where notifications go. One interface, two senders: the log (default) and a webhook signed as Standard
// Webhooks sign.

import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
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

const WHSEC = 'whsec_';

/**
 * The signing key NOTIFY_WEBHOOK_SECRET stands for. A Standard Webhooks secret (`whsec_` and base64, as
 * their libraries and most webhook services write them) is its decoded bytes; any other string, its UTF-8
 * bytes — receivers then verify with `receiverSecret(secret)`.
 */
export function webhookSigner(secret: string): Webhook {
  return secret.startsWith(WHSEC) ? new Webhook(secret) : new Webhook(new Uint8Array(Buffer.from(secret, 'utf8')), { format: 'raw' });
}

/** The secret as a receiver's Standard Webhooks library takes it: itself when it is a `whsec_` secret, else `whsec_` and the base64 of its UTF-8 bytes. */
export const receiverSecret = (secret: string): string => (secret.startsWith(WHSEC) ? secret : `${WHSEC}${Buffer.from(secret, 'utf8').toString('base64')}`);

/** The URL as errors show it: no query or credentials, where a token may hide. */
const shown = (url: string) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/**
 * POSTs the message as JSON, signed as Standard Webhooks sign (https://www.standardwebhooks.com):
 * `webhook-id` is the outbox id, the same on every retry and redelivery, so a receiver that got a message
 * twice (a lost answer) drops the second; `webhook-timestamp` is when this attempt left; `webhook-signature`
 * is `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`. Any Standard Webhooks library verifies it.
 */
export class WebhookSender implements Sender {
  readonly inline = false;
  private readonly signer: Webhook;
  constructor(
    readonly name: string,
    private readonly url: string,
    secret: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.signer = webhookSigner(secret);
  }

  async send(n: NotificationRow, citizen?: Citizen): Promise<void> {
    const body = JSON.stringify({ id: n.id, caseId: n.caseId, recipient: n.recipient, to: n.to, kind: n.kind, body: outgoingBody(n, citizen), createdAt: n.createdAt });
    const now = new Date();
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': n.id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': this.signer.sign(n.id, now, body),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (err as Error).message);
      throw new Error(`${this.name} webhook ${shown(this.url)} unreachable for notification ${n.id}: ${why}`, { cause: err });
    }
    await res.body?.cancel();
    if (!res.ok) throw new Error(`${this.name} webhook ${shown(this.url)} answered ${res.status} for notification ${n.id}`);
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

/** The senders the settings name: a webhook for each *_WEBHOOK_URL set, the log for the rest. */
export function sendersFromConfig(
  log: Logger,
  config: { NOTIFY_WEBHOOK_URL?: string; NOTIFY_WEBHOOK_SECRET?: string; PARTNER_WEBHOOK_URL?: string; HOTLINE_WEBHOOK_URL?: string; DEMOLITION_WEBHOOK_URL?: string },
): SenderRouting {
  const webhook = (name: string, url: string | undefined) => (url ? new WebhookSender(name, url, config.NOTIFY_WEBHOOK_SECRET!) : undefined);
  return {
    main: webhook('notify', config.NOTIFY_WEBHOOK_URL) ?? new LogSender(log),
    partner: webhook('partner', config.PARTNER_WEBHOOK_URL),
    hotline: webhook('hotline', config.HOTLINE_WEBHOOK_URL),
    demolitionOffice: webhook('demolition', config.DEMOLITION_WEBHOOK_URL),
  };
}
