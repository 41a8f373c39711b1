import { z } from 'zod';

/**
 * Environment shared by every service. Each has a local default so `npm start` works on a
 * fresh machine; docker-compose.yml overrides them.
 */
export const LOCAL_INTERNAL_API_TOKEN = 'local-internal-api-token';

export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  MYSQL_URL: z.string().default('mysql://root@127.0.0.1:3306'),
  MONGO_URL: z.string().default('mongodb://127.0.0.1:27017'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  JWKS_URL: z.string().default('http://127.0.0.1:4001/.well-known/jwks.json'),
  JWT_ISSUER: z.string().default('shop-supergraph/users'),
  JWT_AUDIENCE: z.string().default('shop-supergraph'),
  /** Prepended to Kafka topic names; tests isolate each system under test with one. */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  /**
   * Appended to a consuming subgraph's consumer group, which is its name (`payments`, `shipping.<suffix>`):
   * tests give each system under test its own groups. The group is also the namespace of processed event ids.
   */
  KAFKA_GROUP_SUFFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  /**
   * Shared secret for subgraph-to-subgraph internal operations (@inaccessible fields, header
   * x-internal-token). Production must set its own: see assertProductionSecrets.
   */
  INTERNAL_API_TOKEN: z.string().min(16).default(LOCAL_INTERNAL_API_TOKEN),
});
export type BaseEnv = z.infer<typeof baseEnvSchema>;

export class ConfigError extends Error {}

/** Parses process.env (or a given record) against the base schema extended by a service's own keys. */
export function loadConfig<S extends z.ZodRawShape>(
  extra: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<ReturnType<typeof baseEnvSchema.extend<S>>> {
  const schema = baseEnvSchema.extend(extra);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data as z.infer<ReturnType<typeof baseEnvSchema.extend<S>>>;
}

/** Refuses to run in production with a secret left at its public local default. */
export function assertProductionSecrets(config: BaseEnv): void {
  if (config.NODE_ENV === 'production' && config.INTERNAL_API_TOKEN === LOCAL_INTERNAL_API_TOKEN) {
    throw new ConfigError('INTERNAL_API_TOKEN must be set to a secret value in production');
  }
}
