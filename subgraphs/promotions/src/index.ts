import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createPromotionsSubgraph } from './app.js';
import { loadPromotionsConfig } from './config.js';

const log = createLogger('promotions');
try {
  const config = loadPromotionsConfig();
  const running = await createPromotionsSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'promotions subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
