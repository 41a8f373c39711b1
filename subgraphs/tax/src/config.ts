import { z } from 'zod';
import { loadConfig } from '@shop/platform';

export const taxEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4008),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_tax'),
};

export type TaxConfig = ReturnType<typeof loadTaxConfig>;

export function loadTaxConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(taxEnv, env);
}
