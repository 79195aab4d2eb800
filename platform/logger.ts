import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines for machines; colour for a person at a terminal. */
export function createLogger(level: string, name = 'bangnong'): Logger {
  const pretty = process.stdout.isTTY && !process.env.CI;
  return pino({
    name,
    level,
    // Errors with their causes: drizzle wraps the driver's error (its SQLSTATE, its connection code) as one.
    serializers: { err: pino.stdSerializers.errWithCause },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
