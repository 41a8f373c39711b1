import type { TaxRateRule } from './rates.js';

/** A stored rate with "any" as null (the table stores it as ''). */
export type TaxRateModel = TaxRateRule;
