import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { ErrorCode, isDuplicateKeyError, userError, type AuthUser } from '@shop/platform';
import { ratingSummaries, reviews, type RatingsDb } from './db/index.js';
import type { AddReviewInput } from './inputs.js';
import type { ReviewModel } from './mappers.js';
import { ok, refused, type Outcome } from './outcome.js';
import type { ProductDirectory } from '@shop/platform';

export const ALREADY_REVIEWED = 'ALREADY_REVIEWED';

export type DeleteOutcome =
  | { kind: 'deleted'; productId: string }
  | { kind: 'not-found' }
  /** Neither the author nor an ADMIN. */
  | { kind: 'forbidden' };

export interface ReviewBook {
  /** Writes the customer's review and counts it in the product's summary, in one transaction. */
  addReview(authorId: string, input: AddReviewInput): Promise<Outcome<ReviewModel>>;
  /** Removes a review (its author or an ADMIN) and takes it out of the summary, in one transaction. */
  deleteReview(id: string, actor: AuthUser): Promise<DeleteOutcome>;
}

/** The rule of who may delete a review. */
export function mayDeleteReview(review: Pick<ReviewModel, 'userId'>, actor: AuthUser): boolean {
  return actor.role === 'ADMIN' || actor.id === review.userId;
}

class AlreadyReviewed extends Error {}

const MAX_DEADLOCK_RETRIES = 3;

function isDeadlock(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; cause?: unknown } | null;
  if (!e) return false;
  if (e.code === 'ER_LOCK_DEADLOCK' || e.errno === 1213) return true;
  return e.cause ? isDeadlock(e.cause) : false;
}

/** InnoDB may still pick a victim under contention; the whole transaction is safe to run again. */
async function withDeadlockRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isDeadlock(err) || attempt >= MAX_DEADLOCK_RETRIES) throw err;
      await new Promise((r) => setTimeout(r, 5 * attempt));
    }
  }
}

export function createReviewBook(db: RatingsDb, products: ProductDirectory): ReviewBook {
  /**
   * Every writer of a product's reviews first locks its summary row, so writers of one product
   * run one after the other and the summary always equals the reviews. The row is created
   * beforehand in its own statement: creating it inside the transactions would make concurrent
   * first reviews deadlock (shared locks from the duplicate check, then each asks for exclusive).
   */
  async function ensureSummaryRow(productId: string): Promise<void> {
    await db.insert(ratingSummaries).ignore().values({ productId, reviewCount: 0, ratingTotal: 0 });
  }

  return {
    async addReview(authorId, input) {
      const productId = (await products.canonicalIds([input.productId])).get(input.productId);
      if (!productId) return refused(userError(ErrorCode.NOT_FOUND, 'This product does not exist', ['input', 'productId']));

      const review: ReviewModel = {
        id: randomUUID(),
        productId,
        userId: authorId,
        rating: input.rating,
        title: input.title,
        body: input.body,
        createdAt: new Date(),
      };
      await ensureSummaryRow(productId);
      try {
        await withDeadlockRetry(() =>
          db.transaction(async (tx) => {
            await tx.select().from(ratingSummaries).where(eq(ratingSummaries.productId, productId)).for('update');
            try {
              await tx.insert(reviews).values(review);
            } catch (err) {
              // The unique (product, user) index decides, also between concurrent requests.
              if (isDuplicateKeyError(err)) throw new AlreadyReviewed();
              throw err;
            }
            await tx
              .update(ratingSummaries)
              .set({
                reviewCount: sql`${ratingSummaries.reviewCount} + 1`,
                ratingTotal: sql`${ratingSummaries.ratingTotal} + ${review.rating}`,
              })
              .where(eq(ratingSummaries.productId, productId));
          }),
        );
      } catch (err) {
        if (err instanceof AlreadyReviewed) {
          return refused(userError(ALREADY_REVIEWED, 'You have already reviewed this product', ['input', 'productId']));
        }
        throw err;
      }
      return ok(review);
    },

    async deleteReview(id, actor) {
      const [review] = await db.select().from(reviews).where(eq(reviews.id, id));
      if (!review) return { kind: 'not-found' };
      if (!mayDeleteReview(review, actor)) return { kind: 'forbidden' };
      const deleted = await withDeadlockRetry(() =>
        db.transaction(async (tx) => {
          await tx.select().from(ratingSummaries).where(eq(ratingSummaries.productId, review.productId)).for('update');
          const [result] = await tx.delete(reviews).where(eq(reviews.id, id));
          if (result.affectedRows === 0) return false; // deleted meanwhile by someone else
          await tx
            .update(ratingSummaries)
            .set({
              reviewCount: sql`${ratingSummaries.reviewCount} - 1`,
              ratingTotal: sql`${ratingSummaries.ratingTotal} - ${review.rating}`,
            })
            .where(eq(ratingSummaries.productId, review.productId));
          return true;
        }),
      );
      return deleted ? { kind: 'deleted', productId: review.productId } : { kind: 'not-found' };
    },
  };
}
