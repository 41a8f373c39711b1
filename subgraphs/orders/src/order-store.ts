import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';
import { encodeCursor, type Connection } from '@shop/platform';
import { orderItems, orders, orderStatusHistory, type OrdersDb } from './db/index.js';
import type { AddressModel, OrderItemModel, OrderModel, OrderStatusChangeModel } from './mappers.js';
import type { CancellationReason, OrderStatus } from './state-machine.js';

// The subgraph's database or a transaction of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tx = MySqlDatabase<any, any, any, any>;

export type OrderRow = typeof orders.$inferSelect;
export type NewOrderRow = typeof orders.$inferInsert;
export type NewOrderItemRow = typeof orderItems.$inferInsert;

export function addressOf(row: OrderRow): AddressModel {
  return {
    id: `${row.id}/shipping-address`,
    line1: row.shipLine1,
    line2: row.shipLine2,
    city: row.shipCity,
    region: row.shipRegion,
    postalCode: row.shipPostalCode,
    country: row.shipCountry,
  };
}

export function toOrderModel(row: OrderRow): OrderModel {
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    cancellationReason: (row.cancellationReason as CancellationReason | null) ?? null,
    currency: row.currency,
    subtotal: money(row.subtotal),
    discount: money(row.discount),
    tax: money(row.tax),
    shippingCost: money(row.shippingCost),
    total: money(row.total),
    couponCode: row.couponCode,
    shippingAddress: addressOf(row),
    shippingMethod: row.shippingMethod,
    placedAt: row.placedAt,
    updatedAt: row.updatedAt,
  };
}

interface OrdersCursor {
  placedAt: string;
  id: string;
}

export function isOrdersCursor(v: unknown): v is OrdersCursor {
  const c = v as Partial<OrdersCursor> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.id === 'string' &&
    typeof c.placedAt === 'string' &&
    !Number.isNaN(new Date(c.placedAt).getTime())
  );
}

export interface PageRequest {
  first: number;
  after: OrdersCursor | null;
  /** The `after` as the client sent it: an empty page keeps it as its endCursor. */
  afterRaw: string | null;
}

/** Reads and writes of the orders tables; every batch read is one `WHERE ... IN (...)`. */
export class OrderStore {
  constructor(private readonly db: OrdersDb) {}

  async byIds(ids: readonly string[]): Promise<Map<string, OrderModel>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select().from(orders).where(inArray(orders.id, [...ids]));
    return new Map(rows.map((r) => [r.id, toOrderModel(r)]));
  }

  async byIdempotencyKey(userId: string, key: string): Promise<OrderModel | null> {
    const [row] = await this.db
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, key)));
    return row ? toOrderModel(row) : null;
  }

  async itemsByOrderIds(ids: readonly string[]): Promise<Map<string, OrderItemModel[]>> {
    const found = new Map<string, OrderItemModel[]>();
    if (ids.length === 0) return found;
    const rows = await this.db
      .select({ item: orderItems, currency: orders.currency })
      .from(orderItems)
      .innerJoin(orders, eq(orders.id, orderItems.orderId))
      .where(inArray(orderItems.orderId, [...ids]))
      .orderBy(asc(orderItems.orderId), asc(orderItems.lineNo));
    for (const { item, currency } of rows) {
      const list = found.get(item.orderId) ?? [];
      list.push({
        orderId: item.orderId,
        lineNo: item.lineNo,
        product: { id: item.productId },
        quantity: item.quantity,
        unitPrice: { amount: item.unitPrice, currency },
        lineTotal: { amount: item.lineTotal, currency },
      });
      found.set(item.orderId, list);
    }
    return found;
  }

  async historyByOrderIds(ids: readonly string[]): Promise<Map<string, OrderStatusChangeModel[]>> {
    const found = new Map<string, OrderStatusChangeModel[]>();
    if (ids.length === 0) return found;
    const rows = await this.db
      .select()
      .from(orderStatusHistory)
      .where(inArray(orderStatusHistory.orderId, [...ids]))
      .orderBy(asc(orderStatusHistory.id));
    for (const row of rows) {
      const list = found.get(row.orderId) ?? [];
      list.push({ status: row.status, at: row.at });
      found.set(row.orderId, list);
    }
    return found;
  }

  /**
   * One page of orders for each user, newest first (placedAt, then id, descending), with one
   * windowed query for all users and one count query.
   */
  async pagesOfUsers(userIds: readonly string[], page: PageRequest): Promise<Map<string, Connection<OrderModel>>> {
    const result = new Map<string, Connection<OrderModel>>();
    if (userIds.length === 0) return result;
    const ids = [...new Set(userIds)];
    const counts = await this.db
      .select({ userId: orders.userId, n: sql<number>`COUNT(*)` })
      .from(orders)
      .where(inArray(orders.userId, ids))
      .groupBy(orders.userId);
    const totalOf = new Map(counts.map((c) => [c.userId, Number(c.n)]));

    const rowsByUser = new Map<string, OrderRow[]>();
    // One row past the page tells whether another page follows (also for first: 0).
    {
      const after = page.after
        ? sql`AND (o.placed_at < ${new Date(page.after.placedAt)} OR (o.placed_at = ${new Date(page.after.placedAt)} AND o.id < ${page.after.id}))`
        : sql``;
      const idList = sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      );
      const [raw] = (await this.db.execute(sql`
        SELECT id FROM (
          SELECT o.id, o.user_id, o.placed_at,
                 ROW_NUMBER() OVER (PARTITION BY o.user_id ORDER BY o.placed_at DESC, o.id DESC) AS rn
          FROM orders o
          WHERE o.user_id IN (${idList}) ${after}
        ) ranked
        WHERE rn <= ${page.first + 1}`)) as unknown as [Array<{ id: string }>];
      const pageIds = raw.map((r) => r.id);
      const rows = pageIds.length ? await this.db.select().from(orders).where(inArray(orders.id, pageIds)) : [];
      rows.sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      for (const row of rows) {
        const list = rowsByUser.get(row.userId) ?? [];
        list.push(row);
        rowsByUser.set(row.userId, list);
      }
    }
    for (const userId of ids) {
      const rows = rowsByUser.get(userId) ?? [];
      const nodes = rows.slice(0, page.first);
      const last = nodes.at(-1);
      result.set(userId, {
        nodes: nodes.map(toOrderModel),
        pageInfo: {
          hasNextPage: rows.length > page.first,
          endCursor: last ? encodeCursor({ placedAt: last.placedAt.toISOString(), id: last.id }) : page.afterRaw,
        },
        totalCount: totalOf.get(userId) ?? 0,
      });
    }
    return result;
  }

  /** The order row, locked until the transaction ends, so saga events and cancellations serialise. */
  async lockForUpdate(tx: Tx, orderId: string): Promise<OrderRow | null> {
    const [row] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
    return (row as OrderRow | undefined) ?? null;
  }

  async setStatus(
    tx: Tx,
    orderId: string,
    status: OrderStatus,
    cancellationReason: CancellationReason | null,
    at: Date,
  ): Promise<void> {
    await tx
      .update(orders)
      .set({ status, updatedAt: at, ...(cancellationReason ? { cancellationReason } : {}) })
      .where(eq(orders.id, orderId));
    await tx.insert(orderStatusHistory).values({ orderId, status, at });
  }

  async insertPlaced(tx: Tx, order: NewOrderRow, items: NewOrderItemRow[]): Promise<void> {
    await tx.insert(orders).values(order);
    await tx.insert(orderItems).values(items);
    await tx.insert(orderStatusHistory).values({ orderId: order.id, status: 'PENDING', at: order.placedAt });
  }

  async itemsInTx(tx: Tx, orderId: string): Promise<Array<typeof orderItems.$inferSelect>> {
    return tx.select().from(orderItems).where(eq(orderItems.orderId, orderId)).orderBy(asc(orderItems.lineNo));
  }
}
