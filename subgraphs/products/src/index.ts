import { z } from 'zod';
import { createLogger, exitOnSignals, loadConfig } from '@shop/platform';
import { createProductsSubgraph } from './app.js';
import { seedDemoProducts } from './seed.js';

const config = loadConfig({
  PORT: z.coerce.number().int().min(0).max(65535).default(4002),
  MONGO_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('shop_products'),
  /** `true`: insert the demo catalogue at start-up when the collection is empty. */
  SEED_DEMO_PRODUCTS: z.enum(['true', 'false']).default('false'),
});
const log = createLogger('products', config.LOG_LEVEL);

const app = await createProductsSubgraph({
  port: config.PORT,
  host: config.HOST,
  production: config.NODE_ENV === 'production',
  mongoUrl: config.MONGO_URL,
  database: config.MONGO_DATABASE,
  kafkaBrokers: config.KAFKA_BROKERS,
  kafkaTopicPrefix: config.KAFKA_TOPIC_PREFIX,
  auth: { jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
  log,
});
exitOnSignals(app.stop, log);

if (config.SEED_DEMO_PRODUCTS === 'true') {
  const { inserted } = await seedDemoProducts(app.db, { onEventsWritten: () => app.relay.wake() });
  log.info({ inserted }, 'demo products seeded');
}
