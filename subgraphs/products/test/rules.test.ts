import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { ObjectId } from 'mongodb';
import { cursorOf, matchFilter, pageFilter, pageSort, parseListingArgs } from '../src/listing.js';
import type { ProductModel } from '../src/mappers.js';
import { parseCreateInput, parseUpdateInput } from '../src/validation.js';

// Pure rules: no datastore involved, so no service is needed here.

describe('product input rules', () => {
  it('normalises a valid input: trims text, upper-cases SKU and currency, fills defaults', () => {
    const parsed = parseCreateInput({ sku: ' ab-1 ', name: ' Mug ', price: 0, category: ' Kitchen ', currency: 'eur' });
    expect(parsed).toEqual({
      ok: true,
      value: { sku: 'AB-1', name: 'Mug', description: '', price: 0, currency: 'EUR', category: 'Kitchen', images: [] },
    });
  });

  it('does not accept operator objects or other non-strings anywhere', () => {
    const parsed = parseCreateInput({ sku: { $ne: null }, name: ['x'], price: '5', category: { $gt: '' }, images: [{ $ne: 1 }] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.userErrors.map((e) => e.field)).toEqual(
        expect.arrayContaining([['input', 'sku'], ['input', 'name'], ['input', 'price'], ['input', 'category'], ['input', 'images', '0']]),
      );
      expect(parsed.userErrors.every((e) => e.code === 'INVALID_INPUT')).toBe(true);
    }
  });

  it('an update keeps absent fields absent and refuses nulls', () => {
    expect(parseUpdateInput({ price: 5 })).toEqual({ ok: true, value: { price: 5 } });
    const parsed = parseUpdateInput({ sku: null });
    expect(parsed).toEqual({ ok: false, userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'sku'], message: expect.any(String) }] });
  });
});

describe('listing query building', () => {
  it('defaults to 20 active products, newest first', () => {
    const q = parseListingArgs({});
    expect(q).toMatchObject({ limit: 20, field: 'CREATED_AT', direction: 'DESC', after: null });
    expect(matchFilter(q)).toEqual({ active: { $eq: true } });
    expect(pageSort(q)).toEqual({ createdAt: -1, _id: -1 });
  });

  it('puts every client value under an explicit operator', () => {
    const q = parseListingArgs({ filter: { category: '{"$ne":null}', minPrice: 5, maxPrice: 10 } });
    expect(matchFilter(q)).toEqual({ active: { $eq: true }, category: { $eq: '{"$ne":null}' }, price: { $gte: 5, $lte: 10 } });
  });

  it.each([
    { filter: { category: { $ne: null } } },
    { filter: { minPrice: { $gt: 0 } } },
    { filter: { minPrice: 1.5 } },
    { filter: { other: 1 } },
    { sort: { field: 'PASSWORD' } },
    { first: 101 },
    { after: 'not-a-cursor' },
  ])('refuses %j with BAD_USER_INPUT', (args) => {
    try {
      parseListingArgs(args);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GraphQLError);
      expect((err as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('a cursor round-trips into a keyset condition on (sort key, id)', () => {
    const product = { _id: new ObjectId(), price: 500, createdAt: new Date(0), nameKey: 'mug' } as ProductModel;
    const sort = { field: 'PRICE', direction: 'ASC' } as const;
    const after = cursorOf(sort, product);
    const q = parseListingArgs({ sort, after });
    expect(pageFilter(q)).toEqual({
      $and: [{ active: { $eq: true } }, { $or: [{ price: { $gt: 500 } }, { price: { $eq: 500 }, _id: { $gt: product._id } }] }],
    });
  });
});
