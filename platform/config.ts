// Every setting Bangnong reads, in one place, validated once at start-up.
// A wrong or missing value stops the process with a message that names the variable.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(1).max(65535);
const optionalUrl = z.url().optional();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default(path.join(REPO_ROOT, '.data')),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .describe('Postgres to use; unset, an embedded Postgres runs under DATA_DIR'),
  EMBEDDED_PG_PORT: port.default(54329),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),

  TEMPORAL_ADDRESS: z.string().optional().describe('host:port of a Temporal frontend; unset, a dev server runs under DATA_DIR'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('bangnong-cases'),
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),

  POLICY_FILE: z.string().default(path.join(REPO_ROOT, 'policy', 'deadlines.json')),
  CALENDAR_FILE: z.string().default(path.join(REPO_ROOT, 'policy', 'calendar.json')),

  NOTIFY_WEBHOOK_URL: optionalUrl.describe('where messages for citizens, officers, supervisors and reporters are POSTed'),
  NOTIFY_WEBHOOK_SECRET: z.string().min(16).optional(),
  PARTNER_WEBHOOK_URL: optionalUrl.describe('the 新民帮侬忙 platform: disposal results are POSTed here'),

  WORKFLOW_BUNDLE: z.string().optional().describe('a prebuilt workflow bundle (`up` writes one); unset, the worker bundles at start'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(1).default(20),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).default(100),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Bangnong cannot start: fix these settings (environment variables):\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.NOTIFY_WEBHOOK_URL && !config.NOTIFY_WEBHOOK_SECRET) {
    throw new ConfigError('Bangnong cannot start: NOTIFY_WEBHOOK_URL is set but NOTIFY_WEBHOOK_SECRET is not (at least 16 characters, used to sign each body)');
  }
  if (config.PARTNER_WEBHOOK_URL && !config.NOTIFY_WEBHOOK_SECRET) {
    throw new ConfigError('Bangnong cannot start: PARTNER_WEBHOOK_URL is set but NOTIFY_WEBHOOK_SECRET is not (it signs the partner deliveries too)');
  }
  if (Boolean(config.TEMPORAL_TLS_CERT) !== Boolean(config.TEMPORAL_TLS_KEY)) {
    throw new ConfigError('Bangnong cannot start: set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY together (mTLS client certificate and key)');
  }
  return config;
}
