import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { SET_TAX_RATE, setRate, startTax, TAX_RATES, type TaxHarness } from './harness.js';

let h: TaxHarness;
beforeAll(async () => {
  h = await startTax();
});
afterAll(async () => {
  await h?.close();
});

const set = (input: Record<string, unknown>, token: string | null = h.auth.admin) => gql(h.url, SET_TAX_RATE, { input }, { token });
const ratesOf = async (country: string) => (await gql(h.url, TAX_RATES, { country })).data.taxRates;

function problems(res: Awaited<ReturnType<typeof set>>): string[] {
  return res.data.setTaxRate.userErrors.map((e: { code: string; field: string[] }) => `${e.code}:${e.field.join('.')}`).sort();
}

describe('setTaxRate', () => {
  it('creates a rate, normalising the country to upper case and blanks to "any"', async () => {
    const res = await set({ country: ' us ', region: '  ', category: 'Books ', rateBasisPoints: 825 });
    expect(res.errors).toBeUndefined();
    expect(res.data.setTaxRate).toEqual({ taxRate: { country: 'US', region: null, category: 'Books', rateBasisPoints: 825 }, userErrors: [] });
    expect(await ratesOf('US')).toEqual([{ country: 'US', region: null, category: 'Books', rateBasisPoints: 825 }]);
  });

  it('changes the existing rate of the same country, region and category instead of adding one', async () => {
    await setRate(h, { country: 'CA', region: 'ON', rateBasisPoints: 1_300 });
    await setRate(h, { country: 'CA', rateBasisPoints: 500 });
    await setRate(h, { country: 'CA', region: 'on', rateBasisPoints: 1_250 }); // same key, other case
    await setRate(h, { country: 'CA', region: null, category: null, rateBasisPoints: 600 });
    expect(await ratesOf('CA')).toEqual([
      { country: 'CA', region: null, category: null, rateBasisPoints: 600 },
      { country: 'CA', region: 'on', category: null, rateBasisPoints: 1_250 },
    ]);
  });

  it('keeps rates that differ only in region or category apart, the whole-country ones listed first', async () => {
    for (const [region, category, bp] of [
      ['CA', 'Books', 0],
      ['CA', null, 725],
      [null, 'Books', 100],
      [null, null, 500],
    ] as const) {
      await setRate(h, { country: 'MX', region, category, rateBasisPoints: bp });
    }
    expect(await ratesOf('mx')).toEqual([
      { country: 'MX', region: null, category: null, rateBasisPoints: 500 },
      { country: 'MX', region: null, category: 'Books', rateBasisPoints: 100 },
      { country: 'MX', region: 'CA', category: null, rateBasisPoints: 725 },
      { country: 'MX', region: 'CA', category: 'Books', rateBasisPoints: 0 },
    ]);
  });

  it('accepts the bounds 0 and 10000 basis points', async () => {
    expect((await set({ country: 'NO', rateBasisPoints: 0 })).data.setTaxRate.userErrors).toEqual([]);
    expect((await set({ country: 'NO', category: 'Luxury', rateBasisPoints: 10_000 })).data.setTaxRate.userErrors).toEqual([]);
  });

  it.each([
    ['a rate below 0', { country: 'FR', rateBasisPoints: -1 }, ['INVALID_INPUT:input.rateBasisPoints']],
    ['a rate above 10000', { country: 'FR', rateBasisPoints: 10_001 }, ['INVALID_INPUT:input.rateBasisPoints']],
    ['an unknown country', { country: 'XX', rateBasisPoints: 100 }, ['INVALID_INPUT:input.country']],
    ['a three-letter country', { country: 'FRA', rateBasisPoints: 100 }, ['INVALID_INPUT:input.country']],
    ['an over-long region and category', { country: 'FR', region: 'r'.repeat(101), category: 'c'.repeat(101), rateBasisPoints: 100 }, ['INVALID_INPUT:input.category', 'INVALID_INPUT:input.region']],
  ])('refuses %s', async (_label, input, expected) => {
    const res = await set(input);
    expect(res.data.setTaxRate.taxRate).toBeNull();
    expect(problems(res)).toEqual(expected);
  });

  it('is for admins only: a customer is FORBIDDEN, an anonymous caller UNAUTHENTICATED, and nothing changes', async () => {
    expect(errorCode(await set({ country: 'IT', rateBasisPoints: 2_200 }, h.auth.customer))).toBe('FORBIDDEN');
    expect(errorCode(await set({ country: 'IT', rateBasisPoints: 2_200 }, null))).toBe('UNAUTHENTICATED');
    expect(await ratesOf('IT')).toEqual([]);
  });
});

describe('taxRates', () => {
  it('is public and empty for a country without rates', async () => {
    const res = await gql(h.url, TAX_RATES, { country: 'JP' });
    expect(res.errors).toBeUndefined();
    expect(res.data.taxRates).toEqual([]);
  });

  it('refuses a malformed country with BAD_USER_INPUT', async () => {
    expect(errorCode(await gql(h.url, TAX_RATES, { country: 'Germany' }))).toBe('BAD_USER_INPUT');
  });
});
