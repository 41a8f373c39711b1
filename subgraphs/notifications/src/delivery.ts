import { randomUUID } from 'node:crypto';
import { and, asc, eq, lte } from 'drizzle-orm';
import type { Logger } from '@shop/platform';
import { notifications, type NotificationsDb } from './db/index.js';
import type { NotificationTransport, OutgoingNotification, RecipientDirectory } from './transports.js';

/**
 * Sends stored notifications through the configured transport, after they committed: the
 * notification row is its own outbox. A failed send never touches the notification itself;
 * the row is retried with exponential backoff and marked FAILED after the last attempt.
 * Rows are claimed with a lease, so several instances never send the same row at once and a
 * crashed sender's rows are picked up again when the lease runs out (at-least-once delivery).
 */

export interface DelivererOptions {
  db: NotificationsDb;
  transport: NotificationTransport;
  recipients: RecipientDirectory;
  log: Logger;
  maxAttempts: number;
  /** How often to look for due rows when nothing woke the deliverer. */
  pollIntervalMs: number;
  /** Delay before the first retry; doubles per failed attempt, capped at one hour. */
  retryBackoffMs: number;
  batchSize?: number;
  /** How long a claimed row stays reserved for this sender. */
  leaseMs?: number;
}

export interface DeliveryRound {
  sent: number;
  failed: number;
}

export interface Deliverer {
  start(): void;
  /** Looks for due rows now (called after a notification committed). */
  wake(): void;
  /** One claim-and-send pass (what the loop runs; tests call it directly). */
  runOnce(): Promise<DeliveryRound>;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 60 * 60_000;

/** Delay before the next attempt after `attempts` failed ones. */
export function retryDelay(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

export function createDeliverer(opts: DelivererOptions): Deliverer {
  const { db, transport, recipients, log } = opts;
  const batchSize = opts.batchSize ?? 50;
  const leaseMs = opts.leaseMs ?? 60_000;

  async function claimDue(): Promise<{ claim: string; rows: OutgoingNotification[]; attempts: Map<string, number> }> {
    const claim = randomUUID();
    const now = new Date();
    await db
      .update(notifications)
      .set({ deliveryClaim: claim, nextDeliveryAt: new Date(now.getTime() + leaseMs) })
      .where(and(eq(notifications.deliveryStatus, 'PENDING'), lte(notifications.nextDeliveryAt, now)))
      .orderBy(asc(notifications.nextDeliveryAt))
      .limit(batchSize);
    const rows = await db
      .select({
        id: notifications.id,
        userId: notifications.userId,
        type: notifications.type,
        title: notifications.title,
        body: notifications.body,
        orderId: notifications.orderId,
        createdAt: notifications.createdAt,
        deliveryAttempts: notifications.deliveryAttempts,
      })
      .from(notifications)
      .where(and(eq(notifications.deliveryClaim, claim), eq(notifications.deliveryStatus, 'PENDING')));
    return {
      claim,
      rows: rows.map(({ deliveryAttempts: _attempts, ...n }) => n),
      attempts: new Map(rows.map((r) => [r.id, r.deliveryAttempts])),
    };
  }

  async function deliver(n: OutgoingNotification, claim: string, previousAttempts: number): Promise<boolean> {
    const attempts = previousAttempts + 1;
    const mine = and(eq(notifications.id, n.id), eq(notifications.deliveryClaim, claim));
    try {
      await transport.send(n, await recipients.recipient(n.userId));
    } catch (err) {
      const message = (err as Error).message.slice(0, 500);
      const giveUp = attempts >= opts.maxAttempts;
      await db
        .update(notifications)
        .set({
          deliveryStatus: giveUp ? 'FAILED' : 'PENDING',
          deliveryAttempts: attempts,
          nextDeliveryAt: new Date(Date.now() + retryDelay(attempts, opts.retryBackoffMs)),
          deliveryClaim: null,
          lastDeliveryError: message,
        })
        .where(mine);
      if (giveUp) log.error({ notificationId: n.id, attempts, err: message }, `notification delivery by ${transport.name} failed for good`);
      else log.warn({ notificationId: n.id, attempts, err: message }, `notification delivery by ${transport.name} failed, will retry`);
      return false;
    }
    await db
      .update(notifications)
      .set({ deliveryStatus: 'SENT', deliveryAttempts: attempts, deliveredAt: new Date(), deliveryClaim: null, lastDeliveryError: null })
      .where(mine);
    return true;
  }

  async function runOnce(): Promise<DeliveryRound> {
    const round: DeliveryRound = { sent: 0, failed: 0 };
    const { claim, rows, attempts } = await claimDue();
    for (const n of rows) {
      if (await deliver(n, claim, attempts.get(n.id) ?? 0)) round.sent += 1;
      else round.failed += 1;
    }
    return round;
  }

  let running: Promise<void> | null = null;
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  let woken = false;

  const pause = () =>
    new Promise<void>((resolve) => {
      if (woken || stopped) return resolve();
      const timer = setTimeout(done, opts.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  async function loop(): Promise<void> {
    while (!stopped) {
      woken = false;
      try {
        const round = await runOnce();
        // A full batch means more may be due: go again without waiting.
        if (round.sent + round.failed >= batchSize) continue;
      } catch (err) {
        log.error({ err }, 'notification delivery round failed');
      }
      await pause();
    }
  }

  return {
    start() {
      running ??= loop();
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    runOnce,
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
      await transport.close();
    },
  };
}
