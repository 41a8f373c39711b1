import { describe, expect, it } from 'vitest';
import { allocate, availableOf, demandByProduct } from '../src/allocation.js';

describe('demand of an order', () => {
  it('sums the lines of the same product and sorts products by id (the lock order)', () => {
    expect(
      demandByProduct([
        { productId: 'b', quantity: 1 },
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 3 },
      ]),
    ).toEqual([
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: 4 },
    ]);
  });
});

describe('allocating stock to an order', () => {
  const levels = [
    { productId: 'a', onHand: 5, reserved: 2 },
    { productId: 'b', onHand: 1, reserved: 0 },
  ];

  it('reserves every line when every product has enough available', () => {
    expect(allocate(demandByProduct([{ productId: 'a', quantity: 3 }, { productId: 'b', quantity: 1 }]), levels)).toEqual({
      ok: true,
      lines: [
        { productId: 'a', quantity: 3, availableAfter: 0 },
        { productId: 'b', quantity: 1, availableAfter: 0 },
      ],
    });
  });

  it('reserves nothing when one line is short, and names every short product', () => {
    const demand = demandByProduct([
      { productId: 'a', quantity: 4 },
      { productId: 'b', quantity: 1 },
      { productId: 'never-stocked', quantity: 1 },
    ]);
    expect(allocate(demand, levels)).toEqual({ ok: false, shortProductIds: ['a', 'never-stocked'] });
  });

  it('counts repeated lines of one product together', () => {
    const demand = demandByProduct([
      { productId: 'b', quantity: 1 },
      { productId: 'b', quantity: 1 },
    ]);
    expect(allocate(demand, levels)).toEqual({ ok: false, shortProductIds: ['b'] });
  });

  it('treats a product without a stock row as having none available', () => {
    expect(allocate([{ productId: 'x', quantity: 1 }], [])).toEqual({ ok: false, shortProductIds: ['x'] });
  });

  it('never reports negative availability', () => {
    expect(availableOf({ onHand: 1, reserved: 3 })).toBe(0);
    expect(availableOf({ onHand: 7, reserved: 3 })).toBe(4);
  });
});
