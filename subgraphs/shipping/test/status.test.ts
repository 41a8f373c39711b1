import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { outboxEvents, paidOrder, startShipping, UPDATE_STATUS, type ShippingHarness } from './harness.js';

let h: ShippingHarness;
beforeAll(async () => {
  h = await startShipping();
});
afterAll(async () => {
  await h?.close();
});

const update = (id: string, status: string, token: string | null = h.auth.admin) => gql(h.url, UPDATE_STATUS, { id, status }, { token });

describe('updateShipmentStatus', () => {
  it('refuses anonymous callers (UNAUTHENTICATED) and customers, even the owner (FORBIDDEN)', async () => {
    const owner = 'owner-1';
    const shipment = await paidOrder(h, owner);
    expect(errorCode(await update(shipment.id, 'IN_TRANSIT', null))).toBe('UNAUTHENTICATED');
    expect(errorCode(await update(shipment.id, 'IN_TRANSIT', await h.auth.sign('CUSTOMER', owner)))).toBe('FORBIDDEN');
    expect(errorCode(await update(shipment.id, 'IN_TRANSIT', h.auth.customer))).toBe('FORBIDDEN');
    expect((await outboxEvents(h, shipment.order_id)).map((e) => e.type)).toEqual(['shipment.created']);
  });

  it('answers NOT_FOUND for an unknown shipment', async () => {
    const res = await update('no-such-shipment', 'IN_TRANSIT');
    expect(res.data.updateShipmentStatus).toEqual({
      shipment: null,
      userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['id'] })],
    });
  });

  it('moves LABEL_CREATED → IN_TRANSIT → DELIVERED, recording each step and publishing shipment.in_transit and shipment.delivered', async () => {
    const shipment = await paidOrder(h, 'owner-2');

    const inTransit = await update(shipment.id, 'IN_TRANSIT');
    expect(inTransit.errors).toBeUndefined();
    expect(inTransit.data.updateShipmentStatus.userErrors).toEqual([]);
    expect(inTransit.data.updateShipmentStatus.shipment).toMatchObject({ id: shipment.id, status: 'IN_TRANSIT', carrier: 'UPS', trackingNumber: shipment.tracking_number });
    expect(inTransit.data.updateShipmentStatus.shipment.events.map((e: { status: string }) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT']);

    const delivered = await update(shipment.id, 'DELIVERED');
    const events = delivered.data.updateShipmentStatus.shipment.events as Array<{ status: string; at: string }>;
    expect(events.map((e) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT', 'DELIVERED']);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);

    const published = await h.published.waitFor((all) => {
      const mine = all.filter((e) => e.key === shipment.order_id);
      return mine.length >= 3 ? mine : undefined;
    });
    expect(published.map((e) => e.type)).toEqual(['shipment.created', 'shipment.in_transit', 'shipment.delivered']);
    expect(published[1]!.payload).toEqual({ orderId: shipment.order_id, shipmentId: shipment.id, at: events[1]!.at });
    expect(published[2]!.payload).toEqual({ orderId: shipment.order_id, shipmentId: shipment.id, at: events[2]!.at });
  });

  it('refuses to stay, go back or skip IN_TRANSIT (INVALID_TRANSITION), and publishes nothing then', async () => {
    const shipment = await paidOrder(h, 'owner-3');
    const refused = async (status: string) => {
      const res = await update(shipment.id, status);
      expect(res.data.updateShipmentStatus.shipment).toBeNull();
      expect(res.data.updateShipmentStatus.userErrors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION', field: ['status'] })]);
    };
    await refused('LABEL_CREATED');
    await refused('DELIVERED');
    expect((await update(shipment.id, 'IN_TRANSIT')).data.updateShipmentStatus.userErrors).toEqual([]);
    await refused('IN_TRANSIT');
    await refused('LABEL_CREATED');
    expect((await update(shipment.id, 'DELIVERED')).data.updateShipmentStatus.userErrors).toEqual([]);
    await refused('IN_TRANSIT');
    await refused('DELIVERED');
    expect((await outboxEvents(h, shipment.order_id)).map((e) => e.type)).toEqual(['shipment.created', 'shipment.in_transit', 'shipment.delivered']);
  });

  it('lets only one of two concurrent identical updates through', async () => {
    const shipment = await paidOrder(h, 'owner-4');
    const results = await Promise.all([update(shipment.id, 'IN_TRANSIT'), update(shipment.id, 'IN_TRANSIT')]);
    const codes = results.map((r) => r.data.updateShipmentStatus.userErrors[0]?.code ?? 'OK').sort();
    expect(codes).toEqual(['INVALID_TRANSITION', 'OK']);
    expect((await outboxEvents(h, shipment.order_id)).map((e) => e.type)).toEqual(['shipment.created', 'shipment.in_transit']);
  });

  it('rejects an unknown status value at the schema level (BAD_USER_INPUT)', async () => {
    const shipment = await paidOrder(h, 'owner-5');
    const res = await update(shipment.id, 'LOST');
    expect(res.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
  });
});
