import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Where a citizen's data or a key could ride into a log line: masked whatever logged it. (Code logs
 * case ids, never citizens; this is the net under that rule.)
 */
export const REDACTED_PATHS = [
  'citizen',
  '*.citizen',
  '*.*.citizen',
  'phone',
  '*.phone',
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'key',
];

/**
 * Errors with their causes, without the values of a failed query: drizzle puts a statement's parameters —
 * a case's citizen among them — into its error's message and `params`.
 */
export function serializeError(err: unknown): unknown {
  const scrub = (e: Record<string, unknown> | undefined): void => {
    if (!e || typeof e !== 'object') return;
    if ('params' in e) e.params = '[masked]';
    for (const field of ['message', 'stack'] as const) {
      if (typeof e[field] === 'string') e[field] = (e[field] as string).replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/, '\nparams: [masked]');
    }
    scrub(e.cause as Record<string, unknown> | undefined);
  };
  const out = pino.stdSerializers.errWithCause(err as Error) as unknown as Record<string, unknown>;
  scrub(out);
  return out;
}

/** JSON lines for machines; colour for a person at a terminal. */
export function createLogger(level: string, name = 'bangnong', destination?: pino.DestinationStream): Logger {
  const pretty = !destination && process.stdout.isTTY && !process.env.CI;
  const options: pino.LoggerOptions = {
    name,
    level,
    // Errors with their causes: drizzle wraps the driver's error (its SQLSTATE, its connection code) as one.
    serializers: { err: serializeError },
    redact: { paths: REDACTED_PATHS, censor: '[masked]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
