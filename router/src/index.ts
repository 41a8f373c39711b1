import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createRouter } from './app.js';
import { loadRouterConfig } from './config.js';

const bootLog = createLogger('router');
try {
  const config = loadRouterConfig();
  const log = createLogger('router', config.logLevel);
  const router = await createRouter(config, { log });
  exitOnSignals(router.stop, log);
} catch (err) {
  if (err instanceof ConfigError) bootLog.fatal(err.message);
  else bootLog.fatal({ err }, 'router failed to start');
  process.exit(1);
}
