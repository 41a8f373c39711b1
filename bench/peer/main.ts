/**
 * Process entry of the peer subgraphs (the bench runs the built JS of this file pinned to a
 * core): HOST (127.0.0.1), PORT (4200). Prints one JSON line {"ready":true,...} when listening;
 * SIGTERM/SIGINT stop the server and exit 0.
 */
import { startPeerSubgraphs } from './server.js';

const running = await startPeerSubgraphs({
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 4200),
});
process.stdout.write(JSON.stringify({ ready: true, pid: process.pid, port: running.port, urls: running.urls }) + '\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void running.stop().then(() => process.exit(0));
  });
}
