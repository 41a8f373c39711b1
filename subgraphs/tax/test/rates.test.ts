import { describe, expect, it } from 'vitest';
import { applies, quoteTax, resolveRate, specificity, taxFor, type TaxRateRule } from '../src/rates.js';

const rule = (rateBasisPoints: number, region: string | null = null, category: string | null = null, country = 'US'): TaxRateRule => ({
  country,
  region,
  category,
  rateBasisPoints,
});

describe('taxFor: amount × basis points / 10000, rounded half up', () => {
  it.each([
    // amount, basis points, tax
    [1_000, 825, 83], // 82.5 → 83: a half goes up
    [100, 50, 1], // 0.5 → 1
    [300, 50, 2], // 1.5 → 2
    [500, 50, 3], // 2.5 → 3 (half up, not half to even)
    [1, 5_000, 1], // 0.5 → 1
    [1, 4_999, 0], // 0.4999 → 0
    [3, 8_333, 2], // 2.4999 → 2
    [1_999, 825, 165], // 164.9175 → 165
    [1_990, 700, 139], // 139.3 → 139
    [10_000, 1_950, 1_950],
    [12_345, 10_000, 12_345], // 100 % is the amount itself
  ])('%i at %i bp is %i', (amount, bp, tax) => {
    expect(taxFor(amount, bp)).toBe(tax);
  });

  it('is 0 for a zero amount or a zero rate', () => {
    expect(taxFor(0, 825)).toBe(0);
    expect(taxFor(0, 10_000)).toBe(0);
    expect(taxFor(123_456, 0)).toBe(0);
  });

  it('stays exact for large amounts, where floating point would not', () => {
    expect(taxFor(2_147_483_647, 825)).toBe(177_167_401); // 177167400.8775
    expect(taxFor(2_147_483_647, 10_000)).toBe(2_147_483_647);
    // 9007199254740991 × 825 is beyond 2^53: a float product would round before dividing.
    expect(taxFor(Number.MAX_SAFE_INTEGER, 825)).toBe(743_093_938_516_132); // …131.7575 → …132
    expect(taxFor(Number.MAX_SAFE_INTEGER, 5_000)).toBe(4_503_599_627_370_496); // …495.5 → …496
  });

  it('refuses negative or fractional amounts and rates outside 0..10000', () => {
    expect(() => taxFor(-1, 825)).toThrow(RangeError);
    expect(() => taxFor(1.5, 825)).toThrow(RangeError);
    expect(() => taxFor(100, -1)).toThrow(RangeError);
    expect(() => taxFor(100, 10_001)).toThrow(RangeError);
  });
});

describe('specificity', () => {
  it('ranks country + region + category > country + region > country + category > country', () => {
    expect(specificity(rule(0, 'CA', 'Books'))).toBeGreaterThan(specificity(rule(0, 'CA')));
    expect(specificity(rule(0, 'CA'))).toBeGreaterThan(specificity(rule(0, null, 'Books')));
    expect(specificity(rule(0, null, 'Books'))).toBeGreaterThan(specificity(rule(0)));
  });
});

describe('resolveRate: the most specific rate that applies wins', () => {
  const all = [rule(500), rule(100, null, 'Books'), rule(725, 'CA'), rule(0, 'CA', 'Books'), rule(1_900, null, null, 'DE')];
  const rateOf = (rules: TaxRateRule[], region: string | null, category: string | null, country = 'US') =>
    resolveRate(rules, { country, region }, category)?.rateBasisPoints ?? 'none';

  it.each([
    // destination region, line category, expected rate
    ['CA', 'Books', 0], // country + region + category
    ['CA', 'Toys', 725], // country + region
    ['CA', null, 725],
    ['NY', 'Books', 100], // country + category
    [null, 'Books', 100],
    ['NY', 'Toys', 500], // country alone
    [null, null, 500],
  ])('in US/%s a %s line is taxed at %s bp', (region, category, expected) => {
    expect(rateOf(all, region, category)).toBe(expected);
  });

  it('prefers country + region over country + category when both apply', () => {
    expect(rateOf([rule(100, null, 'Books'), rule(725, 'CA')], 'CA', 'Books')).toBe(725);
    expect(rateOf([rule(725, 'CA'), rule(100, null, 'Books')], 'CA', 'Books')).toBe(725);
  });

  it('never applies another country’s rate; no matching rate means untaxed', () => {
    expect(rateOf(all, null, null, 'DE')).toBe(1_900);
    expect(rateOf(all, null, null, 'FR')).toBe('none');
    expect(rateOf([rule(725, 'CA')], 'NY', null)).toBe('none');
    expect(rateOf([rule(100, null, 'Books')], null, 'Toys')).toBe('none');
    expect(rateOf([], 'CA', 'Books')).toBe('none');
  });

  it('matches region and category ignoring case, accents and surrounding blanks', () => {
    expect(applies(rule(1, 'Québec', 'Books'), { country: 'US', region: ' quebec ' }, 'BOOKS')).toBe(true);
    expect(applies(rule(1, 'CA'), { country: 'US', region: 'ca' }, null)).toBe(true);
    expect(applies(rule(1, 'CA'), { country: 'US', region: 'CAL' }, null)).toBe(false);
  });

  it('does not let a region rate apply to an address without a region, nor a category rate to a line without one', () => {
    expect(rateOf([rule(725, 'CA'), rule(500)], null, null)).toBe(500);
    expect(rateOf([rule(100, null, 'Books'), rule(500)], 'CA', null)).toBe(500);
    expect(rateOf([rule(100, null, 'Books'), rule(500)], '  ', '  ')).toBe(500);
  });
});

describe('quoteTax', () => {
  it('taxes each line at its own rate and sums the rounded line taxes', () => {
    const rules = [rule(825), rule(0, null, 'Food')];
    const quote = quoteTax(rules, { country: 'US', region: 'TX' }, [
      { key: 'a', category: 'Books', amount: 1_000 }, // 82.5 → 83
      { key: 'b', category: 'Books', amount: 1_000 }, // 82.5 → 83
      { key: 'c', category: 'Food', amount: 5_000 },
      { key: 'd', category: null, amount: 0 },
    ]);
    expect(quote).toEqual({
      lines: [
        { key: 'a', rateBasisPoints: 825, tax: 83 },
        { key: 'b', rateBasisPoints: 825, tax: 83 },
        { key: 'c', rateBasisPoints: 0, tax: 0 },
        { key: 'd', rateBasisPoints: 825, tax: 0 },
      ],
      total: 166, // per-line rounding: not round(2000 × 8.25 %) = 165
    });
  });

  it('is zero for no lines', () => {
    expect(quoteTax([rule(825)], { country: 'US', region: null }, [])).toEqual({ lines: [], total: 0 });
  });
});
