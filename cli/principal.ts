// `./bangnong principal …`: principals and their API keys, straight in PostgreSQL (an operator's tool;
// administrators have the same through the API, /v1/principals). A key is printed once, when it is
// issued, and stored only as a hash; rotating and revoking tell every running API instance at once.

import { parseArgs } from 'node:util';
import { connectDatabase } from '../db/client.js';
import { isConnectionFailure } from '../db/errors.js';
import { getUnit } from '../db/queries/org.js';
import {
  DEFAULT_ROTATION_OVERLAP_SECONDS,
  type PrincipalListing,
  PrincipalRevokedError,
  createPrincipal,
  listPrincipals,
  revokeApiKey,
  revokePrincipal,
  rotateApiKey,
} from '../db/queries/principals.js';
import { CHANNELS, type Channel, ROLES, type Role } from '../domain/case.js';
import { loadConfig } from '../platform/config.js';

const USAGE = `usage:
  ./bangnong principal create --role ${ROLES.join('|')} --unit UNIT_ID [--name NAME] [--channel ${CHANNELS.join('|')}]
      a principal and its first key (printed once); --channel binds an intake principal to one channel
  ./bangnong principal list [--unit UNIT_ID]
      principals (of that unit and below) and their keys: id, prefix, state, created, last used, expires
  ./bangnong principal rotate PRINCIPAL_ID [--overlap 24h|30m|90s|SECONDS]
      a new key (printed once); the current keys keep working for the overlap (24h by default, 0 stops them now)
  ./bangnong principal revoke-key KEY_ID
      that key stops at once, on every API instance
  ./bangnong principal revoke PRINCIPAL_ID
      the principal and all its keys stop at once, on every API instance
UNIT_ID is a unit of GET /v1/units (310000 is the city bureau); ids come from \`list\`.
Needs DATABASE_URL, or the embedded PostgreSQL of \`./bangnong up\` running.`;

class UsageError extends Error {
  constructor(problem: string) {
    super(`${problem}\n${USAGE}`);
  }
}

/** "24h", "30m", "90s", "2d" or plain seconds. */
function parseOverlap(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--overlap "${text}" is not a duration: write 24h, 30m, 90s, 2d or a number of seconds (0 stops the old keys now)`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

const when = (at: string | null) => (at ? new Date(at).toISOString().replace('.000Z', 'Z') : '—');

function printPrincipals(list: PrincipalListing[]): void {
  if (list.length === 0) console.log('no principals');
  for (const p of list) {
    const flags = [p.channel ? `channel ${p.channel}` : '', p.revokedAt ? `REVOKED ${when(p.revokedAt)}` : ''].filter(Boolean).join(', ');
    console.log(`${p.id}  ${p.role.padEnd(10)} ${p.unitId.padEnd(16)} ${p.name}${flags ? `  (${flags})` : ''}`);
    for (const k of p.keys) {
      console.log(
        `    key ${k.id}  ${k.prefix}…  ${k.state.padEnd(8)}  created ${when(k.createdAt)}  last used ${when(k.lastUsedAt)}  expires ${when(k.expiresAt)}${k.revokedAt ? `  revoked ${when(k.revokedAt)}` : ''}`,
      );
    }
  }
}

async function main() {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        unit: { type: 'string' },
        name: { type: 'string' },
        channel: { type: 'string' },
        overlap: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { positionals, values } = args;
  const [command, target] = positionals;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!command) throw new UsageError('which command?');
  const needsTarget = (what: string) => {
    if (!target) throw new UsageError(`${command} needs the ${what}`);
    return target;
  };

  const config = loadConfig();
  const url = config.DATABASE_URL ?? `postgres://bangnong:bangnong@127.0.0.1:${config.EMBEDDED_PG_PORT}/bangnong`;
  const database = connectDatabase(url, { max: 1 });
  const { db } = database;
  try {
    switch (command) {
      case 'create': {
        if (!values.role || !values.unit) throw new UsageError('create needs --role and --unit');
        if (!ROLES.includes(values.role as Role)) throw new UsageError(`unknown role "${values.role}"`);
        if (values.channel && !CHANNELS.includes(values.channel as Channel)) throw new UsageError(`unknown channel "${values.channel}"`);
        if (values.channel && values.role !== 'intake') throw new UsageError('--channel binds an intake principal only');
        const unit = await getUnit(db, { id: values.unit });
        if (!unit) throw new Error(`no unit "${values.unit}": GET /v1/units lists them (310000 is the city bureau)`);
        const { principal, key, keyId } = await createPrincipal(db, {
          name: values.name ?? `${values.role} of ${unit.name}`,
          role: values.role as Role,
          unitId: unit.id,
          ...(values.channel ? { channel: values.channel as Channel } : {}),
        });
        console.log(`principal ${principal.id} (${principal.role} of ${unit.name}, ${unit.id}${principal.channel ? `, channel ${principal.channel}` : ''}), key ${keyId}`);
        console.log(key);
        return;
      }
      case 'list': {
        let within: string | undefined;
        if (values.unit) {
          const unit = await getUnit(db, { id: values.unit });
          if (!unit) throw new Error(`no unit "${values.unit}": GET /v1/units lists them (310000 is the city bureau)`);
          within = unit.path;
        }
        printPrincipals(await listPrincipals(db, { within }));
        return;
      }
      case 'rotate': {
        const principalId = needsTarget('principal id (`./bangnong principal list` shows them)');
        const overlapSeconds = values.overlap === undefined ? DEFAULT_ROTATION_OVERLAP_SECONDS : parseOverlap(values.overlap);
        let rotated: Awaited<ReturnType<typeof rotateApiKey>>;
        try {
          rotated = await rotateApiKey(db, { principalId, overlapSeconds });
        } catch (err) {
          if (err instanceof PrincipalRevokedError) throw new Error(err.message);
          throw err;
        }
        if (!rotated) throw new Error(`no principal "${principalId}": \`./bangnong principal list\` shows them`);
        const previous = rotated.previousKeysExpireAt ? `the previous keys stop at ${when(rotated.previousKeysExpireAt)}` : 'it had no other live key';
        console.log(`principal ${principalId}: new key ${rotated.keyId}; ${previous}`);
        console.log(rotated.key);
        return;
      }
      case 'revoke-key': {
        const keyId = needsTarget('key id (`./bangnong principal list` shows each principal\'s keys)');
        const principalId = await revokeApiKey(db, { keyId });
        if (!principalId) throw new Error(`no key "${keyId}": \`./bangnong principal list\` shows each principal's keys`);
        console.log(`key ${keyId} of principal ${principalId} revoked`);
        return;
      }
      case 'revoke': {
        const principalId = needsTarget('principal id (`./bangnong principal list` shows them)');
        if (!(await revokePrincipal(db, { principalId }))) throw new Error(`no principal "${principalId}": \`./bangnong principal list\` shows them`);
        console.log(`principal ${principalId} and all its keys revoked`);
        return;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  if (isConnectionFailure(err)) {
    console.error('cannot reach PostgreSQL: start `./bangnong up` (its embedded PostgreSQL) or set DATABASE_URL, then run this again');
  } else {
    console.error(err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
