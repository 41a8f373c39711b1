import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createShippingSubgraph } from './app.js';
import { loadShippingConfig } from './config.js';

const log = createLogger('shipping');
try {
  const config = loadShippingConfig();
  const running = await createShippingSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'shipping subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
