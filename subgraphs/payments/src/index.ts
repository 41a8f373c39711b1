import { ConfigError, createLogger, exitOnSignals } from '@shop/platform';
import { createPaymentsSubgraph } from './app.js';
import { loadPaymentsConfig } from './config.js';

const log = createLogger('payments');
try {
  const config = loadPaymentsConfig();
  const running = await createPaymentsSubgraph(config, { log });
  exitOnSignals(running.stop, log);
} catch (err) {
  if (err instanceof ConfigError) log.fatal(err.message);
  else log.fatal({ err }, 'payments subgraph failed to start');
  process.exitCode = 1;
  // Let pino flush, then leave even if a pool or timer is still open.
  setTimeout(() => process.exit(1), 100).unref();
}
