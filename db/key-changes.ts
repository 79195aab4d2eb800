// How an API instance hears that a key stopped: the queries that end a key's life NOTIFY `bangnong_keys`
// at commit (db/queries/principals.ts), and each instance LISTENs for it (db/listener.ts). What it cached
// is to be trusted only while that LISTEN is in place.

import type { Db } from './client.js';
import { type Listener, listen } from './listener.js';
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

export type KeyChangeListener = Listener;

export function listenForKeyChanges(db: Db, { changed, ...rest }: KeyChangeHandlers): KeyChangeListener {
  return listen(db, [KEY_CHANGES_CHANNEL], { ...rest, notified: (_channel, principalId) => changed(principalId) });
}
