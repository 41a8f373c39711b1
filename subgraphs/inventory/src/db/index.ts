import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { InventorySchema } from './schema.js';

export * from './schema.js';

export type InventoryDb = MySql2Database<InventorySchema>;
