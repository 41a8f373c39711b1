import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createNotificationsSubgraph } from './app.js';
import { loadNotificationsConfig } from './config.js';

const log = createLogger('notifications');
try {
  const config = loadNotificationsConfig();
  const running = await createNotificationsSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'notifications subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
