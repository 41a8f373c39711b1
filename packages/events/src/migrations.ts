import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import type { MySql2Database } from 'drizzle-orm/mysql2';

export const eventTablesMigrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Creates/updates the outbox and processed_events tables in a subgraph's own database.
 * They have their own migrations journal table, apart from the subgraph's.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateEventTables(db: MySql2Database<any>): Promise<void> {
  await migrate(db, { migrationsFolder: eventTablesMigrationsFolder, migrationsTable: '__event_tables_migrations' });
}
