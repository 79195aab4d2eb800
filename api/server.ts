// The API process: builds the Fastify instance, connects to Postgres and Temporal, listens, and closes
// gracefully on SIGINT/SIGTERM. `./bangnong up` starts it with the embedded services' addresses.

import Fastify, { type FastifyBaseLogger, type FastifyListenOptions } from 'fastify';
import { connectDatabase } from '../db/client.js';
import { ConfigError, jwtSettings, loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { loadPolicy } from '../platform/policy-file.js';
import { connectClient, ensureSearchAttributes, temporalSettings } from '../platform/temporal.js';
import { sendersFromConfig } from '../activities/senders.js';
import { buildApp } from './app.js';
import { OrgDirectory } from './org.js';
import { loadDispatchPolicy } from '../platform/dispatch-policy.js';
import { loadHotlineMapping } from '../platform/hotline-mapping.js';
import { loadScorecardPolicy } from '../platform/scorecard-policy.js';
import { startTracing, tracingSettings } from '../platform/telemetry.js';
import { calendarOutlook } from '../domain/calendar.js';

async function main() {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'api');
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new ConfigError('the API needs DATABASE_URL and TEMPORAL_ADDRESS; `./bangnong up` sets both for the embedded defaults');
  }
  const policy = loadPolicy(config.POLICY_FILE, config.CALENDAR_FILE);
  // A calendar running out stops nothing (deadlines past it count Monday to Friday), but is said at once.
  const calendar = calendarOutlook(policy, new Date(), config.CALENDAR_WARN_DAYS);
  if (calendar.status !== 'ok') {
    log.warn({ calendar }, `the working-day calendar covers through ${calendar.coversThrough ?? 'no date at all'}: add the next year's holidays and make-up days to ${config.CALENDAR_FILE} (README "The working-day calendar")`);
  }
  // Before the Temporal client and the routes: both take their tracing from it. Unset, nothing is loaded.
  const tracing = await startTracing(tracingSettings(config, 'api'), log);
  // Before any connection: a scorecard formula nobody wrote stops the start, naming the wrong field.
  const scorecardPolicy = loadScorecardPolicy(config.SCORECARD_POLICY_FILE);
  const dispatchPolicy = loadDispatchPolicy(config.DISPATCH_POLICY_FILE);
  const database = connectDatabase(config.DATABASE_URL, { max: config.DB_POOL_SIZE });
  const { client: temporal, connection } = await connectClient(temporalSettings(config), tracing && { workflow: tracing.clientInterceptors.workflow });
  await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE, log);
  const org = await new OrgDirectory(database.db).load();
  // A request must arrive whole within 60 s and its headers within 15 s, so slow senders hold no socket
  // for long; a socket silent for 2 min is closed (an action waits at most 30 s for its case); between
  // requests a connection is kept 72 s, longer than a load balancer's usual 60 s, so the balancer closes it.
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    requestTimeout: 60_000,
    http: { headersTimeout: 15_000 },
    connectionTimeout: 120_000,
    keepAliveTimeout: 72_000,
    trustProxy: config.TRUST_PROXY ?? false,
  });
  if (tracing) await app.register(tracing.fastifyPlugin);
  await buildApp(app, {
    db: database.db,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    policy,
    org,
    hotlineMapping: loadHotlineMapping(config.HOTLINE_MAPPING_FILE),
    scorecardPolicy,
    dispatchPolicy,
    calendarWarnDays: config.CALENDAR_WARN_DAYS,
    jwt: jwtSettings(config),
    // Dead letters are redelivered from here, through the same webhooks as the workers'.
    senders: sendersFromConfig(log, config),
    security: {
      rateLimit: { perMinute: config.RATE_LIMIT_PER_MINUTE, publicPerMinute: config.RATE_LIMIT_PUBLIC_PER_MINUTE },
      corsOrigins: config.CORS_ORIGINS,
    },
  });
  app.addHook('onClose', async () => {
    await temporal.connection.close();
    await database.close();
    await tracing?.shutdown();
  });
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      log.info({ signal }, 'closing the API');
      app.close().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'API did not close cleanly');
          process.exit(1);
        },
      );
    });
  }
  // API_REUSE_PORT: several API processes listen on one port and the kernel spreads the connections
  // among them (SO_REUSEPORT, Linux; Node 24's `reusePort`) — how `./bangnong cluster` runs two.
  const listen: FastifyListenOptions & { reusePort?: boolean } = { host: config.API_HOST, port: config.API_PORT, ...(config.API_REUSE_PORT && { reusePort: true }) };
  await app.listen(listen);
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
