import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, createKafka, createPublisher, topics, type EventPublisher, type Outcome } from '@shop/events';
import { eventually, KAFKA_BROKERS, uniqueName } from '@shop/testing';
import { addReview, productRatings, reviewInput, startRatings, type RatingsHarness } from './harness.js';

let h: RatingsHarness;
let publisher: EventPublisher;
const settled: Array<{ outcome: Outcome; id: string | null }> = [];

beforeAll(async () => {
  h = await startRatings({ onEventSettled: (outcome, event) => settled.push({ outcome, id: event?.id ?? null }) });
  // The same topic prefix as the system under test: nobody else sees these events.
  publisher = createPublisher(createKafka(KAFKA_BROKERS, uniqueName('ratings-test')), { topicPrefix: h.config.KAFKA_TOPIC_PREFIX });
  await h.ratings.consumerReady;
});
afterAll(async () => {
  await publisher?.close();
  await h?.close();
});

function delivered(userId: string, productIds: string[]) {
  const orderId = uniqueName('order');
  return createEvent('order.delivered', orderId, { orderId, userId, productIds });
}

const outcomesOf = (id: string) => settled.filter((s) => s.id === id).map((s) => s.outcome);

async function verifiedFlag(product: string, reviewId: string): Promise<boolean> {
  const { reviews } = await productRatings(h.url, product, { first: 100 });
  return reviews.nodes.find((r) => r.id === reviewId)!.verifiedPurchase;
}

describe('verified purchases (order.delivered from Kafka)', () => {
  it('marks a review verified once the author’s order with the product is delivered, even when written before', async () => {
    const author = await h.customer();
    const bystander = await h.customer();
    const [product, other] = [await h.createProduct(), await h.createProduct()];
    const review = await addReview(h.url, author.token, reviewInput(product));
    const unrelated = await addReview(h.url, bystander.token, reviewInput(product));
    expect(review.verifiedPurchase).toBe(false);

    const event = delivered(author.id, [product, other]);
    await publisher.publish([{ topic: topics.orders, envelope: event }]);
    await eventually(async () => ((await verifiedFlag(product, review.id)) ? true : undefined), 30_000);

    // Only the author's purchase counts; and a review written after delivery is verified at once.
    expect(await verifiedFlag(product, unrelated.id)).toBe(false);
    const later = await addReview(h.url, author.token, reviewInput(other));
    expect(later.verifiedPurchase).toBe(true);
  });

  it('changes nothing when the same event is delivered twice', async () => {
    const author = await h.customer();
    const product = await h.createProduct();
    await addReview(h.url, author.token, reviewInput(product));
    const event = delivered(author.id, [product, product]);
    await publisher.publish([{ topic: topics.orders, envelope: event }]);
    await publisher.publish([{ topic: topics.orders, envelope: event }]);
    await eventually(async () => (outcomesOf(event.id).length === 2 ? true : undefined), 30_000);
    expect(outcomesOf(event.id).sort()).toEqual(['applied', 'duplicate']);
    expect(await h.sql('SELECT user_id, product_id FROM purchases WHERE user_id = ?', [author.id])).toEqual([
      { user_id: author.id, product_id: product },
    ]);
    expect(await h.sql('SELECT event_id FROM processed_events WHERE event_id = ?', [event.id])).toHaveLength(1);
  });

  it('counts a product bought again in another order once', async () => {
    const author = await h.customer();
    const product = await h.createProduct();
    const first = delivered(author.id, [product]);
    const second = delivered(author.id, [product]);
    await publisher.publish([{ topic: topics.orders, envelope: first }, { topic: topics.orders, envelope: second }]);
    await eventually(async () => (outcomesOf(second.id).includes('applied') && outcomesOf(first.id).includes('applied') ? true : undefined), 30_000);
    expect(await h.sql('SELECT order_id FROM purchases WHERE user_id = ?', [author.id])).toHaveLength(1);
  });
});
