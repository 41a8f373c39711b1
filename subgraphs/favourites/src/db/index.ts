import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { FavouritesSchema } from './schema.js';

export * from './schema.js';

export type FavouritesDb = MySql2Database<FavouritesSchema>;
