// `./bangnong parked [--retry CASE_ID… | --retry-all]`: lists the cases the database refused to record,
// with the reason; after the cause is fixed, --retry has them project again.

import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.js';
import { listParkedCases, retryParkedCase } from '../platform/parked-cases.js';
import { connectClient, temporalSettings } from '../platform/temporal.js';

const USAGE = `usage: ./bangnong parked [--retry CASE_ID …] [--retry-all]
  Lists the parked cases: the database refused their projection, so lists and tracking do not show them.
  Fix the cause (the reason names PostgreSQL's error), then --retry them; each also retries hourly.
  Needs TEMPORAL_ADDRESS, or the dev server of \`./bangnong up\` running.`;

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { retry: { type: 'boolean' }, 'retry-all': { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help || (positionals.length > 0 && !values.retry)) throw new Error(USAGE);
  const config = loadConfig();
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_DEV_PORT}`;
  const { client, connection } = await connectClient(temporalSettings({ ...config, TEMPORAL_ADDRESS: address }));
  try {
    const parked = await listParkedCases(client);
    const toRetry = values['retry-all'] ? parked.map((p) => p.caseId) : values.retry ? positionals : [];
    if (!values.retry && !values['retry-all']) {
      if (parked.length === 0) console.log('no parked cases');
      for (const p of parked) console.log(`${p.caseId}  parked since ${p.since}, ${p.attempts} attempt(s): ${p.reason}`);
      return;
    }
    for (const caseId of toRetry) {
      await retryParkedCase(client, caseId);
      console.log(`${caseId}: asked to project again`);
    }
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
