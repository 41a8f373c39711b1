import { z } from 'zod';
import { isCountryCode } from '@shop/platform';
import { MAX_BASIS_POINTS, normaliseQualifier } from './rates.js';

export const country = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isCountryCode, 'Country must be an ISO 3166-1 alpha-2 code, e.g. DE or US');

/** Region or category: blank, null and absent all mean "any". */
const qualifier = (label: string) =>
  z
    .string()
    .max(100, `${label} must be at most 100 characters`)
    .nullish()
    .transform((v) => normaliseQualifier(v));

export const setTaxRateInput = z.object({
  country,
  region: qualifier('Region'),
  category: qualifier('Category'),
  rateBasisPoints: z
    .number()
    .int()
    .min(0, 'The rate must not be negative')
    .max(MAX_BASIS_POINTS, `The rate must be at most ${MAX_BASIS_POINTS} basis points (100 %)`),
});
export type SetTaxRateInput = z.infer<typeof setTaxRateInput>;

/** What orders sends for a tax quote; a malformed one is the caller's bug. */
export const taxQuoteInput = z.object({
  country,
  region: z.string().nullish().transform((v) => normaliseQualifier(v)),
  lines: z.array(
    z.object({
      key: z.string().min(1).max(200),
      category: z.string().nullish().transform((v) => normaliseQualifier(v)),
      amount: z.number().int().min(0, 'A line amount must not be negative'),
    }),
  ).max(1_000),
});
export type TaxQuoteInput = z.infer<typeof taxQuoteInput>;
