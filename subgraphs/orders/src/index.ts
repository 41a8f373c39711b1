import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createOrdersSubgraph } from './app.js';
import { loadOrdersConfig } from './config.js';

const log = createLogger('orders');
try {
  const config = loadOrdersConfig();
  const running = await createOrdersSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'orders subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
