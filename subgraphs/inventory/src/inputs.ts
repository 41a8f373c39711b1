import { z } from 'zod';
import { MAX_STOCK } from './stock.js';

export const setStockInput = z.object({
  productId: z
    .string()
    .trim()
    .min(1, 'Product id must not be empty')
    .max(64, 'Product id must be at most 64 characters'),
  quantity: z
    .number()
    .int('Quantity must be a whole number')
    .min(0, 'Quantity must not be negative')
    .max(MAX_STOCK, `Quantity must be at most ${MAX_STOCK.toLocaleString('en-US')}`),
});
export type SetStockInput = z.infer<typeof setStockInput>;
