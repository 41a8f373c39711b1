import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productId, startFakeOwners, type FakeOwners } from './fake-owners.js';
import { orderInput, placeOrder, startOrders } from './helpers.js';
import { loadOrdersConfig } from '../src/config.js';

let owners: FakeOwners;

beforeAll(async () => {
  owners = await startFakeOwners();
});
afterAll(async () => {
  await owners?.stop();
});

describe('start-up and configuration', () => {
  it('starts and takes orders while Kafka is unreachable: the events wait in the outbox', async () => {
    const h = await startOrders(owners.url, { KAFKA_BROKERS: '127.0.0.1:1' }, { skipConsumerWait: true });
    try {
      const ready = await fetch(new URL('/ready', h.url));
      expect(ready.status).toBe(200);
      const customer = await h.auth.person();
      const book = owners.addProduct({ id: productId(), price: 1000, category: 'Books' }).id;
      const order = await placeOrder(h.url, customer.token, orderInput([{ productId: book, quantity: 1 }]));
      expect(order.status).toBe('PENDING');
      const pending = await h.sql<{ event_type: string; sent_at: Date | null }>('SELECT event_type, sent_at FROM outbox WHERE event_key = ?', [order.id]);
      expect(pending).toEqual([{ event_type: 'order.placed', sent_at: null }]);
    } finally {
      await h.close();
    }
  });

  it('defaults to port 4004, database shop_orders and the owners on their local ports', () => {
    const config = loadOrdersConfig({});
    expect(config).toMatchObject({
      PORT: 4004,
      MYSQL_DATABASE: 'shop_orders',
      KAFKA_GROUP_SUFFIX: '',
      PRODUCTS_URL: 'http://127.0.0.1:4002/graphql',
      INVENTORY_URL: 'http://127.0.0.1:4003/graphql',
      PAYMENTS_URL: 'http://127.0.0.1:4005/graphql',
      SHIPPING_URL: 'http://127.0.0.1:4006/graphql',
      PROMOTIONS_URL: 'http://127.0.0.1:4007/graphql',
      TAX_URL: 'http://127.0.0.1:4008/graphql',
    });
  });
});
