// The Fastify app as a plugin: the server file builds the instance and listens, tests build the same
// app and call `inject`. Here the app is only composed: the concerns every route shares are plugins
// (api/plugins/), each resource's routes a folder (api/routes/) whose handlers call the use cases
// (cases.ts, lists.ts, stats.ts, tracking.ts, health.ts, org.ts) — the only way a route reaches data.

import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type client from 'prom-client';
import type { Db } from '../db/client.js';
import type { Policy } from '../domain/policy.js';
import type { JwtSettings } from '../platform/config.js';
import type { OrgDirectory } from './org.js';
import authentication from './plugins/authentication.js';
import authorization from './plugins/authorization.js';
import consolePlugin from './plugins/console.js';
import docs from './plugins/docs.js';
import errors from './plugins/errors.js';
import input from './plugins/input.js';
import metrics from './plugins/metrics.js';
import security, { type SecurityOptions } from './plugins/security.js';
import services from './plugins/services.js';
import session from './plugins/session.js';
import actionRoutes from './routes/actions/index.js';
import auditRoutes from './routes/audit/index.js';
import caseRoutes from './routes/cases/index.js';
import fileRoutes from './routes/files/index.js';
import healthRoutes from './routes/health/index.js';
import keyRoutes from './routes/keys/index.js';
import orgRoutes from './routes/org/index.js';
import sessionRoutes from './routes/session/index.js';
import similarRoutes from './routes/similar/index.js';
import statsRoutes from './routes/stats/index.js';
import streamRoutes from './routes/stream/index.js';
import suggestionRoutes from './routes/suggestions/index.js';
import publicityRoutes from './routes/publicity/index.js';
import dutyRoutes from './routes/duties/index.js';
import deadLetterRoutes from './routes/dead-letters/index.js';
import type { SenderRouting } from '../activities/senders.js';
import { type DutiesPolicy, thresholdsOf } from '../platform/duties-policy.js';
import scorecardRoutes from './routes/scorecard/index.js';
import type { ScorecardPolicy } from '../domain/scorecard.js';
import templateRoutes from './routes/templates/index.js';
import trackingRoutes from './routes/tracking/index.js';
import hotlineRoutes from './routes/hotline/index.js';
import type { HotlineMapping } from '../platform/hotline-mapping.js';
import type { DispatchPolicy } from '../platform/dispatch-policy.js';
import publicRoutes from './routes/public/index.js';
import qrRoutes from './routes/qr/index.js';
import open311Routes from './open311/index.js';

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  policy: Policy;
  org: OrgDirectory;
  actionTimeoutMs?: number;
  /** prom-client registry for /metrics; each app gets its own so tests can build many. */
  metrics?: client.Registry;
  /** Bearer JWTs from an identity provider beside API keys (AUTH_JWKS_URL); unset, API keys only. */
  jwt?: JwtSettings;
  /** How a pushed 12345 work order becomes a case (HOTLINE_MAPPING_FILE); unset, policy/hotline-mapping.json. */
  hotlineMapping?: HotlineMapping;
  /** Rate limits and CORS origins (api/plugins/security.ts); unset, no limits and no CORS, as in the tests. */
  security?: SecurityOptions;
  /** The duty thresholds (DUTIES_POLICY_FILE); unset, read from policy/duties.json at start (a bad file stops it). */
  dutiesPolicy?: DutiesPolicy;
  /** The scorecard's formula (SCORECARD_POLICY_FILE); unset, read from policy/scorecard.json (a bad file stops the start). */
  scorecardPolicy?: ScorecardPolicy;
  /** Where dead letters are redelivered: the webhooks of the settings (sendersFromConfig), as the workers'; unset, the log. */
  senders?: SenderRouting;
  /** Smart dispatch's phrase model and auto-dispatch (DISPATCH_POLICY_FILE); unset, read from policy/dispatch.json (a bad file stops the start). */
  dispatchPolicy?: DispatchPolicy;
  /** Days before the working-day calendar's end from which /readyz reports it running out (CALENDAR_WARN_DAYS); unset, 60. */
  calendarWarnDays?: number;
}

export async function buildApp(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Shared concerns first: their hooks and handlers then apply to every route registered after them.
  await app.register(input);
  await app.register(errors);
  // The console's cookie becomes a Bearer key before anything reads the key: the rate limits count it
  // against the key, and authentication has one code path.
  await app.register(session);
  // Before authentication: a refused request costs no key lookup, and every answer has its headers.
  await app.register(security, deps.security ?? {});
  await app.register(authentication, { db: deps.db, org: deps.org, jwt: deps.jwt });
  await app.register(authorization);
  await app.register(metrics, { temporal: deps.temporal, registry: deps.metrics, db: deps.db });
  await app.register(docs);
  await app.register(services, deps);

  await app.register(healthRoutes, { calendarWarnDays: deps.calendarWarnDays });
  await app.register(caseRoutes);
  await app.register(actionRoutes);
  await app.register(fileRoutes);
  await app.register(statsRoutes);
  await app.register(orgRoutes);
  await app.register(trackingRoutes);
  await app.register(hotlineRoutes, { mapping: deps.hotlineMapping });
  await app.register(publicRoutes);
  await app.register(qrRoutes);
  await app.register(open311Routes);
  await app.register(keyRoutes);
  await app.register(auditRoutes);
  await app.register(streamRoutes);
  await app.register(sessionRoutes);
  await app.register(similarRoutes);
  await app.register(templateRoutes);
  await app.register(suggestionRoutes);
  await app.register(publicityRoutes);
  await app.register(dutyRoutes, { policy: deps.dutiesPolicy });
  await app.register(scorecardRoutes, { settings: { policy: deps.scorecardPolicy, duty: deps.dutiesPolicy && thresholdsOf(deps.dutiesPolicy) } });
  await app.register(deadLetterRoutes, { senders: deps.senders });
  await app.register(consolePlugin);
}
