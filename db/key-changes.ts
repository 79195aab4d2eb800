// How an API instance hears that a key stopped: the queries that end a key's life NOTIFY `bangnong_keys`
// at commit (db/queries/principals.ts), and each instance LISTENs on a connection of its own. A
// notification sent while that connection is down is lost for good, so the instance is told both when
// the LISTEN is in place and when the connection drops: what it cached is to be trusted only in between.

import postgres from 'postgres';
import type { Db } from './client.js';
import { KEY_CHANGES_CHANNEL } from './queries/principals.js';

export interface KeyChangeHandlers {
  /** The keys of this principal changed (one stopped, or a rotation set an expiry). */
  changed(principalId: string): void;
  /** LISTEN is in place: the first time, or again after the connection came back. */
  connected(): void;
  /** The connection dropped; notifications may be missed until `connected` again. */
  disconnected(): void;
  /** An attempt to listen failed; another follows. */
  failed(err: unknown): void;
}

export interface KeyChangeListener {
  readonly connected: boolean;
  /** Settles after the first attempt to listen, whichever way it went. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

const RETRY_MS = 1_000;

export function listenForKeyChanges(db: Db, on: KeyChangeHandlers): KeyChangeListener {
  let connected = false;
  let closing = false;
  let attempt: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;

  // One connection, built as postgres.js builds the one behind its own `sql.listen` (the pool's parsed
  // options, a single connection that never idles out or ages out) but with `onclose` ours: `sql.listen`
  // re-listens by itself and never says the connection was gone. Its retries are its own (`shared`), and
  // back off to 2 s at most, so the cache is trusted again soon after PostgreSQL returns.
  const options = {
    ...db.$client.options,
    max: 1,
    idle_timeout: null,
    max_lifetime: null,
    fetch_types: false,
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 2),
    shared: { retries: 0, typeArrayMap: {} },
    onnotify: (channel: string, payload: string) => {
      if (channel === KEY_CHANGES_CHANNEL && !closing) on.changed(payload);
    },
    onclose: () => {
      if (closing) return;
      if (connected) {
        connected = false;
        on.disconnected();
      }
      void listen();
    },
  };
  const sql = postgres(options as unknown as postgres.Options<Record<string, postgres.PostgresType>>);

  function listen(): Promise<void> {
    if (closing) return Promise.resolve();
    attempt ??= sql
      .unsafe(`listen ${KEY_CHANGES_CHANNEL}`)
      .then(
        () => {
          attempt = undefined;
          if (closing) return;
          connected = true;
          on.connected();
        },
        (err: unknown) => {
          attempt = undefined;
          if (closing) return;
          on.failed(err);
          clearTimeout(retry);
          retry = setTimeout(() => void listen(), RETRY_MS);
        },
      );
    return attempt;
  }

  return {
    get connected() {
      return connected;
    },
    ready: listen(),
    close: async () => {
      closing = true;
      connected = false;
      clearTimeout(retry);
      await sql.end({ timeout: 0 });
    },
  };
}
