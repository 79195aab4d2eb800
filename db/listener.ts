// How an API instance hears what other processes commit: queries NOTIFY a channel inside their
// transaction, so the message leaves at commit, and each instance LISTENs on a connection of its own
// (one per use: the key cache, the live stream of case events). A notification sent while that
// connection is down is lost for good, so the listener says both when the LISTEN is in place and when
// the connection drops: whatever depends on the notifications is to be trusted only in between.

import postgres from 'postgres';
import type { Db } from './client.js';

export interface ListenerHandlers {
  /** A notification on one of the channels. */
  notified(channel: string, payload: string): void;
  /** LISTEN is in place: the first time, or again after the connection came back. */
  connected(): void;
  /** The connection dropped; notifications may be missed until `connected` again. */
  disconnected(): void;
  /** An attempt to listen failed; another follows. */
  failed(err: unknown): void;
}

export interface Listener {
  readonly connected: boolean;
  /** Settles after the first attempt to listen, whichever way it went. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

const RETRY_MS = 1_000;

/** LISTENs on `channels` (plain identifiers, ours) on a connection of its own, and again after it drops. */
export function listen(db: Db, channels: readonly string[], on: ListenerHandlers): Listener {
  for (const channel of channels) if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  const wanted = new Set(channels);
  let connected = false;
  let closing = false;
  let attempt: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;

  // One connection, built as postgres.js builds the one behind its own `sql.listen` (the pool's parsed
  // options, a single connection that never idles out or ages out) but with `onclose` ours: `sql.listen`
  // re-listens by itself and never says the connection was gone. Its retries are its own (`shared`), and
  // back off to 2 s at most, so what depends on it is trusted again soon after PostgreSQL returns.
  const options = {
    ...db.$client.options,
    max: 1,
    idle_timeout: null,
    max_lifetime: null,
    fetch_types: false,
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 2),
    shared: { retries: 0, typeArrayMap: {} },
    onnotify: (channel: string, payload: string) => {
      if (wanted.has(channel) && !closing) on.notified(channel, payload);
    },
    onclose: () => {
      if (closing) return;
      if (connected) {
        connected = false;
        on.disconnected();
      }
      void start();
    },
  };
  const sql = postgres(options as unknown as postgres.Options<Record<string, postgres.PostgresType>>);

  function start(): Promise<void> {
    if (closing) return Promise.resolve();
    const listenAll = async () => {
      for (const channel of channels) await sql.unsafe(`listen ${channel}`);
    };
    attempt ??= listenAll().then(
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
          retry = setTimeout(() => void start(), RETRY_MS);
        },
      );
    return attempt;
  }

  return {
    get connected() {
      return connected;
    },
    ready: start(),
    close: async () => {
      closing = true;
      connected = false;
      clearTimeout(retry);
      await sql.end({ timeout: 0 });
    },
  };
}
