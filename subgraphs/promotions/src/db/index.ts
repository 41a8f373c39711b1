import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { PromotionsSchema } from './schema.js';

export * from './schema.js';

export type PromotionsDb = MySql2Database<PromotionsSchema>;
