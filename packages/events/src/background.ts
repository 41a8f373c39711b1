import type { Logger } from 'pino';
import type { RunningConsumer } from './consumer.js';

export interface BackgroundConsumer {
  /** Resolves once the consumer has joined its group and runs (start-up never waits for it; tests may). */
  started: Promise<void>;
  /** Stops retrying, or stops the running consumer; resolves when nothing runs any more. */
  stop(): Promise<void>;
}

export interface BackgroundConsumerOptions {
  /** Longest wait between two attempts to start (default 5 s; attempts back off from 200 ms). */
  maxRetryDelayMs?: number;
}

/**
 * Runs a consumer for as long as the subgraph runs, without making start-up depend on Kafka: joining
 * the group can take until the broker is back, or until the session of a killed predecessor expires,
 * and meanwhile the subgraph still serves the graph. `start` is retried with backoff until it succeeds
 * or `stop()` is called; a consumer that kafkajs gave up on (a crash it will not restart) is started again.
 */
export function consumeInBackground(
  start: () => Promise<RunningConsumer>,
  log: Logger,
  opts: BackgroundConsumerOptions = {},
): BackgroundConsumer {
  const maxDelay = opts.maxRetryDelayMs ?? 5_000;
  let stopped = false;
  let current: RunningConsumer | null = null;
  let wakeUp: (() => void) | null = null;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async (): Promise<void> => {
    for (let failures = 0; !stopped; failures++) {
      try {
        const running = await start();
        if (stopped) return void (await running.stop().catch(() => undefined));
        current = running;
        running.consumer.on(running.consumer.events.CRASH, (e) => {
          if (e.payload.restart || stopped) return; // kafkajs restarts by itself after retriable errors
          log.error({ err: e.payload.error?.message }, 'event consumer crashed; starting it again');
          current = null;
          void running.stop().catch(() => undefined);
          loop = run();
        });
        return markStarted();
      } catch (err) {
        const delay = Math.min(maxDelay, 200 * 2 ** Math.min(failures, 10));
        log.warn({ err: (err as Error).message, retryInMs: delay }, 'event consumer could not start, retrying');
        await sleep(delay);
      }
    }
  };

  let loop = run();
  return {
    started,
    async stop() {
      stopped = true;
      (wakeUp as (() => void) | null)?.();
      await loop;
      await current?.stop();
      current = null;
    },
  };
}
