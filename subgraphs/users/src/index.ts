import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createUsersSubgraph } from './app.js';
import { loadUsersConfig, UnsafeConfigError } from './config.js';

const log = createLogger('users');
try {
  const config = loadUsersConfig();
  const running = await createUsersSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError || err instanceof UnsafeConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'users subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
