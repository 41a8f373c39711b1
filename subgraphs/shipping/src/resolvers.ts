import { badUserInput, requireAdmin } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { visibleShipment } from './context.js';
import { isCountryCode } from '@shop/platform';
import { DateTime } from './scalars.js';

const COUNTRY_FORMAT = /^[A-Z]{2}$/;

/** Thin: authorise, parse input, delegate to methods and shipments, shape the payload. */
export const resolvers: Resolvers = {
  DateTime,

  Query: {
    shippingMethods: async (_parent, { country }, ctx) => {
      if (!COUNTRY_FORMAT.test(country)) throw badUserInput('country must be an ISO 3166-1 alpha-2 code in upper case, e.g. US');
      // Well-formed but no country: nothing ships there.
      if (!isCountryCode(country)) return [];
      return ctx.methods.forCountry(country);
    },
  },

  Mutation: {
    updateShipmentStatus: async (_parent, { id, status }, ctx) => {
      requireAdmin(ctx.auth);
      const outcome = await ctx.shipments.updateStatus(id, status);
      if (!outcome.ok) return { shipment: null, userErrors: outcome.userErrors };
      ctx.loaders.eventsByShipmentId.clear(id);
      return { shipment: outcome.value, userErrors: [] };
    },
  },

  ShippingMethod: {
    price: (method) => ({ amount: method.priceAmount, currency: method.currency }),
  },

  Order: {
    // Any order id resolves: the shipment field says whether there is one (and who may see it).
    __resolveReference: (reference) => ({ id: String(reference.id) }),
    shipment: (order, _args, ctx) => visibleShipment(ctx, order.id),
  },

  Shipment: {
    events: (shipment, _args, ctx) => ctx.loaders.eventsByShipmentId.load(shipment.id),
  },
};
