import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '@shop/testing';
import { CREATE_PROMOTION, PROMOTION, startPromotions, uniqueCode, type PromotionsHarness } from './harness.js';

let h: PromotionsHarness;
beforeAll(async () => {
  h = await startPromotions();
});
afterAll(async () => {
  await h?.close();
});

const create = (input: Record<string, unknown>, token: string | null = h.auth.admin) =>
  gql(h.url, CREATE_PROMOTION, { input: { code: uniqueCode(), kind: 'PERCENT', value: 10, ...input } }, { token });

/** The `code:field.path` of each user error, sorted, for compact assertions. */
function problems(res: Awaited<ReturnType<typeof create>>): string[] {
  return res.data.createPromotion.userErrors.map((e: { code: string; field: string[] }) => `${e.code}:${e.field.join('.')}`).sort();
}

describe('createPromotion', () => {
  it('creates a promotion with every field, the code normalised to upper case', async () => {
    const code = uniqueCode('summer');
    const res = await create({
      code: `  ${code.toLowerCase()} `,
      kind: 'FIXED_AMOUNT',
      value: 500,
      currency: 'eur',
      minSubtotal: 2_000,
      usageLimit: 100,
      perCustomerLimit: 1,
      startsAt: '2025-01-01T00:00:00.000Z',
      endsAt: '2035-01-01T00:00:00.000Z',
    });
    expect(res.errors).toBeUndefined();
    expect(res.data.createPromotion.userErrors).toEqual([]);
    expect(res.data.createPromotion.promotion).toEqual({
      code: code.toUpperCase(),
      kind: 'FIXED_AMOUNT',
      value: 500,
      currency: 'EUR',
      minSubtotal: 2_000,
      usageLimit: 100,
      perCustomerLimit: 1,
      timesUsed: 0,
      startsAt: '2025-01-01T00:00:00.000Z',
      endsAt: '2035-01-01T00:00:00.000Z',
      createdAt: expect.any(String),
    });

    const read = await gql(h.url, PROMOTION, { code: code.toLowerCase() }, { token: h.auth.admin });
    expect(read.data.promotion).toEqual(res.data.createPromotion.promotion);
  });

  it('leaves the optional fields open and prices in USD by default', async () => {
    const res = await create({ kind: 'PERCENT', value: 15 });
    expect(res.data.createPromotion.promotion).toMatchObject({
      currency: 'USD',
      minSubtotal: null,
      usageLimit: null,
      perCustomerLimit: null,
      startsAt: null,
      endsAt: null,
      timesUsed: 0,
    });
  });

  it('refuses a code that exists already, whatever its case, with DUPLICATE', async () => {
    const code = uniqueCode('twice');
    expect((await create({ code })).data.createPromotion.userErrors).toEqual([]);
    const again = await create({ code: code.toLowerCase(), value: 20 });
    expect(again.data.createPromotion.promotion).toBeNull();
    expect(again.data.createPromotion.userErrors).toEqual([{ code: 'DUPLICATE', field: ['input', 'code'], message: expect.any(String) }]);
  });

  it.each([
    ['too short', 'AB'],
    ['too long', 'A'.repeat(33)],
    ['with a space', 'SUMMER SALE'],
    ['with punctuation', 'SALE!'],
    ['empty', '   '],
  ])('refuses a code %s', async (_label, code) => {
    const res = await create({ code });
    expect(problems(res)).toEqual(['INVALID_INPUT:input.code']);
  });

  it.each([
    ['PERCENT', 0],
    ['PERCENT', 101],
    ['PERCENT', -10],
    ['FIXED_AMOUNT', 0],
    ['FIXED_AMOUNT', -1],
  ])('refuses a %s value of %i', async (kind, value) => {
    expect(problems(await create({ kind, value }))).toEqual(['INVALID_INPUT:input.value']);
  });

  it.each([
    ['PERCENT', 1],
    ['PERCENT', 100],
    ['FIXED_AMOUNT', 1],
    ['FIXED_AMOUNT', 1_000_000],
  ])('accepts a %s value of %i', async (kind, value) => {
    expect((await create({ kind, value })).data.createPromotion.userErrors).toEqual([]);
  });

  it('refuses limits below 1, a negative minimum subtotal and a bad currency, each on its field', async () => {
    const res = await create({ usageLimit: 0, perCustomerLimit: -1, minSubtotal: -5, currency: 'DOLLARS' });
    expect(problems(res)).toEqual([
      'INVALID_INPUT:input.currency',
      'INVALID_INPUT:input.minSubtotal',
      'INVALID_INPUT:input.perCustomerLimit',
      'INVALID_INPUT:input.usageLimit',
    ]);
  });

  it('refuses an end that is not after the start', async () => {
    for (const endsAt of ['2030-01-01T00:00:00.000Z', '2029-12-31T23:59:59.999Z']) {
      const res = await create({ startsAt: '2030-01-01T00:00:00.000Z', endsAt });
      expect(problems(res)).toEqual(['INVALID_INPUT:input.endsAt']);
    }
  });

  it('is for admins only: a customer is FORBIDDEN, an anonymous caller UNAUTHENTICATED, and nothing is created', async () => {
    const code = uniqueCode('nope');
    const asCustomer = await create({ code }, h.auth.customer);
    expect(errorCode(asCustomer)).toBe('FORBIDDEN');
    const anonymous = await create({ code }, null);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    const read = await gql(h.url, PROMOTION, { code }, { token: h.auth.admin });
    expect(read.data.promotion).toBeNull();
  });

  it('refuses a forged token with UNAUTHENTICATED', async () => {
    const forged = `${h.auth.admin.slice(0, -4)}AAAA`;
    expect(errorCode(await create({}, forged))).toBe('UNAUTHENTICATED');
  });
});

describe('promotion (admin read)', () => {
  it('is null for an unknown code', async () => {
    const res = await gql(h.url, PROMOTION, { code: 'NO-SUCH-CODE' }, { token: h.auth.admin });
    expect(res.errors).toBeUndefined();
    expect(res.data.promotion).toBeNull();
  });

  it('is refused to customers (FORBIDDEN) and to anonymous callers (UNAUTHENTICATED)', async () => {
    expect(errorCode(await gql(h.url, PROMOTION, { code: 'ANY' }, { token: h.auth.customer }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(h.url, PROMOTION, { code: 'ANY' }))).toBe('UNAUTHENTICATED');
  });
});
