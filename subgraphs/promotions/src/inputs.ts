import { z } from 'zod';
import { CODE_PATTERN, normaliseCode } from './coupons.js';

export const DEFAULT_CURRENCY = 'USD';

const code = z
  .string()
  .transform(normaliseCode)
  .pipe(z.string().regex(CODE_PATTERN, 'Code must be 3 to 32 characters of A-Z, 0-9, _ and -'));

const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'Currency must be an ISO 4217 code such as USD');

/** An optional limit: absent and null both mean "none". */
const limit = (label: string) =>
  z
    .number()
    .int()
    .min(1, `${label} must be at least 1`)
    .nullish()
    .transform((v) => v ?? null);

export const createPromotionInput = z
  .object({
    code,
    kind: z.enum(['PERCENT', 'FIXED_AMOUNT']),
    value: z.number().int(),
    currency: currency.nullish().transform((v) => v ?? DEFAULT_CURRENCY),
    minSubtotal: z
      .number()
      .int()
      .min(0, 'Minimum subtotal must not be negative')
      .nullish()
      .transform((v) => v ?? null),
    usageLimit: limit('Usage limit'),
    perCustomerLimit: limit('Per-customer limit'),
    startsAt: z.date().nullish().transform((v) => v ?? null),
    endsAt: z.date().nullish().transform((v) => v ?? null),
  })
  .superRefine((input, ctx) => {
    if (input.kind === 'PERCENT' && (input.value < 1 || input.value > 100)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'A percentage must be between 1 and 100' });
    }
    if (input.kind === 'FIXED_AMOUNT' && input.value < 1) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'A fixed amount must be at least 1 minor unit' });
    }
    if (input.startsAt && input.endsAt && input.endsAt.getTime() <= input.startsAt.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'The end must be after the start' });
    }
  });
export type CreatePromotionInput = z.infer<typeof createPromotionInput>;

/** What orders sends with an internal quote or redemption; a malformed one is the caller's bug. */
export const couponRequest = z.object({
  code: z.string().transform(normaliseCode),
  userId: z.string().min(1).max(64),
  subtotal: z.number().int().min(0),
  currency,
});
export type CouponRequest = z.infer<typeof couponRequest>;

export const redeemRequest = couponRequest.extend({ orderId: z.string().min(1).max(64) });
export type RedeemRequest = z.infer<typeof redeemRequest>;

export const orderId = z.string().min(1).max(64);
