/**
 * Tax rules, pure: which rate applies to an order line and how much tax it makes.
 * Integer arithmetic only (BigInt), so large amounts carry no float error.
 */

export const MAX_BASIS_POINTS = 10_000;

/** A stored rate; null region/category mean "any". */
export interface TaxRateRule {
  country: string;
  region: string | null;
  category: string | null;
  rateBasisPoints: number;
}

export interface TaxLine {
  key: string;
  category: string | null;
  /** Minor units after the line's share of the discount; 0 or more. */
  amount: number;
}

export interface TaxDestination {
  country: string;
  region: string | null;
}

export interface TaxedLine {
  key: string;
  rateBasisPoints: number;
  tax: number;
}

export interface TaxQuote {
  lines: TaxedLine[];
  total: number;
}

/** Regions and categories are compared trimmed, ignoring case and accents (like the database collation); blank means none. */
export function normaliseQualifier(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

const same = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' }) === 0;

/**
 * How specific a rate is: country + region + category (3) > country + region (2) >
 * country + category (1) > country alone (0).
 */
export function specificity(rule: Pick<TaxRateRule, 'region' | 'category'>): number {
  return (rule.region ? 2 : 0) + (rule.category ? 1 : 0);
}

/** A rate applies when its country is the destination's and each qualifier it has is matched. */
export function applies(rule: TaxRateRule, destination: TaxDestination, category: string | null): boolean {
  if (rule.country !== destination.country) return false;
  const region = normaliseQualifier(destination.region);
  const lineCategory = normaliseQualifier(category);
  if (rule.region && !(region && same(rule.region, region))) return false;
  if (rule.category && !(lineCategory && same(rule.category, lineCategory))) return false;
  return true;
}

/** The most specific rate that applies, or null (untaxed). */
export function resolveRate(rules: readonly TaxRateRule[], destination: TaxDestination, category: string | null): TaxRateRule | null {
  let best: TaxRateRule | null = null;
  for (const rule of rules) {
    if (!applies(rule, destination, category)) continue;
    if (!best || specificity(rule) > specificity(best)) best = rule;
  }
  return best;
}

/** amount × basisPoints / 10000, rounded half up: 82.5 → 83, 82.4999 → 82. */
export function taxFor(amount: number, basisPoints: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`amount must be a non-negative integer, got ${amount}`);
  if (!Number.isInteger(basisPoints) || basisPoints < 0 || basisPoints > MAX_BASIS_POINTS) {
    throw new RangeError(`basisPoints must be between 0 and ${MAX_BASIS_POINTS}, got ${basisPoints}`);
  }
  const scaled = BigInt(amount) * BigInt(basisPoints);
  // Adding half the divisor before a truncating division rounds halves up (amounts are never negative).
  return Number((scaled + 5_000n) / 10_000n);
}

/** Each line at its most specific rate, and the sum of the rounded line taxes. */
export function quoteTax(rules: readonly TaxRateRule[], destination: TaxDestination, lines: readonly TaxLine[]): TaxQuote {
  const taxed = lines.map((line) => {
    const rateBasisPoints = resolveRate(rules, destination, line.category)?.rateBasisPoints ?? 0;
    return { key: line.key, rateBasisPoints, tax: taxFor(line.amount, rateBasisPoints) };
  });
  return { lines: taxed, total: taxed.reduce((sum, line) => sum + line.tax, 0) };
}
