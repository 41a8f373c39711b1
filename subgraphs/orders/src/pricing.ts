/**
 * Order arithmetic in integer minor units, pure. Prices, discount and tax rates come from their
 * owners; this module only adds them up and spreads the discount over the lines.
 */

export interface PricedLine {
  productId: string;
  quantity: number;
  unitPrice: number;
}

export interface Totals {
  subtotal: number;
  discount: number;
  tax: number;
  shippingCost: number;
  total: number;
}

export function lineTotal(line: Pick<PricedLine, 'quantity' | 'unitPrice'>): number {
  return line.quantity * line.unitPrice;
}

export function subtotalOf(lines: ReadonlyArray<Pick<PricedLine, 'quantity' | 'unitPrice'>>): number {
  return lines.reduce((sum, line) => sum + lineTotal(line), 0);
}

/**
 * Spreads `discount` over the lines in proportion to their amounts with the largest remainder
 * method: every line gets the floor of its exact share, then the units left over go one each to
 * the lines with the largest fractional parts (earlier lines first on ties). The parts add up to
 * the discount exactly and no line gets more than its amount. BigInt keeps the products exact.
 */
export function allocateDiscount(amounts: readonly number[], discount: number): number[] {
  const total = amounts.reduce((s, a) => s + a, 0);
  if (discount < 0 || !Number.isInteger(discount)) throw new RangeError('discount must be a non-negative integer');
  if (amounts.some((a) => a < 0 || !Number.isInteger(a))) throw new RangeError('amounts must be non-negative integers');
  if (discount > total) throw new RangeError('discount exceeds the amounts');
  if (discount === 0 || total === 0) return amounts.map(() => 0);
  const d = BigInt(discount);
  const t = BigInt(total);
  const shares = amounts.map((a) => {
    const exact = d * BigInt(a);
    return { floor: exact / t, remainder: exact % t };
  });
  const parts = shares.map((s) => Number(s.floor));
  let left = discount - parts.reduce((s, p) => s + p, 0);
  const byRemainder = shares
    .map((s, index) => ({ index, remainder: s.remainder }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (left === 0) break;
    parts[index]! += 1;
    left -= 1;
  }
  return parts;
}

/** total = subtotal − discount + tax + shippingCost (shipping is not taxed; tax is on the discounted subtotal). */
export function totalsOf(parts: Omit<Totals, 'total'>): Totals {
  return { ...parts, total: parts.subtotal - parts.discount + parts.tax + parts.shippingCost };
}

/** The amounts tax is computed on: each line's total minus its share of the discount. */
export function discountedLineAmounts(lines: ReadonlyArray<Pick<PricedLine, 'quantity' | 'unitPrice'>>, discount: number): {
  lineDiscounts: number[];
  taxableAmounts: number[];
} {
  const amounts = lines.map(lineTotal);
  const lineDiscounts = allocateDiscount(amounts, Math.min(discount, subtotalOf(lines)));
  return { lineDiscounts, taxableAmounts: amounts.map((a, i) => a - lineDiscounts[i]!) };
}
