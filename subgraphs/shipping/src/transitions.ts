import type { ShipmentStatus } from './db/schema.js';

/**
 * The shipment state machine as data: forward only, one step at a time. Skipping IN_TRANSIT is
 * not allowed because order.shipped (from shipment.in_transit) is what commits the stock.
 */
export const transitions = [
  { from: 'LABEL_CREATED', to: 'IN_TRANSIT', announces: 'shipment.in_transit' },
  { from: 'IN_TRANSIT', to: 'DELIVERED', announces: 'shipment.delivered' },
] as const satisfies ReadonlyArray<{ from: ShipmentStatus; to: ShipmentStatus; announces: string }>;

export type Transition = (typeof transitions)[number];

export type TransitionCheck = { ok: true; transition: Transition } | { ok: false; message: string };

export function checkTransition(from: ShipmentStatus, to: ShipmentStatus): TransitionCheck {
  const transition = transitions.find((t) => t.from === from && t.to === to);
  if (transition) return { ok: true, transition };
  if (from === to) return { ok: false, message: `The shipment is already ${to}` };
  const next = transitions.find((t) => t.from === from)?.to;
  return {
    ok: false,
    message: next ? `A shipment that is ${from} can only move to ${next}, not ${to}` : `A shipment that is ${from} cannot change any more`,
  };
}
