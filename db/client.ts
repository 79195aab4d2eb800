import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';

/** drizzle over postgres.js; `$client` is the pool itself (the key-change listener builds its connection from its options). */
export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/** One pool per process; callers pass `db` into the query functions. */
export function connectDatabase(url: string, options: { max?: number; onnotice?: () => void } = {}): Database {
  const sql = postgres(url, { max: options.max ?? 10, onnotice: options.onnotice ?? (() => {}), connect_timeout: 10 });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
