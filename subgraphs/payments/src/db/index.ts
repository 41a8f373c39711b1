import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { PaymentsSchema } from './schema.js';

export * from './schema.js';

export type PaymentsDb = MySql2Database<PaymentsSchema>;
