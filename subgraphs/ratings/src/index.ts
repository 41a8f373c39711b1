import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createRatingsSubgraph } from './app.js';
import { loadRatingsConfig } from './config.js';

const log = createLogger('ratings');
try {
  const config = loadRatingsConfig();
  const running = await createRatingsSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'ratings subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
