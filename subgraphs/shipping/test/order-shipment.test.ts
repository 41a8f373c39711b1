import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql, uniqueName } from '@shop/testing';
import { orderId, paidOrder, startShipping, UPDATE_STATUS, type ShipmentRow, type ShippingHarness } from './harness.js';

let h: ShippingHarness;
let owner: { id: string; token: string };
let shipment: ShipmentRow;
beforeAll(async () => {
  h = await startShipping();
  const id = uniqueName('owner');
  owner = { id, token: await h.auth.sign('CUSTOMER', id) };
  shipment = await paidOrder(h, owner.id);
});
afterAll(async () => {
  await h?.close();
});

const ORDER_SHIPMENT = `
  query ($r: [_Any!]!) {
    _entities(representations: $r) { ... on Order { id shipment { id status carrier trackingNumber events { status at } } } }
  }`;
const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'Order', id }));
const read = (ids: string[], token?: string) => gql(h.url, ORDER_SHIPMENT, { r: refs(ids) }, { token });

describe('Order.shipment', () => {
  it('shows the owner their order’s shipment with its tracking history', async () => {
    const res = await read([shipment.order_id], owner.token);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities[0]).toEqual({
      id: shipment.order_id,
      shipment: {
        id: shipment.id,
        status: 'LABEL_CREATED',
        carrier: 'UPS',
        trackingNumber: shipment.tracking_number,
        events: [{ status: 'LABEL_CREATED', at: expect.any(String) }],
      },
    });
  });

  it('shows any shipment to an admin', async () => {
    const res = await read([shipment.order_id], h.auth.admin);
    expect(res.data._entities[0].shipment.id).toBe(shipment.id);
  });

  it('refuses another customer (FORBIDDEN) and hides the shipment', async () => {
    const res = await read([shipment.order_id], h.auth.customer);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0]!.path).toEqual(['_entities', 0, 'shipment']);
    expect(JSON.stringify(res.data)).not.toContain(shipment.tracking_number);
  });

  it('refuses anonymous callers (UNAUTHENTICATED), whether or not the order has a shipment', async () => {
    expect(errorCode(await read([shipment.order_id]))).toBe('UNAUTHENTICATED');
    expect(errorCode(await read([orderId()]))).toBe('UNAUTHENTICATED');
    expect(errorCode(await read([shipment.order_id], `${owner.token}x`))).toBe('UNAUTHENTICATED');
  });

  it('is null until the shipment is created', async () => {
    const res = await read([orderId()], owner.token);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities[0].shipment).toBeNull();
  });

  it('follows status updates', async () => {
    const other = await paidOrder(h, owner.id);
    await gql(h.url, UPDATE_STATUS, { id: other.id, status: 'IN_TRANSIT' }, { token: h.auth.admin });
    const res = await read([other.order_id], owner.token);
    expect(res.data._entities[0].shipment.status).toBe('IN_TRANSIT');
    expect(res.data._entities[0].shipment.events.map((e: { status: string }) => e.status)).toEqual(['LABEL_CREATED', 'IN_TRANSIT']);
  });

  it('loads many orders’ shipments and their events with one query each', async () => {
    const more = await Promise.all([paidOrder(h, owner.id), paidOrder(h, owner.id), paidOrder(h, owner.id)]);
    const ids = [shipment.order_id, ...more.map((s) => s.order_id), orderId()];
    h.statements.length = 0;
    const res = await read(ids, h.auth.admin);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((o: { shipment: { id: string } | null }) => o.shipment?.id ?? null)).toEqual([shipment.id, ...more.map((s) => s.id), null]);
    expect(h.statements.filter((s) => /^select .* from `shipments`/i.test(s))).toHaveLength(1);
    expect(h.statements.filter((s) => /^select .* from `shipment_events`/i.test(s))).toHaveLength(1);
  });
});
