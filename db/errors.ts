// What a failed statement says about a retry. An outage (no connection) passes; a refusal does not:
// SQLSTATE class 22 (data exception: text it cannot store, a value out of range) or 23 (integrity
// constraint violation) will fail again on the same rows.

export interface Refusal {
  sqlState: string;
  message: string;
}

/**
 * Whether the failure says the server or the connection is away (retry later), not that the request was
 * wrong: the driver's connection codes, system errors (ECONNREFUSED, EPIPE …) and SQLSTATE classes 08
 * (connection exception), 53 (insufficient resources), 57 (operator intervention, e.g. a shutdown) and
 * 58 (system error).
 */
export function isConnectionFailure(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    const code = String(e.code);
    if (/^(CONNECTION_|CONNECT_TIMEOUT$)/.test(code) || /^E[A-Z]+$/.test(code) || /^(08|53|57|58)[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}

/** The database's refusal of the rows, or undefined for any other failure (an outage, a bug). */
export function refusedByDatabase(err: unknown): Refusal | undefined {
  // drizzle wraps postgres.js's error as its cause.
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^2[23][0-9A-Z]{3}$/.test(e.code)) {
      return { sqlState: e.code, message: `PostgreSQL error ${e.code}: ${String(e.message)}` };
    }
  }
  return undefined;
}
