import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { RatingsSchema } from './schema.js';

export * from './schema.js';

export type RatingsDb = MySql2Database<RatingsSchema>;
