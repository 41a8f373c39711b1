import { sql } from 'drizzle-orm';
import { char, datetime, index, mysqlEnum, mysqlTable, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

export const users = mysqlTable(
  'users',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    /** Normalised (trimmed, lower case) so the unique index makes emails case-insensitive. */
    email: varchar('email', { length: 254 }).notNull(),
    passwordHash: varchar('password_hash', { length: 255 }).notNull(),
    name: varchar('name', { length: 100 }).notNull(),
    role: mysqlEnum('role', ['CUSTOMER', 'ADMIN']).notNull().default('CUSTOMER'),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
);

export const addresses = mysqlTable(
  'addresses',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    userId: varchar('user_id', { length: 36 })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    line1: varchar('line1', { length: 200 }).notNull(),
    line2: varchar('line2', { length: 200 }),
    city: varchar('city', { length: 100 }).notNull(),
    region: varchar('region', { length: 100 }),
    postalCode: varchar('postal_code', { length: 20 }).notNull(),
    country: char('country', { length: 2 }).notNull(),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('addresses_user_idx').on(t.userId, t.createdAt)],
);

/**
 * Refresh tokens, stored only as sha256 hashes. Tokens descended from one sign-in share a
 * family; `replaced_by` marks a token already exchanged, so presenting it again is reuse.
 */
export const refreshTokens = mysqlTable(
  'refresh_tokens',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    tokenHash: char('token_hash', { length: 64 }).notNull(),
    userId: varchar('user_id', { length: 36 })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: varchar('family_id', { length: 36 }).notNull(),
    replacedBy: varchar('replaced_by', { length: 36 }),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    expiresAt: datetime('expires_at', ms).notNull(),
    revokedAt: datetime('revoked_at', ms),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_unique').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
  ],
);

/** ES256 key pairs that sign access tokens; the newest non-retired key signs, all non-retired verify. */
export const signingKeys = mysqlTable(
  'signing_keys',
  {
    kid: varchar('kid', { length: 64 }).primaryKey(),
    /** JSON text (not a JSON column: MariaDB stores those as LONGTEXT anyway). */
    publicJwk: text('public_jwk').notNull(),
    privateJwk: text('private_jwk').notNull(),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    retiredAt: datetime('retired_at', ms),
  },
  (t) => [index('signing_keys_created_idx').on(t.createdAt)],
);

export const schema = { users, addresses, refreshTokens, signingKeys };
export type UsersSchema = typeof schema;
