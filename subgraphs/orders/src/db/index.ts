import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { OrdersSchema } from './schema.js';

export * from './schema.js';

export type OrdersDb = MySql2Database<OrdersSchema>;
