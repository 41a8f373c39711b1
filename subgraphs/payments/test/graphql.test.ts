import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql, uniqueName } from '@shop/testing';
import { confirmedOrder, INTERNAL_TOKEN, startPayments, type PaymentsHarness } from './harness.js';

const statements: string[] = [];
let h: PaymentsHarness;
const customer = { id: uniqueName('ann'), token: '' };
const otherCustomer = { id: uniqueName('ben'), token: '' };
let adminToken: string;

const paid = confirmedOrder({ amount: { amount: 7_450, currency: 'USD' } });
const declined = confirmedOrder({ paymentToken: 'tok_decline' });
const refunded = confirmedOrder();
const pending = confirmedOrder();

beforeAll(async () => {
  h = await startPayments({ onSql: (sql) => statements.push(sql) });
  customer.token = await h.auth.sign('CUSTOMER', customer.id);
  otherCustomer.token = await h.auth.sign('CUSTOMER', otherCustomer.id);
  adminToken = await h.auth.sign('ADMIN', uniqueName('admin'));
  for (const order of [paid, declined, refunded, pending]) order.userId = customer.id;
  await h.app.payments.chargeOrder(paid);
  await h.app.payments.chargeOrder(declined);
  await h.app.payments.chargeOrder(refunded);
  await h.app.payments.refundCancelledOrder({ orderId: refunded.orderId, userId: customer.id, reason: 'CUSTOMER_REQUEST', refundRequired: true });
  // An attempt whose settlement never committed (the process died after the provider answered).
  await h.app.db
    .transaction(async (tx) => {
      await h.app.payments.chargeOrder(pending, tx);
      throw new Error('crash');
    })
    .catch(() => undefined);
});
afterAll(async () => {
  await h?.close();
});

const PAYMENT = `
  query ($r: [_Any!]!) {
    _entities(representations: $r) { ... on Order { id payment { id status amount { amount currency } failureReason createdAt } } }
  }`;
const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'Order', id }));

async function paymentOf(orderId: string, token?: string) {
  return gql(h.url, PAYMENT, { r: refs([orderId]) }, { token });
}

describe('Order.payment', () => {
  it('shows the customer who placed the order its payment', async () => {
    const res = await paymentOf(paid.orderId, customer.token);
    expect(res.errors).toBeUndefined();
    const [row] = await h.reads.paymentRows(paid.orderId);
    expect(res.data._entities[0]).toEqual({
      id: paid.orderId,
      payment: { id: row!.id, status: 'SUCCEEDED', amount: { amount: 7_450, currency: 'USD' }, failureReason: null, createdAt: row!.createdAt.toISOString() },
    });
  });

  it('shows it to an admin', async () => {
    const res = await paymentOf(paid.orderId, adminToken);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities[0].payment.status).toBe('SUCCEEDED');
  });

  it('refuses it to another customer (FORBIDDEN on the field, nothing leaked)', async () => {
    const res = await paymentOf(paid.orderId, otherCustomer.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0]!.path).toEqual(['_entities', 0, 'payment']);
    expect(JSON.stringify(res.data)).not.toContain('SUCCEEDED');
  });

  it('asks an anonymous caller to sign in (UNAUTHENTICATED)', async () => {
    const res = await paymentOf(paid.orderId);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(res.data)).not.toContain('SUCCEEDED');
  });

  it('treats a forged token as UNAUTHENTICATED, not as anonymous', async () => {
    const res = await paymentOf(paid.orderId, `${customer.token}x`);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });

  it('shows a declined payment as FAILED with its reason, and a refunded one as REFUNDED', async () => {
    const res = await gql(h.url, PAYMENT, { r: refs([declined.orderId, refunded.orderId]) }, { token: customer.token });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((o: { payment: { status: string; failureReason: string | null } }) => o.payment)).toMatchObject([
      { status: 'FAILED', failureReason: 'PAYMENT_DECLINED' },
      { status: 'REFUNDED', failureReason: null },
    ]);
  });

  it('is null while the attempt has no outcome (PENDING) and for an order payments never heard of', async () => {
    expect((await h.reads.paymentRows(pending.orderId))[0]!.status).toBe('PENDING');
    const res = await gql(h.url, PAYMENT, { r: refs([pending.orderId, 'no-such-order']) }, { token: customer.token });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { id: pending.orderId, payment: null },
      { id: 'no-such-order', payment: null },
    ]);
  });

  it('loads many orders with one SQL query', async () => {
    const ids = [paid.orderId, declined.orderId, refunded.orderId, pending.orderId, 'no-such-order', paid.orderId];
    statements.length = 0;
    const res = await gql(h.url, PAYMENT, { r: refs(ids) }, { token: adminToken });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((o: { id: string }) => o.id)).toEqual(ids);
    expect(statements.filter((s) => /^select /i.test(s))).toHaveLength(1);
  });
});

describe('paymentTokenAccepted (internal)', () => {
  const QUERY = `query ($token: String!) { paymentTokenAccepted(token: $token) }`;
  const asOrders = { headers: { 'x-internal-token': INTERNAL_TOKEN } };

  it('tells another subgraph which tokens the provider accepts', async () => {
    for (const [token, accepted] of [
      ['tok_visa', true],
      ['tok_decline', true],
      ['tok_unknown', false],
      ['', false],
    ] as const) {
      const res = await gql(h.url, QUERY, { token }, asOrders);
      expect(res.errors).toBeUndefined();
      expect(res.data.paymentTokenAccepted).toBe(accepted);
    }
  });

  it('is FORBIDDEN without the internal token, with a wrong one, and to an admin', async () => {
    for (const opts of [{}, { headers: { 'x-internal-token': 'wrong-token-wrong-token' } }, { token: adminToken }]) {
      const res = await gql(h.url, QUERY, { token: 'tok_visa' }, opts);
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(res.data?.paymentTokenAccepted ?? null).toBeNull();
    }
  });
});

describe('operations', () => {
  it('reports ready when MySQL answers', async () => {
    const res = await fetch(`${h.origin}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ service: 'payments', ready: true, checks: { mysql: 'ok' } });
  });
});
