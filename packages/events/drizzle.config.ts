import { defineConfig } from 'drizzle-kit';

// The outbox and processed-events tables, shared by every MySQL-backed subgraph.
export default defineConfig({
  dialect: 'mysql',
  schema: './src/tables.ts',
  out: './migrations',
});
