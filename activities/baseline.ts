// The benchmarks' floor for a case action (bench/workflows.ts): one local-activity SQL write, the least a
// durable action that keeps a read model can cost. Only the benchmark's workflow calls it; the benchmark
// creates its table (bench/run.ts), so a production database never has one.

import type { Db } from '../db/client.js';

export function createBaselineActivities({ db }: { db: Db }) {
  return {
    /** Upserts one row of `bench_baseline`: a single statement, like a projection's, without the case. */
    async baselineWrite({ id, step }: { id: string; step: number }): Promise<void> {
      await db.$client`insert into bench_baseline (id, step, at) values (${id}, ${step}, now())
        on conflict (id) do update set step = excluded.step, at = excluded.at where bench_baseline.step < excluded.step`;
    },
  };
}
