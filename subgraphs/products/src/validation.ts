import { z } from 'zod';
import { ErrorCode, userError, userErrorsFromIssues, type UserError } from '@shop/platform';

/** Catalogue input rules, shared by create and update; pure, so they are tested without a server. */

export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,63}$/i;
/** 10,000,000.00 in a two-decimal currency; keeps every amount inside GraphQL's 32-bit Int. */
export const MAX_PRICE = 1_000_000_000;
export const MAX_IMAGES = 10;
export const DEFAULT_CURRENCY = 'USD';

const sku = z
  .string()
  .trim()
  .regex(SKU_PATTERN, 'SKU must be 2 to 64 letters, digits or dashes, starting with a letter or digit')
  .transform((s) => s.toUpperCase());
const name = z.string().trim().min(1, 'Name is required').max(200, 'Name must be at most 200 characters');
const description = z.string().trim().max(5000, 'Description must be at most 5000 characters');
const price = z
  .number()
  .int('Price must be a whole number of minor units')
  .min(0, 'Price cannot be negative')
  .max(MAX_PRICE, `Price must be at most ${MAX_PRICE}`);
const currency = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'Currency must be a 3-letter ISO 4217 code'));
const category = z.string().trim().min(1, 'Category is required').max(100, 'Category must be at most 100 characters');
const imageUrl = z
  .string()
  .trim()
  .max(2048, 'Image URL must be at most 2048 characters')
  .refine(isHttpUrl, 'Image must be an absolute http(s) URL');
const images = z.array(imageUrl).max(MAX_IMAGES, `At most ${MAX_IMAGES} images`);

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export const createProductInputSchema = z.object({
  sku,
  name,
  description: description.nullish().transform((v) => v ?? ''),
  price,
  currency: currency.nullish().transform((v) => v ?? DEFAULT_CURRENCY),
  category,
  images: images.nullish().transform((v) => v ?? []),
});
export type CreateProductInput = z.output<typeof createProductInputSchema>;

export const updateProductInputSchema = z.object({
  sku: sku.optional(),
  name: name.optional(),
  description: description.optional(),
  price: price.optional(),
  currency: currency.optional(),
  category: category.optional(),
  images: images.optional(),
});
export type UpdateProductInput = z.output<typeof updateProductInputSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; userErrors: UserError[] };

/** Parses mutation input; every problem becomes an INVALID_INPUT UserError with its field path. */
export function parseCreateInput(input: unknown): Parsed<CreateProductInput> {
  const result = createProductInputSchema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, userErrors: userErrorsFromIssues(result.error.issues) };
}

export function parseUpdateInput(input: unknown): Parsed<UpdateProductInput> {
  // In an update, null would mean "remove", which no product field allows: say so instead of ignoring it.
  const nulls =
    input && typeof input === 'object'
      ? Object.entries(input)
          .filter(([, v]) => v === null)
          .map(([k]) => userError(ErrorCode.INVALID_INPUT, `${k} cannot be null; leave it out to keep it unchanged`, ['input', k]))
      : [];
  const result = updateProductInputSchema.safeParse(
    input && typeof input === 'object' ? Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null)) : input,
  );
  const issues = result.success ? [] : userErrorsFromIssues(result.error.issues);
  if (nulls.length > 0 || !result.success) return { ok: false, userErrors: [...nulls, ...issues] };
  return { ok: true, value: result.data };
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** Product ids are Mongo ObjectIds in hex; anything else names no product. */
export function isProductId(id: unknown): id is string {
  return typeof id === 'string' && OBJECT_ID.test(id);
}
