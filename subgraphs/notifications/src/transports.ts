import nodemailer from 'nodemailer';
import type { Logger } from '@shop/platform';
import type { NotificationsConfig } from './config.js';

/**
 * How a stored notification reaches its user outside the app: the variation point, chosen in
 * configuration (NOTIFY_TRANSPORT), like payment providers. Every notification is readable in
 * the graph whatever the transport does.
 */
export interface NotificationTransport {
  readonly name: string;
  /** Sends one notification; throws when it could not be handed over (the deliverer retries). */
  send(notification: OutgoingNotification, recipient: Recipient): Promise<void>;
  close(): Promise<void>;
}

export interface OutgoingNotification {
  id: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  orderId: string | null;
  createdAt: Date;
}

export interface Recipient {
  userId: string;
  /** Where e-mail goes; null when no address is known. */
  email: string | null;
}

/** Resolves the user a notification is for into somewhere to send it. */
export interface RecipientDirectory {
  recipient(userId: string): Promise<Recipient>;
}

/** The default: the notification is written to the log (development, and shops that only show them in-app). */
export function logTransport(log: Logger): NotificationTransport {
  return {
    name: 'log',
    async send(n, recipient) {
      log.info({ notificationId: n.id, userId: recipient.userId, type: n.type, title: n.title, body: n.body }, 'notification delivered');
    },
    async close() {},
  };
}

export interface SmtpOptions {
  /** e.g. smtp://user:pass@mail.example.com:587 (STARTTLS when offered) or smtps://...:465 */
  url: string;
  from: string;
  /** Connection and greeting timeouts, so a dead server fails the attempt instead of hanging it. */
  timeoutMs?: number;
}

/** E-mail through any SMTP server (nodemailer): the title is the subject, the body the text. */
export function smtpTransport(opts: SmtpOptions): NotificationTransport {
  const timeout = opts.timeoutMs ?? 10_000;
  // nodemailer reads options from the URL's query; add timeouts the URL does not set itself.
  const url = new URL(opts.url);
  for (const key of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) {
    if (!url.searchParams.has(key)) url.searchParams.set(key, String(timeout));
  }
  const mailer = nodemailer.createTransport(url.toString(), { from: opts.from });
  return {
    name: 'smtp',
    async send(n, recipient) {
      if (!recipient.email) throw new Error(`No e-mail address for user ${recipient.userId}`);
      await mailer.sendMail({
        to: recipient.email,
        subject: n.title,
        text: n.body,
        headers: {
          'X-Shop-Notification-Id': n.id,
          'X-Shop-Notification-Type': n.type,
          'X-Shop-User-Id': recipient.userId,
          ...(n.orderId ? { 'X-Shop-Order-Id': n.orderId } : {}),
        },
      });
    },
    async close() {
      mailer.close();
    },
  };
}

/**
 * Every user's mail goes to one configured mailbox (SMTP_TO): users keeps e-mail addresses
 * private and this subgraph stores none, so per-user addressing is not possible yet (README).
 */
export function fixedMailbox(address: string | null): RecipientDirectory {
  return {
    async recipient(userId) {
      return { userId, email: address };
    },
  };
}

/** The transport and directory NOTIFY_TRANSPORT selects; switching to e-mail needs no code change. */
export function transportFromConfig(
  config: Pick<NotificationsConfig, 'NOTIFY_TRANSPORT' | 'SMTP_URL' | 'SMTP_FROM' | 'SMTP_TO'>,
  log: Logger,
): { transport: NotificationTransport; recipients: RecipientDirectory } {
  switch (config.NOTIFY_TRANSPORT) {
    case 'smtp':
      if (!config.SMTP_URL || !config.SMTP_TO) throw new Error('NOTIFY_TRANSPORT=smtp needs SMTP_URL and SMTP_TO');
      return { transport: smtpTransport({ url: config.SMTP_URL, from: config.SMTP_FROM }), recipients: fixedMailbox(config.SMTP_TO) };
    case 'log':
      return { transport: logTransport(log), recipients: fixedMailbox(null) };
  }
}
