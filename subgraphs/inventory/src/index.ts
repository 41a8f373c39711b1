import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createInventorySubgraph } from './app.js';
import { loadInventoryConfig } from './config.js';

const log = createLogger('inventory');
try {
  const config = loadInventoryConfig();
  const running = await createInventorySubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'inventory subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
