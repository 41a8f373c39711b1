import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createSearchSubgraph } from './app.js';
import { loadSearchConfig } from './config.js';

const log = createLogger('search');
try {
  const config = loadSearchConfig();
  const running = await createSearchSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'search subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a connection or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
