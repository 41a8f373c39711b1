import { asc, eq } from 'drizzle-orm';
import { shippingMethods, shippingRates, zoneCountries, type ShippingDb, type ShippingZone } from './db/index.js';
import type { ShippingMethodModel } from './mappers.js';

/** Countries without a zone of their own are shipped to at the INTERNATIONAL rates. */
export const DEFAULT_ZONE: ShippingZone = 'INTERNATIONAL';

export interface ShippingMethods {
  /** The methods offered to `country` (already validated), cheapest first. */
  forCountry(country: string): Promise<ShippingMethodModel[]>;
  /** The carrier of a method; null for a method the shop does not have. */
  carrierOf(code: string): Promise<string | null>;
}

export function createShippingMethods(db: ShippingDb): ShippingMethods {
  return {
    async forCountry(country) {
      const [own] = await db.select({ zone: zoneCountries.zone }).from(zoneCountries).where(eq(zoneCountries.country, country));
      return db
        .select({
          code: shippingMethods.code,
          name: shippingMethods.name,
          priceAmount: shippingRates.priceAmount,
          currency: shippingRates.currency,
          estimatedDays: shippingRates.estimatedDays,
        })
        .from(shippingRates)
        .innerJoin(shippingMethods, eq(shippingMethods.code, shippingRates.methodCode))
        .where(eq(shippingRates.zone, own?.zone ?? DEFAULT_ZONE))
        .orderBy(asc(shippingRates.priceAmount), asc(shippingMethods.position));
    },

    async carrierOf(code) {
      const [method] = await db.select({ carrier: shippingMethods.carrier }).from(shippingMethods).where(eq(shippingMethods.code, code));
      return method?.carrier ?? null;
    },
  };
}
