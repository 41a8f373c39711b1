import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { TaxSchema } from './schema.js';

export * from './schema.js';

export type TaxDb = MySql2Database<TaxSchema>;
