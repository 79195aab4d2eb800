import { defineConfig } from 'drizzle-kit';

// Only `npm run db:generate` reads this: it diffs db/schema.ts against db/migrations and writes the next migration.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
});
