import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';
import type { Logger } from 'pino';
import { outbox } from './tables.js';
import { topicOf, type ShopEvent } from './catalogue.js';
import type { Envelope } from './envelope.js';
import type { Kafka } from 'kafkajs';
import { createPublisher, type EventPublisher } from './kafka.js';

// Any drizzle MySQL database or transaction handle.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type DrizzleMysql = MySqlDatabase<any, any, any, any>;

/**
 * Records events in the outbox inside the caller's transaction: they are published
 * if and only if the state change commits.
 */
export async function enqueueEvents(tx: DrizzleMysql, events: ShopEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(outbox).values(
    events.map((e) => ({
      eventId: e.id,
      topic: topicOf(e.type),
      eventKey: e.key,
      eventType: e.type,
      envelope: JSON.stringify(e),
      createdAt: new Date(e.occurredAt),
    })),
  );
}

export interface PendingEvent {
  /** Store-specific handle used to mark the event sent. */
  ref: string | number;
  topic: string;
  envelope: Envelope;
}

/**
 * Where a relay reads unsent events from. MySQL subgraphs use `MysqlOutboxStore`;
 * products keeps pending events inside each MongoDB document (see its README).
 */
export interface OutboxStore {
  /** Oldest first, at most `limit`. */
  fetchPending(limit: number): Promise<PendingEvent[]>;
  markSent(events: PendingEvent[]): Promise<void>;
  markFailed?(events: PendingEvent[], error: string): Promise<void>;
  /** Optional leader election so only one process of a subgraph relays at a time. */
  acquireLease?(): Promise<boolean>;
  releaseLease?(): Promise<void>;
}

export class MysqlOutboxStore implements OutboxStore {
  private leaseConn: PoolConnection | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly lockName: string,
  ) {}

  async fetchPending(limit: number): Promise<PendingEvent[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT seq, topic, envelope FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({ ref: Number(r.seq), topic: String(r.topic), envelope: JSON.parse(String(r.envelope)) as Envelope }));
  }

  async markSent(events: PendingEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.pool.query('UPDATE outbox SET sent_at = NOW(3), attempts = attempts + 1 WHERE seq IN (?)', [events.map((e) => e.ref)]);
  }

  async markFailed(events: PendingEvent[], error: string): Promise<void> {
    if (events.length === 0) return;
    await this.pool.query('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq IN (?)', [
      error.slice(0, 1000),
      events.map((e) => e.ref),
    ]);
  }

  /** A named lock held on a dedicated connection: released automatically if the process dies. */
  async acquireLease(): Promise<boolean> {
    if (this.leaseConn) {
      try {
        const [rows] = await this.leaseConn.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) = CONNECTION_ID() AS mine', [this.lockName]);
        if (rows[0]?.mine === 1) return true;
      } catch {
        /* connection lost: fall through and reacquire */
      }
      this.leaseConn.destroy();
      this.leaseConn = null;
    }
    const conn = await this.pool.getConnection();
    const [rows] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 0) AS got', [this.lockName]);
    if (rows[0]?.got === 1) {
      this.leaseConn = conn;
      return true;
    }
    conn.release();
    return false;
  }

  async releaseLease(): Promise<void> {
    if (!this.leaseConn) return;
    try {
      await this.leaseConn.query('SELECT RELEASE_LOCK(?)', [this.lockName]);
    } finally {
      this.leaseConn.release();
      this.leaseConn = null;
    }
  }
}

export interface RelayOptions {
  store: OutboxStore;
  publisher: EventPublisher;
  log: Logger;
  /** How often to look for rows nobody woke us for (other processes, restarts). */
  pollIntervalMs?: number;
  batchSize?: number;
  maxBackoffMs?: number;
}

/**
 * Publishes outbox events to Kafka and marks them sent. Kafka down = events wait and are
 * retried with backoff; nothing is lost. At-least-once: consumers are idempotent.
 * Call `wake()` after committing new events so they go out without waiting for a poll.
 */
export class OutboxRelay {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private wakeRequested = false;
  private loop: Promise<void> | null = null;
  private failures = 0;
  private resolveSleep: (() => void) | null = null;
  /** Events published since start, for tests and metrics. */
  published = 0;

  constructor(private readonly opts: RelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.wakeRequested = true;
    this.resolveSleep?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.resolveSleep?.();
    await this.loop;
    await this.opts.store.releaseLease?.().catch(() => undefined);
  }

  /** Publishes everything pending now; returns how many were sent. Used by the loop and by tests. */
  async drainOnce(): Promise<number> {
    const { store, publisher } = this.opts;
    const batchSize = this.opts.batchSize ?? 200;
    let total = 0;
    for (;;) {
      const pending = await store.fetchPending(batchSize);
      if (pending.length === 0) return total;
      try {
        await publisher.publish(pending.map((p) => ({ topic: p.topic, envelope: p.envelope })));
      } catch (err) {
        await store.markFailed?.(pending, (err as Error).message).catch(() => undefined);
        throw err;
      }
      await store.markSent(pending);
      total += pending.length;
      this.published += pending.length;
      if (pending.length < batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    const poll = this.opts.pollIntervalMs ?? 1_000;
    const maxBackoff = this.opts.maxBackoffMs ?? 5_000;
    while (this.running) {
      this.wakeRequested = false;
      let delay = poll;
      try {
        const leader = this.opts.store.acquireLease ? await this.opts.store.acquireLease() : true;
        if (leader) await this.drainOnce();
        this.failures = 0;
      } catch (err) {
        this.failures += 1;
        delay = Math.min(maxBackoff, 100 * 2 ** this.failures);
        this.opts.log.warn({ err: (err as Error).message, retryInMs: delay }, 'outbox relay: publish failed, will retry');
      }
      if (!this.running) break;
      if (this.wakeRequested && this.failures === 0) continue;
      await new Promise<void>((resolve) => {
        this.resolveSleep = resolve;
        this.timer = setTimeout(resolve, delay);
      });
      this.resolveSleep = null;
      if (this.timer) clearTimeout(this.timer);
    }
  }
}

export interface MysqlOutboxOptions {
  kafka: Kafka;
  /** The subgraph's own pool: the relay reads its `outbox` table and holds its lease on a connection of it. */
  pool: Pool;
  /**
   * The subgraph's database (MariaDB lock names are server-wide, so the lease is named after it) and
   * topic prefix, as every subgraph's config names them.
   */
  config: { MYSQL_DATABASE: string; KAFKA_TOPIC_PREFIX: string };
  log: Logger;
  pollIntervalMs?: number;
  maxBackoffMs?: number;
}

/** What a MySQL-backed subgraph publishes through: its producer and the running relay of its outbox. */
export interface MysqlOutbox {
  publisher: EventPublisher;
  relay: OutboxRelay;
  /** Stops the relay (its round in flight finishes), then the producer. */
  close(): Promise<void>;
}

/** The producer and outbox relay every MySQL-backed publishing subgraph runs (orders, inventory, payments, shipping). */
export function startMysqlOutbox(opts: MysqlOutboxOptions): MysqlOutbox {
  const publisher = createPublisher(opts.kafka, { topicPrefix: opts.config.KAFKA_TOPIC_PREFIX });
  const relay = new OutboxRelay({
    store: new MysqlOutboxStore(opts.pool, `outbox-relay:${opts.config.MYSQL_DATABASE}`),
    publisher,
    log: opts.log.child({ component: 'outbox-relay' }),
    pollIntervalMs: opts.pollIntervalMs,
    maxBackoffMs: opts.maxBackoffMs,
  });
  relay.start();
  return {
    publisher,
    relay,
    async close() {
      await relay.stop();
      await publisher.close();
    },
  };
}
