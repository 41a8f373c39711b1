import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@shop/testing';
import {
  orderId,
  orderPaid,
  outboxEvents,
  publishOrderEvent,
  redeliver,
  settledOutcomes,
  shipmentsOfOrder,
  startShipping,
  type ShippingHarness,
} from './harness.js';

let h: ShippingHarness;
beforeAll(async () => {
  h = await startShipping();
});
afterAll(async () => {
  await h?.close();
});

describe('creating shipments from order.paid (real Kafka)', () => {
  it('creates one LABEL_CREATED shipment with the method’s carrier and a tracking number, and publishes shipment.created', async () => {
    const order = orderId();
    const userId = uniqueName('user');
    await publishOrderEvent(h, 'order.paid', orderPaid(order, userId, 'EXPRESS'));

    const created = await h.published.waitFor((events) => events.find((e) => e.key === order && e.type === 'shipment.created'));
    const [row] = await shipmentsOfOrder(h, order);
    expect(row).toMatchObject({ order_id: order, user_id: userId, status: 'LABEL_CREATED', carrier: 'UPS' });
    expect(row!.tracking_number).toMatch(/^UPS\d{16}$/);
    expect(created.payload).toEqual({ orderId: order, shipmentId: row!.id, carrier: 'UPS', trackingNumber: row!.tracking_number });
  });

  it('creates exactly one shipment when order.paid is delivered twice', async () => {
    const order = orderId();
    const paid = await publishOrderEvent(h, 'order.paid', orderPaid(order, 'u1', 'STANDARD'));
    await redeliver(h, paid);
    expect(await settledOutcomes(h, paid.id, 2)).toEqual(['applied', 'duplicate']);
    expect(await shipmentsOfOrder(h, order)).toHaveLength(1);
    expect((await outboxEvents(h, order)).map((e) => e.type)).toEqual(['shipment.created']);
  });

  it('still creates one shipment when the same order is paid again under a new event id', async () => {
    const order = orderId();
    const first = await publishOrderEvent(h, 'order.paid', orderPaid(order, 'u1'));
    const second = await publishOrderEvent(h, 'order.paid', orderPaid(order, 'u1'));
    await settledOutcomes(h, first.id);
    await settledOutcomes(h, second.id);
    expect(await shipmentsOfOrder(h, order)).toHaveLength(1);
    expect((await outboxEvents(h, order)).map((e) => e.type)).toEqual(['shipment.created']);
  });

  it('gives each order its own tracking number', async () => {
    const orders = Array.from({ length: 5 }, () => orderId());
    const events = await Promise.all(orders.map((o) => publishOrderEvent(h, 'order.paid', orderPaid(o, 'u2', 'STANDARD'))));
    await Promise.all(events.map((e) => settledOutcomes(h, e.id)));
    const rows = (await Promise.all(orders.map((o) => shipmentsOfOrder(h, o)))).flat();
    expect(rows.map((r) => r.carrier)).toEqual(Array(5).fill('USPS'));
    expect(new Set(rows.map((r) => r.tracking_number)).size).toBe(5);
  });

  it('falls back to a default carrier for a method the shop no longer has', async () => {
    const order = orderId();
    const paid = await publishOrderEvent(h, 'order.paid', orderPaid(order, 'u3', 'CARRIER_PIGEON'));
    await settledOutcomes(h, paid.id);
    expect((await shipmentsOfOrder(h, order))[0]).toMatchObject({ carrier: 'USPS', status: 'LABEL_CREATED' });
  });
});
