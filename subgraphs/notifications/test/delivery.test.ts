import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@shop/platform';
import { eventually } from '@shop/testing';
import { loadNotificationsConfig } from '../src/config.js';
import { retryDelay } from '../src/delivery.js';
import { smtpTransport, transportFromConfig } from '../src/transports.js';
import { orderEvents, ownInbox, person, startNotifications, type NotificationsHarness } from './harness.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const log = createLogger('notifications-test', 'silent');
const OPS_MAILBOX = 'orders-desk@shop.test';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.close();
});

describe('transport selection by configuration', () => {
  it('writes notifications to the log by default', () => {
    const config = loadNotificationsConfig({});
    expect(config.NOTIFY_TRANSPORT).toBe('log');
    expect(transportFromConfig(config, log).transport.name).toBe('log');
  });

  it('e-mails them with NOTIFY_TRANSPORT=smtp, no code change', () => {
    const config = loadNotificationsConfig({ NOTIFY_TRANSPORT: 'smtp', SMTP_URL: sink.url, SMTP_TO: OPS_MAILBOX });
    const { transport } = transportFromConfig(config, log);
    expect(transport.name).toBe('smtp');
  });

  it('refuses to start with smtp but no server or mailbox configured', () => {
    expect(() => loadNotificationsConfig({ NOTIFY_TRANSPORT: 'smtp' })).toThrow(/SMTP_URL: required[\s\S]*SMTP_TO: required/);
    expect(() => loadNotificationsConfig({ NOTIFY_TRANSPORT: 'sms' })).toThrow(/NOTIFY_TRANSPORT/);
  });
});

describe('the SMTP transport', () => {
  it('sends a real message to an SMTP server: title as subject, body as text', async () => {
    const transport = smtpTransport({ url: sink.url, from: 'Shop <no-reply@shop.test>' });
    const before = sink.messages.length;
    try {
      await transport.send(
        {
          id: 'n-1',
          userId: 'u-1',
          type: 'PAYMENT_SUCCEEDED',
          title: 'Payment received',
          body: 'We received your payment of €10.50 for order #ABCDEF12. We are getting it ready to ship.',
          orderId: 'abcdef12-0000',
          createdAt: new Date(),
        },
        { userId: 'u-1', email: 'ann@shop.test' },
      );
    } finally {
      await transport.close();
    }
    const mail = sink.messages[before]!;
    expect(mail.from).toBe('no-reply@shop.test');
    expect(mail.to).toEqual(['ann@shop.test']);
    expect(mail.headers.subject).toBe('Payment received');
    expect(mail.headers['x-shop-notification-id']).toBe('n-1');
    expect(mail.headers['x-shop-order-id']).toBe('abcdef12-0000');
    expect(mail.body.trim()).toBe('We received your payment of €10.50 for order #ABCDEF12. We are getting it ready to ship.');
  });

  it('fails the send when the server refuses the recipient', async () => {
    const transport = smtpTransport({ url: sink.url, from: 'no-reply@shop.test' });
    sink.rejectRecipients = true;
    try {
      await expect(
        transport.send(
          { id: 'n-2', userId: 'u-1', type: 'ORDER_SHIPPED', title: 'Order shipped', body: 'On its way.', orderId: null, createdAt: new Date() },
          { userId: 'u-1', email: 'ann@shop.test' },
        ),
      ).rejects.toThrow(/550/);
    } finally {
      sink.rejectRecipients = false;
      await transport.close();
    }
  });
});

describe('delivery of stored notifications', () => {
  let h: NotificationsHarness;
  beforeAll(async () => {
    h = await startNotifications({
      NOTIFY_TRANSPORT: 'smtp',
      SMTP_URL: sink.url,
      SMTP_TO: OPS_MAILBOX,
      SMTP_FROM: 'Shop <no-reply@shop.test>',
      DELIVERY_MAX_ATTEMPTS: '4',
      DELIVERY_RETRY_BACKOFF_MS: '300',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const deliveryOf = async (eventId: string) =>
    (
      await h.sql<{ id: string; delivery_status: string; delivery_attempts: number; last_delivery_error: string | null }>(
        'SELECT id, delivery_status, delivery_attempts, last_delivery_error FROM notifications WHERE event_id = ?',
        [eventId],
      )
    )[0];
  const mailsAbout = (notificationId: string) => sink.messages.filter((m) => m.headers['x-shop-notification-id'] === notificationId);

  it('e-mails a notification once it is stored, and records it as sent', async () => {
    const ann = await person(h.auth);
    const placed = orderEvents(ann.id).placed(12_345);
    await h.publish(placed);
    const row = await eventually(async () => {
      const r = await deliveryOf(placed.id);
      return r?.delivery_status === 'SENT' ? r : undefined;
    });
    expect(row.delivery_attempts).toBe(1);
    const mails = mailsAbout(row.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: [OPS_MAILBOX], headers: { subject: 'Order received', 'x-shop-user-id': ann.id } });
    expect(mails[0]!.body).toContain('$123.45');
  });

  it('keeps the notification when sending fails, and retries until it goes out', async () => {
    const ben = await person(h.auth);
    const shipped = orderEvents(ben.id).shipped();
    sink.rejectRecipients = true;
    try {
      await h.publish(shipped);
      const failed = await eventually(async () => {
        const r = await deliveryOf(shipped.id);
        return r && r.delivery_attempts >= 1 ? r : undefined;
      });
      expect(failed).toMatchObject({ delivery_status: 'PENDING' });
      expect(failed.last_delivery_error).toMatch(/550/);
      expect((await ownInbox(h.url, ben)).nodes.map((n) => n.type)).toEqual(['ORDER_SHIPPED']);
    } finally {
      sink.rejectRecipients = false;
    }
    const sent = await eventually(async () => {
      const r = await deliveryOf(shipped.id);
      return r?.delivery_status === 'SENT' ? r : undefined;
    });
    expect(sent.delivery_attempts).toBeGreaterThanOrEqual(2);
    expect(sent.last_delivery_error).toBeNull();
    expect(mailsAbout(sent.id)).toHaveLength(1);
  });

  it('gives up after DELIVERY_MAX_ATTEMPTS, marking it FAILED, and the user still sees it', async () => {
    const cat = await person(h.auth);
    const delivered = orderEvents(cat.id).delivered();
    sink.rejectRecipients = true;
    try {
      await h.publish(delivered);
      const row = await eventually(async () => {
        const r = await deliveryOf(delivered.id);
        return r?.delivery_status === 'FAILED' ? r : undefined;
      }, 20_000);
      expect(row.delivery_attempts).toBe(4);
      expect(mailsAbout(row.id)).toHaveLength(0);
    } finally {
      sink.rejectRecipients = false;
    }
    expect((await ownInbox(h.url, cat)).nodes).toMatchObject([{ type: 'ORDER_DELIVERED', read: false }]);
  });
});

describe('retry delays', () => {
  it('double after each failed attempt and stop growing at one hour', () => {
    expect([1, 2, 3, 4].map((a) => retryDelay(a, 1_000))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelay(30, 1_000)).toBe(60 * 60_000);
  });
});
