import { z } from 'zod';

export const MAX_LINES = 50;
export const MAX_QUANTITY = 100;

const requiredText = (max: number, label: string) =>
  z.string().trim().min(1, `${label} must not be empty`).max(max, `${label} must be at most ${max} characters`);

/** Optional text: absent, null and blank all mean "none". */
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

export const addressInput = z.object({
  line1: requiredText(200, 'Address line 1'),
  line2: optionalText(200, 'Address line 2'),
  city: requiredText(100, 'City'),
  region: optionalText(100, 'Region'),
  postalCode: requiredText(20, 'Postal code'),
  country: z
    .string()
    .trim()
    .regex(/^[A-Z]{2}$/, 'Country must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE or US'),
});
export type AddressInput = z.infer<typeof addressInput>;

const itemInput = z.object({
  productId: requiredText(64, 'Product id'),
  quantity: z
    .number()
    .int('Quantity must be a whole number')
    .min(1, 'Quantity must be at least 1')
    .max(MAX_QUANTITY, `Quantity must be at most ${MAX_QUANTITY}`),
});

const items = z
  .array(itemInput)
  .min(1, 'An order needs at least one item')
  .max(MAX_LINES, `An order has at most ${MAX_LINES} items`)
  .superRefine((lines, ctx) => {
    const seen = new Set<string>();
    lines.forEach((line, i) => {
      if (seen.has(line.productId)) {
        ctx.addIssue({ code: 'custom', path: [i, 'productId'], message: 'Each product may appear once; raise its quantity instead' });
      }
      seen.add(line.productId);
    });
  });

const basket = {
  items,
  shippingAddress: addressInput,
  shippingMethod: requiredText(64, 'Shipping method'),
  couponCode: optionalText(64, 'Coupon code'),
};

export const quoteInput = z.object(basket);
export type QuoteInput = z.infer<typeof quoteInput>;

export const placeOrderInput = z.object({
  ...basket,
  paymentToken: requiredText(200, 'Payment token'),
  idempotencyKey: optionalText(100, 'Idempotency key'),
});
export type PlaceOrderInput = z.infer<typeof placeOrderInput>;
