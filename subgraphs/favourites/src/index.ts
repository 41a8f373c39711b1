import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createFavouritesSubgraph } from './app.js';
import { loadFavouritesConfig } from './config.js';

const log = createLogger('favourites');
try {
  const config = loadFavouritesConfig();
  const running = await createFavouritesSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'favourites subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
