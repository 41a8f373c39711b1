import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createTaxSubgraph } from './app.js';
import { loadTaxConfig } from './config.js';

const log = createLogger('tax');
try {
  const config = loadTaxConfig();
  const running = await createTaxSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'tax subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
