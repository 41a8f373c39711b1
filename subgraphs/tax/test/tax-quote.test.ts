import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { INTERNAL, setRate, startTax, TAX_QUOTE, taxQuote, type TaxHarness } from './harness.js';

let h: TaxHarness;
const statements: string[] = [];
beforeAll(async () => {
  h = await startTax({ onSql: (sql) => statements.push(sql) });
  // US: a federal-style default, a books rate, a California rate and a California books rate.
  await setRate(h, { country: 'US', rateBasisPoints: 500 });
  await setRate(h, { country: 'US', category: 'Books', rateBasisPoints: 100 });
  await setRate(h, { country: 'US', region: 'CA', rateBasisPoints: 725 });
  await setRate(h, { country: 'US', region: 'CA', category: 'Books', rateBasisPoints: 0 });
  await setRate(h, { country: 'DE', rateBasisPoints: 1_900 });
});
afterAll(async () => {
  await h?.close();
});

const lines = [
  { key: 'book', category: 'Books', amount: 2_000 },
  { key: 'toy', category: 'Toys', amount: 1_000 },
];

describe('taxQuote (internal)', () => {
  it.each([
    ['CA', [0, 725], [0, 73]], // country + region + category, then country + region (72.5 → 73)
    ['NY', [100, 500], [20, 50]], // country + category, then country
    [null, [100, 500], [20, 50]],
  ])('applies the most specific stored rate to each line for US/%s', async (region, rates, taxes) => {
    const quote = await taxQuote(h, { country: 'US', region, lines });
    expect(quote).toEqual({
      lines: [
        { key: 'book', rateBasisPoints: rates[0], tax: taxes[0] },
        { key: 'toy', rateBasisPoints: rates[1], tax: taxes[1] },
      ],
      total: taxes[0]! + taxes[1]!,
    });
  });

  it('matches region and category ignoring case', async () => {
    const quote = await taxQuote(h, { country: 'us', region: 'ca', lines: [{ key: 'b', category: 'BOOKS', amount: 1_000 }] });
    expect(quote.lines).toEqual([{ key: 'b', rateBasisPoints: 0, tax: 0 }]);
  });

  it('taxes nothing in a country without rates', async () => {
    const quote = await taxQuote(h, { country: 'FR', region: null, lines });
    expect(quote).toEqual({ lines: [{ key: 'book', rateBasisPoints: 0, tax: 0 }, { key: 'toy', rateBasisPoints: 0, tax: 0 }], total: 0 });
  });

  it('rounds each line half up and totals the rounded lines', async () => {
    // 19 % of 50 = 9.5 → 10 per line, so 20 in total (not round(19 % of 100) = 19).
    const quote = await taxQuote(h, { country: 'DE', lines: [{ key: 'a', amount: 50 }, { key: 'b', amount: 50 }, { key: 'free', amount: 0 }] });
    expect(quote.lines.map((l) => l.tax)).toEqual([10, 10, 0]);
    expect(quote.total).toBe(20);
  });

  it('reads the rates with one query, however many lines', async () => {
    statements.length = 0;
    await taxQuote(h, { country: 'US', region: 'CA', lines: Array.from({ length: 50 }, (_, i) => ({ key: `l${i}`, category: i % 2 ? 'Books' : 'Toys', amount: 100 + i })) });
    expect(statements.filter((s) => /^select/i.test(s))).toHaveLength(1);
  });

  it('refuses negative amounts and unknown countries with BAD_USER_INPUT', async () => {
    const negative = await gql(h.url, TAX_QUOTE, { input: { country: 'US', lines: [{ key: 'x', amount: -1 }] } }, { headers: INTERNAL });
    expect(errorCode(negative)).toBe('BAD_USER_INPUT');
    const unknown = await gql(h.url, TAX_QUOTE, { input: { country: 'ZZ', lines: [] } }, { headers: INTERNAL });
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
  });

  it('is FORBIDDEN without the internal token, even to an admin', async () => {
    const input = { country: 'US', lines };
    const results = await Promise.all([
      gql(h.url, TAX_QUOTE, { input }),
      gql(h.url, TAX_QUOTE, { input }, { token: h.auth.admin }),
      gql(h.url, TAX_QUOTE, { input }, { headers: { 'x-internal-token': 'wrong-internal-token-value' } }),
    ]);
    expect(results.map(errorCode)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(results.map((r) => r.data)).toEqual([null, null, null]);
  });
});
