import type { promotions } from './db/schema.js';

/** A promotion as stored; the GraphQL Promotion fields have the same names. */
export type PromotionModel = typeof promotions.$inferSelect;
