import { eventually, uniqueName, type ObservedConsumer, type SettledEvent, type Shop } from '@shop/testing';
import { must, orderInput, placeOrder, updateShipmentStatus, viewOrder, waitForStatus } from './helpers.js';

/** Creates an active product through the router as the admin, with the given stock; returns its id. */
export async function createCatalogueProduct(
  shop: Shop,
  input: { name: string; price: number; category: string; description?: string },
  stock?: number,
): Promise<string> {
  const data = await must(
    shop,
    `mutation ($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code message field } } }`,
    { input: { sku: uniqueName('ENG').replace(/_/g, '-').toUpperCase(), description: 'Made by an e2e test', images: [], ...input } },
    shop.adminToken,
    'createProduct',
  );
  const id = data.createProduct.product.id as string;
  if (stock !== undefined) {
    await must(
      shop,
      `mutation ($id: ID!, $q: Int!) { setStock(productId: $id, quantity: $q) { inventory { available } userErrors { code message field } } }`,
      { id, q: stock },
      shop.adminToken,
      'setStock',
    );
  }
  return id;
}

/** Places an order (tok_visa) and takes it all the way: PAID → IN_TRANSIT (SHIPPED) → DELIVERED. Returns the order's view. */
export async function deliveredOrder(shop: Shop, token: string, items: Array<{ productId: string; quantity: number }>): Promise<any> {
  const orderId = await placeOrder(shop, token, orderInput(items));
  await waitForStatus(shop, orderId, token, 'PAID');
  const shipment = await eventually(async () => (await viewOrder(shop, orderId, token)).shipment ?? undefined);
  const inTransit = await updateShipmentStatus(shop, shipment.id, 'IN_TRANSIT');
  if (inTransit.errors || inTransit.data?.updateShipmentStatus.userErrors.length) throw new Error(`IN_TRANSIT: ${JSON.stringify(inTransit)}`);
  await waitForStatus(shop, orderId, token, 'SHIPPED');
  const delivered = await updateShipmentStatus(shop, shipment.id, 'DELIVERED');
  if (delivered.errors || delivered.data?.updateShipmentStatus.userErrors.length) throw new Error(`DELIVERED: ${JSON.stringify(delivered)}`);
  return waitForStatus(shop, orderId, token, 'DELIVERED');
}

export const ADD_REVIEW = `mutation ($input: AddReviewInput!) {
  addReview(input: $input) { review { id rating verifiedPurchase author { id } } userErrors { field message code } }
}`;

/** Writes a review through the router; fails the test on any error. Returns the review's id. */
export async function addReview(shop: Shop, token: string, productId: string, rating: number, title = 'Worth it'): Promise<string> {
  const data = await must(shop, ADD_REVIEW, { input: { productId, rating, title, body: `Rated ${rating} by an e2e test.` } }, token, 'addReview');
  return data.addReview.review.id as string;
}

/** Waits until `consumer` has settled every one of these event ids at least `times` times; returns what it settled for them. */
export async function settledTimes(shop: Shop, consumer: ObservedConsumer, eventIds: string[], times: number, timeoutMs = 30_000): Promise<SettledEvent[]> {
  const wanted = new Set(eventIds);
  return eventually(
    async () => {
      const seen = shop.settled(consumer).filter((s) => s.eventId !== null && wanted.has(s.eventId));
      return eventIds.every((id) => seen.filter((s) => s.eventId === id).length >= times) ? seen : undefined;
    },
    timeoutMs,
    50,
  );
}
