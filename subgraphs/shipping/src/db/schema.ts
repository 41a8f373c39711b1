import { sql } from 'drizzle-orm';
import {
  bigint,
  char,
  check,
  datetime,
  index,
  int,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  text,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';

const ms = { mode: 'date', fsp: 3 } as const;

export const shipmentStatuses = ['LABEL_CREATED', 'IN_TRANSIT', 'DELIVERED'] as const;
export type ShipmentStatus = (typeof shipmentStatuses)[number];

export const shippingZones = ['DOMESTIC', 'INTERNATIONAL'] as const;
export type ShippingZone = (typeof shippingZones)[number];

/** The ways the shop ships (seeded by migration 0001); which carrier takes the parcel. */
export const shippingMethods = mysqlTable('shipping_methods', {
  code: varchar('code', { length: 32 }).primaryKey(),
  name: varchar('name', { length: 100 }).notNull(),
  carrier: varchar('carrier', { length: 50 }).notNull(),
  /** Display order among methods of the same price. */
  position: int('position').notNull().default(0),
});

/** Countries with a zone of their own; every other country is INTERNATIONAL. */
export const zoneCountries = mysqlTable('shipping_zone_countries', {
  country: char('country', { length: 2 }).primaryKey(),
  zone: mysqlEnum('zone', shippingZones).notNull(),
});

/** A method is offered in a zone when it has a rate there. */
export const shippingRates = mysqlTable(
  'shipping_rates',
  {
    methodCode: varchar('method_code', { length: 32 })
      .notNull()
      .references(() => shippingMethods.code),
    zone: mysqlEnum('zone', shippingZones).notNull(),
    priceAmount: int('price_amount').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    estimatedDays: int('estimated_days').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.methodCode, t.zone] }),
    check('shipping_rates_price_not_negative', sql`${t.priceAmount} >= 0`),
    check('shipping_rates_days_positive', sql`${t.estimatedDays} > 0`),
  ],
);

/** One shipment per order (unique order_id), created from order.paid. */
export const shipments = mysqlTable(
  'shipments',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    orderId: varchar('order_id', { length: 64 }).notNull(),
    /** The order's owner, from order.paid: who besides ADMINs may see the shipment. */
    userId: varchar('user_id', { length: 64 }).notNull(),
    /** As orders accepted it (up to 64 characters). */
    methodCode: varchar('method_code', { length: 64 }).notNull(),
    carrier: varchar('carrier', { length: 50 }).notNull(),
    trackingNumber: varchar('tracking_number', { length: 40 }).notNull(),
    status: mysqlEnum('status', shipmentStatuses).notNull(),
    /** The shipping address from order.paid (JSON), what the label is printed with. */
    shipTo: text('ship_to').notNull(),
    createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('shipments_order_unique').on(t.orderId), uniqueIndex('shipments_tracking_unique').on(t.trackingNumber)],
);

/** A shipment's tracking history; each status is reached at most once (forward-only). */
export const shipmentEvents = mysqlTable(
  'shipment_events',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    shipmentId: varchar('shipment_id', { length: 36 })
      .notNull()
      .references(() => shipments.id, { onDelete: 'cascade' }),
    status: mysqlEnum('status', shipmentStatuses).notNull(),
    at: datetime('at', ms).notNull(),
  },
  (t) => [uniqueIndex('shipment_events_status_unique').on(t.shipmentId, t.status), index('shipment_events_at_idx').on(t.shipmentId, t.at)],
);

export const schema = { shippingMethods, zoneCountries, shippingRates, shipments, shipmentEvents };
export type ShippingSchema = typeof schema;
