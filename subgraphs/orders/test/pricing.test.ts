import { describe, expect, it } from 'vitest';
import { allocateDiscount, discountedLineAmounts, lineTotal, subtotalOf, totalsOf } from '../src/pricing.js';

describe('pricing', () => {
  it('adds up line totals into the subtotal', () => {
    const lines = [
      { quantity: 2, unitPrice: 1999 },
      { quantity: 1, unitPrice: 500 },
    ];
    expect(lines.map(lineTotal)).toEqual([3998, 500]);
    expect(subtotalOf(lines)).toBe(4498);
    expect(subtotalOf([])).toBe(0);
  });

  it('computes total = subtotal − discount + tax + shipping', () => {
    expect(totalsOf({ subtotal: 10_000, discount: 1_000, tax: 743, shippingCost: 499 })).toEqual({
      subtotal: 10_000,
      discount: 1_000,
      tax: 743,
      shippingCost: 499,
      total: 10_242,
    });
  });

  describe('discount allocation (largest remainder)', () => {
    it('spreads the discount in proportion to the line amounts', () => {
      expect(allocateDiscount([6000, 3000, 1000], 1000)).toEqual([600, 300, 100]);
    });

    it('hands the units left over to the largest remainders so the parts add up exactly', () => {
      // Exact shares 33.33.., 33.33.., 33.33..: one extra unit, to the first line on a tie.
      expect(allocateDiscount([100, 100, 100], 100)).toEqual([34, 33, 33]);
      // Exact shares 1.4, 2.8, 5.8 -> floors 1, 2, 5 (8), two units left: to 2.8 and 5.8.
      expect(allocateDiscount([14, 28, 58], 10)).toEqual([1, 3, 6]);
    });

    it('always sums to the discount and never exceeds a line', () => {
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      for (let round = 0; round < 500; round++) {
        const amounts = Array.from({ length: 1 + rand(8) }, () => rand(50_000));
        const total = amounts.reduce((s, a) => s + a, 0);
        const discount = total === 0 ? 0 : rand(total + 1);
        const parts = allocateDiscount(amounts, discount);
        expect(parts.reduce((s, p) => s + p, 0)).toBe(discount);
        parts.forEach((p, i) => {
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(amounts[i]!);
          // Within one unit of the exact proportional share.
          expect(Math.abs(p - (discount * amounts[i]!) / (total || 1))).toBeLessThan(1);
        });
      }
    });

    it('stays exact for amounts whose products exceed 2^53', () => {
      const amounts = [99_999_999_999, 1, 33_333_333_333];
      const parts = allocateDiscount(amounts, 77_777_777_777);
      expect(parts.reduce((s, p) => s + p, 0)).toBe(77_777_777_777);
    });

    it('gives nothing with no discount, and refuses a discount larger than the amounts', () => {
      expect(allocateDiscount([10, 20], 0)).toEqual([0, 0]);
      expect(allocateDiscount([0, 0], 0)).toEqual([0, 0]);
      expect(() => allocateDiscount([10, 20], 31)).toThrow(RangeError);
      expect(() => allocateDiscount([10], -1)).toThrow(RangeError);
    });

    it('gives the taxable (discounted) amount of every line', () => {
      const lines = [
        { quantity: 3, unitPrice: 1000 },
        { quantity: 1, unitPrice: 1000 },
      ];
      expect(discountedLineAmounts(lines, 400)).toEqual({ lineDiscounts: [300, 100], taxableAmounts: [2700, 900] });
      // A discount above the subtotal is capped at it.
      expect(discountedLineAmounts(lines, 10_000).taxableAmounts).toEqual([0, 0]);
    });
  });
});
