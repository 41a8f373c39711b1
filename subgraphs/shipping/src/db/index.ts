import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { ShippingSchema } from './schema.js';

export * from './schema.js';

export type ShippingDb = MySql2Database<ShippingSchema>;
