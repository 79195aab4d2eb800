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
const DURATION_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration as a number and a unit, `90s`, `30m`, `24h`, `3d`: in milliseconds, from 1 s to 30 days. */
const duration = z
  .string()
  .regex(/^\d+[smhd]$/, 'must be a number and a unit: 90s, 30m, 24h or 3d')
  .transform((v) => Number(v.slice(0, -1)) * DURATION_UNITS_MS[v.slice(-1) as keyof typeof DURATION_UNITS_MS])
  .refine((ms) => ms >= 1_000 && ms <= 30 * 86_400_000, 'must be between 1s and 30d');
/** `whsec_` and standard base64 of 24 to 64 bytes: what Standard Webhooks libraries decode. */
const isStandardWebhookSecret = (v: string): boolean => {
  const b64 = v.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return false;
  const bytes = Buffer.from(b64, 'base64').length;
  return bytes >= 24 && bytes <= 64;
};
/** An origin as a browser sends it: `https://host[:port]`, nothing after. */
const isOrigin = (o: string): boolean => URL.canParse(o) && /^https?:$/.test(new URL(o).protocol) && new URL(o).origin === o;

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
  TEMPORAL_DATABASE_URL: z
    .string()
    .url()
    .optional()
    .describe("`./bangnong cluster`: the PostgreSQL Temporal keeps its state in (database NAME and NAME_visibility); unset, the embedded one"),
  TEMPORAL_CLUSTER_PORT: port.max(32754).default(7233).describe("`./bangnong cluster`: the frontend's gRPC port; the other services use the next 33 ports (membership ports must stay below 32768)"),
  TEMPORAL_HISTORY_SHARDS: z.coerce.number().int().min(1).max(16384).default(8).describe('`./bangnong cluster`: history shards, fixed when the cluster is first set up'),
  TEMPORAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30).describe("`./bangnong cluster`: how long Temporal keeps a finished case's history"),
  CLUSTER_WORKERS: z.coerce.number().int().min(1).max(32).default(2).describe('`./bangnong cluster`: worker processes'),
  CLUSTER_APIS: z.coerce.number().int().min(1).max(32).default(2).describe('`./bangnong cluster`: API processes sharing API_PORT'),
  TEMPORAL_UI_PORT: port.default(8233),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_REUSE_PORT: bool.default(false).describe('several API processes share API_PORT and the kernel spreads connections among them (Linux SO_REUSEPORT)'),
  // The citizen's pages (api/public.ts, console/citizen/): where citizens reach them, and how their forms are signed.
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL, such as https://bangnong.example.gov.cn' })
    .refine((u) => !/[?#]/.test(u), 'must be the address of the service only: no query or fragment')
    .optional()
    .describe("where citizens reach this service (scheme, host, optional path): workstations' QR codes encode PUBLIC_BASE_URL/citizen/#/w/<id>; unset, http://API_HOST:API_PORT"),
  FORM_TOKEN_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe("the HMAC key that signs the citizen filing page's one-time form tokens; set the same one on every API instance; unset, a random key per process (tokens then die with it)"),
  RATE_LIMIT_PUBLIC_FILINGS_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('complaints and suggestions an address may file an hour through the citizen filing page (many phones share a mobile carrier\'s address)'),

  // What the API holds its callers to (api/plugins/security.ts).
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600).describe('requests a minute per API key (per address for a request without one)'),
  RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('requests a minute per address on the routes open without a key (the citizen\'s tracking and rating), and refused keys a minute per address'),
  CORS_ORIGINS: z
    .string()
    .transform((list) => list.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isOrigin, 'each must be an origin: scheme, host and port, such as https://screens.example, with no path')))
    .optional()
    .describe('comma-separated origins whose browser pages may call the API; unset, no CORS headers at all'),
  TRUST_PROXY: z
    .string()
    .transform((v): boolean | string => (v === 'true' ? true : v === 'false' ? false : v))
    .optional()
    .describe('behind load balancers: the comma-separated addresses or CIDRs whose X-Forwarded-For gives the caller\'s address (for per-address limits), or true to believe any; unset, the peer\'s address'),

  // The desk's duplicate hints (api/similar.ts): open cases of the same category this near are proposed.
  DUPLICATE_RADIUS_M: z.coerce
    .number()
    .int()
    .min(1)
    .max(5000)
    .default(250)
    .describe('metres within which an open case of the same category is proposed to triage as a possible duplicate, when both have coordinates'),

  POLICY_FILE: z.string().default(path.join(REPO_ROOT, 'policy', 'deadlines.json')),
  CALENDAR_FILE: z.string().default(path.join(REPO_ROOT, 'policy', 'calendar.json')),
  DUTIES_POLICY_FILE: z
    .string()
    .default(path.join(REPO_ROOT, 'policy', 'duties.json'))
    .describe("the duty thresholds and the duty schedules' times (platform/duties-policy.ts), checked at the start of the worker and the API"),
  SCORECARD_POLICY_FILE: z
    .string()
    .default(path.join(REPO_ROOT, 'policy', 'scorecard.json'))
    .describe('the scorecard\'s formula: the weights of its measures, the cases a row needs to be ranked, the size of the "50 best" (platform/scorecard-policy.ts), checked at the start of the API'),
  DISPATCH_POLICY_FILE: z
    .string()
    .default(path.join(REPO_ROOT, 'policy', 'dispatch.json'))
    .describe("smart dispatch's phrase model and auto-dispatch thresholds (platform/dispatch-policy.ts), checked at the start of the API"),

  NOTIFY_WEBHOOK_URL: optionalUrl.describe('where messages for citizens, officers, supervisors and reporters are POSTed'),
  NOTIFY_WEBHOOK_SECRET: z
    .string()
    .min(16)
    .refine((v) => !v.startsWith('whsec_') || isStandardWebhookSecret(v), 'a whsec_ secret must be whsec_ and the base64 of 24 to 64 random bytes (as `openssl rand -base64 32` prints them)')
    .optional()
    .describe('signs every webhook as Standard Webhooks do: a whsec_… secret as their libraries write it, or any other string of at least 16 characters (receivers then verify with whsec_ and its base64)'),
  DELIVERY_GIVE_UP_AFTER: duration
    .default(24 * 3_600_000)
    .describe('how long a message that cannot be delivered is retried (1 s, doubling, at most every 5 min) before it goes to the dead-letter list and its workflow may finish: 90s, 30m, 24h, 3d'),
  PARTNER_WEBHOOK_URL: optionalUrl.describe('the 新民帮侬忙 platform: disposal results are POSTed here'),
  HOTLINE_WEBHOOK_URL: optionalUrl.describe('the 12345 platform: returns (退单), results and ratings of its work orders are POSTed here'),
  HOTLINE_MAPPING_FILE: z
    .string()
    .default(path.join(REPO_ROOT, 'policy', 'hotline-mapping.json'))
    .describe("how a 12345 work order's columns become a case (platform/hotline-mapping.ts), for the push endpoint POST /v1/hotline/work-orders"),
  DEMOLITION_WEBHOOK_URL: optionalUrl.describe("the districts' demolition offices (拆违办): property companies' dual reports are POSTed here"),

  // Bearer JWTs from an identity provider, accepted beside API keys when AUTH_JWKS_URL is set.
  AUTH_JWKS_URL: optionalUrl.describe('the identity provider\'s JWK set (…/.well-known/jwks.json): bearer JWTs signed by its keys are accepted beside API keys; unset, only API keys'),
  AUTH_JWT_ISSUER: z.string().min(1).optional().describe('the `iss` every token must carry; required with AUTH_JWKS_URL'),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional().describe('the `aud` every token must carry; required with AUTH_JWKS_URL'),
  AUTH_JWT_ROLE_CLAIM: z.string().min(1).default('bangnong_role').describe('the claim naming the role: intake, desk, officer, supervisor, reporter or admin'),
  AUTH_JWT_UNIT_CLAIM: z.string().min(1).default('bangnong_unit').describe('the claim naming the unit, an id of GET /v1/units'),
  AUTH_JWT_CHANNEL_CLAIM: z.string().min(1).default('bangnong_channel').describe('the claim, optional in a token, binding an intake principal to one channel'),

  // Files uploaded to cases (api/files.ts): where they are kept, and how large each may be.
  FILES_DIR: z.string().optional().describe('where uploaded files are kept; unset, DATA_DIR/files'),
  FILE_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024).describe('the largest image or PDF a case takes, in bytes'),
  FILE_MAX_VIDEO_BYTES: z.coerce.number().int().min(1024).default(100 * 1024 * 1024).describe('the largest video (MP4) a case takes, in bytes'),
  // An S3-compatible bucket instead of FILES_DIR (platform/storage.ts S3FileStore): used when FILES_S3_BUCKET is set.
  FILES_S3_BUCKET: z.string().min(3).optional().describe('keep uploaded files in this S3-compatible bucket; unset, in FILES_DIR'),
  FILES_S3_ENDPOINT: z.url().optional().describe('the store\'s URL, such as http://minio.internal:9000; unset, AWS S3 in FILES_S3_REGION'),
  FILES_S3_REGION: z.string().min(1).default('us-east-1').describe('the bucket\'s region (MinIO and most self-hosted stores take us-east-1)'),
  FILES_S3_ACCESS_KEY_ID: z.string().min(1).optional().describe('with FILES_S3_SECRET_ACCESS_KEY; both unset, the AWS SDK\'s own chain (AWS_* variables, instance role)'),
  FILES_S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('never logged'),
  FILES_S3_FORCE_PATH_STYLE: bool.default(true).describe('address the bucket as ENDPOINT/BUCKET/KEY (MinIO and most self-hosted stores) rather than BUCKET.ENDPOINT/KEY'),

  WORKFLOW_BUNDLE: z.string().optional().describe('a prebuilt workflow bundle (`up` writes one); unset, the worker bundles at start'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(100),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(1).default(20),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).default(100),

  // What operators see inside (platform/telemetry.ts): traces over OTLP, the workers' Temporal metrics, the calendar's reach.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of an OTLP/HTTP receiver, such as http://otel-collector:4318' })
    .optional()
    .describe('send OpenTelemetry traces (the HTTP request, the Temporal update, the workflow, the projection) to this OTLP/HTTP receiver, at …/v1/traces; unset, no tracing at all'),
  OTEL_SERVICE_NAME: z.string().min(1).optional().describe('the service name on the traces; unset, bangnong-api or bangnong-worker'),
  WORKER_METRICS_PORT: port
    .optional()
    .describe("serve the worker's own Temporal metrics (task latencies, slots, sticky cache) for Prometheus at http://WORKER_METRICS_HOST:PORT/metrics; unset, none. Two workers on one machine need two ports"),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1').describe('the address the worker metrics listen on (0.0.0.0 for a scraper on another machine)'),
  CALENDAR_WARN_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(366)
    .default(60)
    .describe("days before the working-day calendar's last covered day from which /readyz and the API's start report it running out (it is reported anyway once a deadline computed today can fall past it)"),
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
  for (const name of ['PARTNER_WEBHOOK_URL', 'HOTLINE_WEBHOOK_URL', 'DEMOLITION_WEBHOOK_URL'] as const) {
    if (config[name] && !config.NOTIFY_WEBHOOK_SECRET) {
      throw new ConfigError(`Bangnong cannot start: ${name} is set but NOTIFY_WEBHOOK_SECRET is not (it signs those deliveries too)`);
    }
  }
  if (Boolean(config.TEMPORAL_TLS_CERT) !== Boolean(config.TEMPORAL_TLS_KEY)) {
    throw new ConfigError('Bangnong cannot start: set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY together (mTLS client certificate and key)');
  }
  if (config.AUTH_JWKS_URL && (!config.AUTH_JWT_ISSUER || !config.AUTH_JWT_AUDIENCE)) {
    throw new ConfigError('Bangnong cannot start: AUTH_JWKS_URL is set but AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE are not both set (every bearer JWT is checked against them)');
  }
  const s3Set = (['FILES_S3_ENDPOINT', 'FILES_S3_ACCESS_KEY_ID', 'FILES_S3_SECRET_ACCESS_KEY'] as const).filter((name) => config[name] !== undefined);
  if (!config.FILES_S3_BUCKET && s3Set.length > 0) {
    throw new ConfigError(`Bangnong cannot start: ${s3Set.join(', ')} ${s3Set.length > 1 ? 'are' : 'is'} set but FILES_S3_BUCKET is not: set the bucket to keep files in S3, or unset ${s3Set.length > 1 ? 'them' : 'it'} to keep them in FILES_DIR`);
  }
  if (Boolean(config.FILES_S3_ACCESS_KEY_ID) !== Boolean(config.FILES_S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(`Bangnong cannot start: set FILES_S3_ACCESS_KEY_ID and FILES_S3_SECRET_ACCESS_KEY together (only ${config.FILES_S3_ACCESS_KEY_ID ? 'the key id' : 'the secret'} is set)`);
  }
  return config;
}

/** How long undeliverable messages are retried before they go to the dead-letter list (activities/index.ts `deliverNotifications`). */
export interface DeliverySettings {
  giveUpAfterMs: number;
}

export const DEFAULT_DELIVERY: DeliverySettings = { giveUpAfterMs: 24 * 3_600_000 };

export function deliverySettings(config: Config): DeliverySettings {
  return { giveUpAfterMs: config.DELIVERY_GIVE_UP_AFTER };
}

/** How bearer JWTs are checked and read, or undefined when only API keys are accepted. */
export interface JwtSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
  roleClaim: string;
  unitClaim: string;
  channelClaim: string;
}

export function jwtSettings(config: Config): JwtSettings | undefined {
  if (!config.AUTH_JWKS_URL || !config.AUTH_JWT_ISSUER || !config.AUTH_JWT_AUDIENCE) return undefined;
  return {
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    roleClaim: config.AUTH_JWT_ROLE_CLAIM,
    unitClaim: config.AUTH_JWT_UNIT_CLAIM,
    channelClaim: config.AUTH_JWT_CHANNEL_CLAIM,
  };
}

/** An S3-compatible bucket that keeps uploaded files (platform/storage.ts S3FileStore). */
export interface S3Settings {
  bucket: string;
  /** Unset: AWS S3 itself, in `region`. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** Unset: the AWS SDK's default chain (AWS_ACCESS_KEY_ID…, a profile, an instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Where uploaded files are kept and how large each may be (api/files.ts). */
export interface FileSettings {
  /** The local store's directory; with `s3`, only its scratch directory for uploads in progress. */
  dir: string;
  /** Set when FILES_S3_BUCKET is: the files are kept there, not in `dir`. */
  s3?: S3Settings;
  maxBytes: number;
  maxVideoBytes: number;
}

export function fileSettings(config: Config): FileSettings {
  const s3: S3Settings | undefined = config.FILES_S3_BUCKET
    ? {
        bucket: config.FILES_S3_BUCKET,
        endpoint: config.FILES_S3_ENDPOINT,
        region: config.FILES_S3_REGION,
        forcePathStyle: config.FILES_S3_FORCE_PATH_STYLE,
        credentials:
          config.FILES_S3_ACCESS_KEY_ID && config.FILES_S3_SECRET_ACCESS_KEY
            ? { accessKeyId: config.FILES_S3_ACCESS_KEY_ID, secretAccessKey: config.FILES_S3_SECRET_ACCESS_KEY }
            : undefined,
      }
    : undefined;
  return {
    dir: config.FILES_DIR ?? path.join(config.DATA_DIR, 'files'),
    ...(s3 ? { s3 } : {}),
    maxBytes: config.FILE_MAX_BYTES,
    maxVideoBytes: config.FILE_MAX_VIDEO_BYTES,
  };
}

/** The citizen's pages: where they are reached, how their forms are signed, how often an address may file. */
export interface PublicSettings {
  /** No trailing slash. */
  baseUrl: string;
  /** Unset: the API makes a random one at start. */
  formTokenSecret?: string;
  filingsPerHour: number;
}

export function publicSettings(config: Config): PublicSettings {
  // A wildcard listening address is no address a phone can open: the QR codes then name this machine.
  const host = ['0.0.0.0', '::', ''].includes(config.API_HOST) ? '127.0.0.1' : config.API_HOST;
  const listening = `http://${host.includes(':') ? `[${host}]` : host}:${config.API_PORT}`;
  return {
    baseUrl: (config.PUBLIC_BASE_URL ?? listening).replace(/\/+$/, ''),
    formTokenSecret: config.FORM_TOKEN_SECRET,
    filingsPerHour: config.RATE_LIMIT_PUBLIC_FILINGS_PER_HOUR,
  };
}

/**
 * Node options for a worker process. Node 24's V8 sizes the young generation up to 64 MB per semi-space;
 * a worker's garbage is many short-lived activations, and capped at 16 MB its peak in the 10,000-deadline
 * benchmark fell from 637 MB to 447 MB (target 512 MB) with no loss in the lag. `up`, `cluster` and the
 * stacks start workers with them; start your own with `node --max-semi-space-size=16 --import tsx worker/main.ts`.
 */
export const WORKER_NODE_OPTIONS = ['--max-semi-space-size=16'];
