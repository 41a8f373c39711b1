import { describe, expect, it } from 'vitest';
import { shipmentStatuses, type ShipmentStatus } from '../src/db/schema.js';
import { checkTransition } from '../src/transitions.js';

/** Every (from, to) pair: only one step forward is allowed, and it names the event it announces. */
const table: Array<[ShipmentStatus, ShipmentStatus, string | null]> = [
  ['LABEL_CREATED', 'LABEL_CREATED', null],
  ['LABEL_CREATED', 'IN_TRANSIT', 'shipment.in_transit'],
  ['LABEL_CREATED', 'DELIVERED', null],
  ['IN_TRANSIT', 'LABEL_CREATED', null],
  ['IN_TRANSIT', 'IN_TRANSIT', null],
  ['IN_TRANSIT', 'DELIVERED', 'shipment.delivered'],
  ['DELIVERED', 'LABEL_CREATED', null],
  ['DELIVERED', 'IN_TRANSIT', null],
  ['DELIVERED', 'DELIVERED', null],
];

describe('shipment status transitions', () => {
  it('covers every pair of statuses', () => {
    expect(table).toHaveLength(shipmentStatuses.length ** 2);
  });

  it.each(table)('%s → %s: %s', (from, to, announces) => {
    const check = checkTransition(from, to);
    if (announces) expect(check).toEqual({ ok: true, transition: { from, to, announces } });
    else expect(check.ok).toBe(false);
  });

  it('explains a refusal: staying, going back, skipping, and moving after delivery', () => {
    expect(checkTransition('IN_TRANSIT', 'IN_TRANSIT')).toEqual({ ok: false, message: 'The shipment is already IN_TRANSIT' });
    expect(checkTransition('IN_TRANSIT', 'LABEL_CREATED')).toEqual({ ok: false, message: 'A shipment that is IN_TRANSIT can only move to DELIVERED, not LABEL_CREATED' });
    expect(checkTransition('LABEL_CREATED', 'DELIVERED')).toEqual({ ok: false, message: 'A shipment that is LABEL_CREATED can only move to IN_TRANSIT, not DELIVERED' });
    expect(checkTransition('DELIVERED', 'IN_TRANSIT')).toEqual({ ok: false, message: 'A shipment that is DELIVERED cannot change any more' });
  });
});
