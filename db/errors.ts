// What a failed statement says about a retry. An outage (no connection) passes; a refusal does not:
// SQLSTATE class 22 (data exception: text it cannot store, a value out of range) or 23 (integrity
// constraint violation) will fail again on the same rows.

export interface Refusal {
  sqlState: string;
  message: string;
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
