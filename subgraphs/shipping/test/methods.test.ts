import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { startShipping, type ShippingHarness } from './harness.js';

let h: ShippingHarness;
beforeAll(async () => {
  h = await startShipping();
});
afterAll(async () => {
  await h?.close();
});

const METHODS = `query ($country: String!) { shippingMethods(country: $country) { code name price { amount currency } estimatedDays } }`;

describe('shippingMethods', () => {
  it('offers STANDARD and EXPRESS within the US, cheapest first', async () => {
    const res = await gql(h.url, METHODS, { country: 'US' });
    expect(res.errors).toBeUndefined();
    expect(res.data.shippingMethods).toEqual([
      { code: 'STANDARD', name: 'Standard shipping', price: { amount: 499, currency: 'USD' }, estimatedDays: 5 },
      { code: 'EXPRESS', name: 'Express shipping', price: { amount: 1499, currency: 'USD' }, estimatedDays: 2 },
    ]);
  });

  it('adds the dearer INTERNATIONAL method for every other country', async () => {
    for (const country of ['DE', 'JP', 'CA']) {
      const res = await gql(h.url, METHODS, { country });
      expect(res.data.shippingMethods.map((m: { code: string }) => m.code)).toEqual(['STANDARD', 'EXPRESS', 'INTERNATIONAL']);
      expect(res.data.shippingMethods[2]).toEqual({
        code: 'INTERNATIONAL',
        name: 'International tracked shipping',
        price: { amount: 2999, currency: 'USD' },
        estimatedDays: 7,
      });
    }
  });

  it('rejects a country that is not two upper-case letters with BAD_USER_INPUT', async () => {
    for (const country of ['us', 'USA', '', 'U1', ' US']) {
      expect(errorCode(await gql(h.url, METHODS, { country }))).toBe('BAD_USER_INPUT');
    }
  });

  it('offers nothing for a well-formed code of no country', async () => {
    const res = await gql(h.url, METHODS, { country: 'XX' });
    expect(res.errors).toBeUndefined();
    expect(res.data.shippingMethods).toEqual([]);
  });

  it('needs no sign-in (checkout quotes for guests too)', async () => {
    const res = await gql(h.url, METHODS, { country: 'US' }, { token: h.auth.customer });
    expect(res.data.shippingMethods).toHaveLength(2);
  });
});
