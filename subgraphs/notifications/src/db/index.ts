import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { NotificationsSchema } from './schema.js';

export * from './schema.js';

export type NotificationsDb = MySql2Database<NotificationsSchema>;
