import { ensureInfra } from '@shop/infra';

/**
 * vitest globalSetup: tests talk to real MariaDB, Redis, Kafka and the MongoDB wire server.
 * Starts whatever is not already listening; if something cannot be started the run fails.
 */
export default async function setup(): Promise<void> {
  await ensureInfra({ log: (line) => process.stderr.write(`[infra] ${line}\n`) });
}
