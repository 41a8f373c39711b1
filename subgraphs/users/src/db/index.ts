import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { UsersSchema } from './schema.js';

export * from './schema.js';

export type UsersDb = MySql2Database<UsersSchema>;
