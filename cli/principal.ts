// `./bangnong principal create --role ROLE --unit UNIT_ID [--name NAME]`: issues an API key.
// The key is printed once and stored only as a hash.

import { parseArgs } from 'node:util';
import { connectDatabase } from '../db/client.js';
import { getUnit } from '../db/queries/org.js';
import { createPrincipal } from '../db/queries/principals.js';
import { ROLES, type Role } from '../domain/case.js';
import { loadConfig } from '../platform/config.js';

const USAGE = `usage: ./bangnong principal create --role ${ROLES.join('|')} --unit UNIT_ID [--name NAME]
  UNIT_ID is a unit of GET /v1/units (310000 is the city bureau).
  Needs DATABASE_URL, or the embedded Postgres of \`./bangnong up\` running.`;

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: 'string' }, unit: { type: 'string' }, name: { type: 'string' } },
  });
  if (positionals[0] !== 'create' || !values.role || !values.unit) throw new Error(USAGE);
  if (!ROLES.includes(values.role as Role)) throw new Error(`unknown role "${values.role}"\n${USAGE}`);
  const config = loadConfig();
  const url = config.DATABASE_URL ?? `postgres://bangnong:bangnong@127.0.0.1:${config.EMBEDDED_PG_PORT}/bangnong`;
  const database = connectDatabase(url, { max: 1 });
  try {
    const unit = await getUnit(database.db, { id: values.unit });
    if (!unit) throw new Error(`no unit "${values.unit}": GET /v1/units lists them`);
    const { principal, key } = await createPrincipal(database.db, {
      name: values.name ?? `${values.role} of ${unit.name}`,
      role: values.role as Role,
      unitId: unit.id,
    });
    console.log(`principal ${principal.id} (${principal.role} of ${unit.name}, ${unit.id})`);
    console.log(key);
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
