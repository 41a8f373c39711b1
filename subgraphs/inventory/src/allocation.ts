/**
 * The pure rules of reserving an order's stock: all lines or none, lines of the same product
 * summed. No I/O here; src/reservations.ts applies the decision under row locks.
 */

export interface OrderLine {
  productId: string;
  quantity: number;
}

export interface StockLevel {
  productId: string;
  onHand: number;
  reserved: number;
}

export interface Demand {
  productId: string;
  quantity: number;
}

export type Allocation =
  | { ok: true; lines: Array<Demand & { availableAfter: number }> }
  | { ok: false; shortProductIds: string[] };

/** Units that can still be ordered; never negative, even for an inconsistent row. */
export function availableOf(level: Pick<StockLevel, 'onHand' | 'reserved'>): number {
  return Math.max(0, level.onHand - level.reserved);
}

/** One demand per product (quantities of repeated products summed), sorted by product id: the lock order. */
export function demandByProduct(lines: readonly OrderLine[]): Demand[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return [...totals]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/**
 * Reserves every demand or none: when any product has fewer units available than asked
 * (a product without a stock row has none), the answer names every such product.
 */
export function allocate(demand: readonly Demand[], levels: readonly StockLevel[]): Allocation {
  const byId = new Map(levels.map((l) => [l.productId, l]));
  const lines: Array<Demand & { availableAfter: number }> = [];
  const shortProductIds: string[] = [];
  for (const d of demand) {
    const level = byId.get(d.productId);
    const available = level ? availableOf(level) : 0;
    if (available < d.quantity) shortProductIds.push(d.productId);
    else lines.push({ ...d, availableAfter: available - d.quantity });
  }
  return shortProductIds.length > 0 ? { ok: false, shortProductIds } : { ok: true, lines };
}
