import { z } from 'zod';
import { loadConfig } from '@shop/platform';

/** The local default admin password; README states it, production refuses to start with it. */
export const DEFAULT_ADMIN_PASSWORD = 'admin-password';

export const usersEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4001),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_users'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(30 * 24 * 60 * 60),
  BOOTSTRAP_ADMIN_EMAIL: z.email().default('admin@shop.local'),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(8).max(200).default(DEFAULT_ADMIN_PASSWORD),
  /** Login attempts per email and per client IP in one window (0: no limit); counted in Redis (REDIS_URL). */
  LOGIN_MAX_PER_EMAIL: z.coerce.number().int().min(0).default(5),
  LOGIN_MAX_PER_IP: z.coerce.number().int().min(0).default(20),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  /** A rotated-in signing key signs only after this many seconds (published at once; see tokens.ts). */
  SIGNING_KEY_ACTIVATION_SECONDS: z.coerce.number().int().min(0).default(10),
};

export type UsersConfig = ReturnType<typeof loadUsersConfig>;

export function loadUsersConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(usersEnv, env);
}

/** Thrown by createUsersSubgraph when the configuration is unsafe for production. */
export class UnsafeConfigError extends Error {}

export function assertSafeForProduction(config: UsersConfig): void {
  if (config.NODE_ENV === 'production' && config.BOOTSTRAP_ADMIN_PASSWORD === DEFAULT_ADMIN_PASSWORD) {
    throw new UnsafeConfigError(
      'Refusing to start: NODE_ENV=production with the default BOOTSTRAP_ADMIN_PASSWORD. ' +
        'Set BOOTSTRAP_ADMIN_PASSWORD to a secret of at least 8 characters.',
    );
  }
}
