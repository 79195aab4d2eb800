// Prometheus metrics at /metrics: request durations by route and status, the parked cases (whose
// projection the database refused; ./bangnong parked lists them), and the dead-letter list.

import type { Client } from '@temporalio/client';
import fp from 'fastify-plugin';
import client from 'prom-client';
import { countParkedCases } from '../../platform/parked-cases.js';
import type { Db } from '../../db/client.js';
import { deadLetterTotals } from '../../db/queries/dead-letters.js';

export interface MetricsOptions {
  temporal: Client;
  /** Where the dead-letter list is counted; unset, its metrics are not registered. */
  db?: Db;
  /** Where the metrics are registered; each app gets its own by default, so tests can build many. */
  registry?: client.Registry;
}

const DURATION = 'bangnong_http_request_duration_seconds';
const PARKED = 'bangnong_cases_parked';
const DEAD_LETTERS = 'bangnong_dead_letters_waiting';
const DEAD_LETTERED = 'bangnong_dead_letters_moved_total';

export default fp<MetricsOptions>(
  async (app, { temporal, db, registry = new client.Registry() }) => {
    const httpDuration = new client.Histogram({
      name: DURATION,
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    new client.Gauge({
      name: PARKED,
      help: 'Cases whose projection the database refused: not in lists or tracking until fixed (./bangnong parked)',
      registers: [registry],
      async collect() {
        // While Temporal is unreachable the gauge keeps its last value; /readyz says what is down.
        await countParkedCases(temporal).then((n) => this.set(n), () => {});
      },
    });

    // The dead-letter list, counted in PostgreSQL: the same figure on every API instance (take max(), not sum()).
    if (db) {
      const totals = () => deadLetterTotals(db);
      new client.Gauge({
        name: DEAD_LETTERS,
        help: 'Messages the webhooks would not take within DELIVERY_GIVE_UP_AFTER, waiting for redelivery (./bangnong dead-letters)',
        registers: [registry],
        async collect() {
          await totals().then(({ waiting }) => this.set(waiting), () => {});
        },
      });
      new client.Counter({
        name: DEAD_LETTERED,
        help: 'Messages ever moved to the dead-letter list, redelivered ones included',
        registers: [registry],
        async collect() {
          await totals().then(({ moved }) => {
            this.reset();
            this.inc(moved);
          }, () => {});
        },
      });
    }

    app.addHook('onResponse', async (request, reply) => {
      httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });

    // A registry handed in outlives this app: it keeps no metric of an app that is gone.
    app.addHook('onClose', async () => {
      for (const name of [DURATION, PARKED, DEAD_LETTERS, DEAD_LETTERED]) registry.removeSingleMetric(name);
    });
  },
  { name: 'metrics', dependencies: ['authentication'] },
);
