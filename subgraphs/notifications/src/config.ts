import { z } from 'zod';
import { ConfigError, loadConfig } from '@shop/platform';

export const notificationsEnv = {
  PORT: z.coerce.number().int().min(0).max(65_535).default(4012),
  MYSQL_DATABASE: z.string().regex(/^[A-Za-z0-9_]+$/).default('shop_notifications'),
  /** Attempts of a failing event handler (e.g. a payment for an order whose owner is not known yet) before dead-lettering. */
  EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** First retry delay of a failing event handler; doubles on each attempt. */
  EVENT_RETRY_BACKOFF_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  /** How notifications leave the shop: `log` writes them to the log, `smtp` e-mails them. */
  NOTIFY_TRANSPORT: z.enum(['log', 'smtp']).default('log'),
  /** SMTP server for NOTIFY_TRANSPORT=smtp, e.g. `smtp://user:pass@mail.example.com:587` or `smtps://...`. */
  SMTP_URL: z.url().optional(),
  /** Sender of notification e-mails. */
  SMTP_FROM: z.string().min(3).default('Shop <no-reply@shop.local>'),
  /**
   * Mailbox every notification e-mail goes to (required for smtp). The users subgraph keeps
   * e-mail addresses private, so this subgraph does not know them: see README.md.
   */
  SMTP_TO: z.email().optional(),
  /** Delivery attempts of one notification before it is marked FAILED (it stays stored and visible). */
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** How often the deliverer looks for notifications due (new ones also wake it at once). */
  DELIVERY_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  /** First delay before a failed delivery is retried; doubles per attempt, capped at one hour. */
  DELIVERY_RETRY_BACKOFF_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
};

export type NotificationsConfig = ReturnType<typeof loadNotificationsConfig>;

export function loadNotificationsConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(notificationsEnv, env);
  if (config.NOTIFY_TRANSPORT === 'smtp') {
    const missing = (['SMTP_URL', 'SMTP_TO'] as const).filter((key) => !config[key]);
    if (missing.length > 0) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((k) => `  ${k}: required when NOTIFY_TRANSPORT=smtp`).join('\n')}`);
    }
  }
  return config;
}

/** The Kafka consumer group, also the namespace of processed event ids. */
export function consumerGroup(config: NotificationsConfig): string {
  return `notifications${config.KAFKA_GROUP_SUFFIX}`;
}
