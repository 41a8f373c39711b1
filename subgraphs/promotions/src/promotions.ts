import { and, eq, inArray, sql } from 'drizzle-orm';
import { isDuplicateKeyError, userError, type Logger, type UserError } from '@shop/platform';
import type { MySqlDatabase } from 'drizzle-orm/mysql-core';
import { CouponErrorCode, evaluateCoupon, type CouponUsage, type CouponVerdict } from './coupons.js';
import { promotions, redemptions, type PromotionsDb } from './db/index.js';
import type { CouponRequest, CreatePromotionInput, RedeemRequest } from './inputs.js';
import type { PromotionModel } from './mappers.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; userErrors: UserError[] };

/** The answer of promotionQuote (GraphQL PromotionQuote). */
export interface QuoteAnswer {
  valid: boolean;
  discount: number;
  errorCode: string | null;
  message: string | null;
}

/** The answer of redeemPromotion (GraphQL RedeemPromotionResult). */
export interface RedeemAnswer {
  redeemed: boolean;
  discount: number;
  errorCode: string | null;
  message: string | null;
}

/** `tombstone`: the order was released before it ever redeemed; `none`: nothing is known of the order. */
export type ReleaseResult = 'released' | 'already-released' | 'tombstone' | 'none';

// Any drizzle MySQL handle: the pool, a transaction of ours, or the event consumer's transaction.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Executor = MySqlDatabase<any, any, any, any>;

const RELEASED_ANSWER: RedeemAnswer = {
  redeemed: false,
  discount: 0,
  errorCode: CouponErrorCode.INVALID_COUPON,
  message: 'The coupon use of this order was given back; place the order again',
};

function isDeadlock(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; cause?: unknown } | null;
  if (!e) return false;
  if (e.code === 'ER_LOCK_DEADLOCK' || e.errno === 1213) return true;
  return e.cause ? isDeadlock(e.cause) : false;
}

/** Runs `work` again when it lost a race that a fresh attempt resolves (duplicate order id, deadlock). */
async function retryingRaces<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !(isDuplicateKeyError(err) || isDeadlock(err))) throw err;
    }
  }
}

/** ACTIVE redemptions of a coupon, in total and of one customer. */
async function usageOf(db: Executor, code: string, userId: string): Promise<CouponUsage> {
  const [row] = await db
    .select({
      total: sql<number>`COUNT(*)`.mapWith(Number),
      byCustomer: sql<number>`COALESCE(SUM(${redemptions.userId} = ${userId}), 0)`.mapWith(Number),
    })
    .from(redemptions)
    .where(and(eq(redemptions.code, code), eq(redemptions.state, 'ACTIVE')));
  return { total: row?.total ?? 0, byCustomer: row?.byCustomer ?? 0 };
}

function toAnswer(verdict: CouponVerdict): QuoteAnswer {
  return verdict.valid
    ? { valid: true, discount: verdict.discount, errorCode: null, message: null }
    : { valid: false, discount: 0, errorCode: verdict.errorCode, message: verdict.message };
}

/**
 * Gives back an order's coupon use inside the caller's transaction: the redemption becomes
 * RELEASED and `times_used` goes down by one. Releasing again changes nothing. Locks the
 * promotion before the redemption, the same order redeem takes them in.
 */
export async function releaseRedemption(tx: Executor, orderId: string, now = new Date()): Promise<ReleaseResult> {
  const [found] = await tx.select({ code: redemptions.code, state: redemptions.state }).from(redemptions).where(eq(redemptions.orderId, orderId));
  if (!found) return 'none';
  if (!found.code) return 'tombstone';
  if (found.state === 'RELEASED') return 'already-released';
  await tx.select({ code: promotions.code }).from(promotions).where(eq(promotions.code, found.code)).for('update');
  const [current] = await tx.select().from(redemptions).where(eq(redemptions.orderId, orderId)).for('update');
  if (!current || current.state !== 'ACTIVE' || !current.code) return 'already-released';
  await tx.update(redemptions).set({ state: 'RELEASED', releasedAt: now }).where(eq(redemptions.id, current.id));
  await tx
    .update(promotions)
    .set({ timesUsed: sql`GREATEST(${promotions.timesUsed} - 1, 0)` })
    .where(eq(promotions.code, current.code));
  return 'released';
}

export interface PromotionsOptions {
  log: Logger;
  /** The clock validity windows are judged by. */
  now?: () => Date;
}

export function createPromotions(db: PromotionsDb, opts: PromotionsOptions) {
  const now = opts.now ?? (() => new Date());

  async function storedAnswer(tx: Executor, orderId: string): Promise<RedeemAnswer | null> {
    const [stored] = await tx
      .select({ state: redemptions.state, discount: redemptions.discount })
      .from(redemptions)
      .where(eq(redemptions.orderId, orderId));
    if (!stored) return null;
    return stored.state === 'ACTIVE' ? { redeemed: true, discount: stored.discount, errorCode: null, message: null } : RELEASED_ANSWER;
  }

  return {
    async create(input: CreatePromotionInput): Promise<Outcome<PromotionModel>> {
      const row = { ...input, timesUsed: 0, createdAt: now() };
      try {
        await db.insert(promotions).values(row);
      } catch (err) {
        if (isDuplicateKeyError(err)) {
          return { ok: false, userErrors: [userError('DUPLICATE', `A promotion with code ${input.code} already exists`, ['input', 'code'])] };
        }
        throw err;
      }
      return { ok: true, value: row };
    },

    /** For the per-request DataLoader: one `WHERE code IN (...)` per batch. */
    async byCodes(codes: readonly string[]): Promise<PromotionModel[]> {
      if (codes.length === 0) return [];
      return db.select().from(promotions).where(inArray(promotions.code, [...codes]));
    },

    /** Whether the coupon applies and its discount, without using it up. */
    async quote(req: CouponRequest): Promise<QuoteAnswer> {
      const [terms] = await db.select().from(promotions).where(eq(promotions.code, req.code));
      const usage = terms ? await usageOf(db, terms.code, req.userId) : { total: 0, byCustomer: 0 };
      return toAnswer(evaluateCoupon(terms ?? null, req, usage, now()));
    },

    /**
     * Uses the coupon for an order, atomically: the promotion row is locked (FOR UPDATE) while
     * the ACTIVE redemptions are counted and the new one is inserted, so concurrent orders never
     * exceed a limit. Idempotent per order: a repeated call returns the stored answer.
     */
    async redeem(req: RedeemRequest): Promise<RedeemAnswer> {
      return retryingRaces(() =>
        db.transaction(
          async (tx) => {
            const earlier = await storedAnswer(tx, req.orderId);
            if (earlier) return earlier;
            const [terms] = await tx.select().from(promotions).where(eq(promotions.code, req.code)).for('update');
            if (!terms) return toRedeemAnswer(evaluateCoupon(null, req, { total: 0, byCustomer: 0 }, now()));
            // A concurrent call for the same order may have committed while we waited for the lock.
            const meanwhile = await storedAnswer(tx, req.orderId);
            if (meanwhile) return meanwhile;
            const verdict = evaluateCoupon(terms, req, await usageOf(tx, terms.code, req.userId), now());
            if (!verdict.valid) return toRedeemAnswer(verdict);
            await tx.insert(redemptions).values({
              orderId: req.orderId,
              code: terms.code,
              userId: req.userId,
              discount: verdict.discount,
              currency: req.currency,
              state: 'ACTIVE',
              redeemedAt: now(),
            });
            await tx
              .update(promotions)
              .set({ timesUsed: sql`${promotions.timesUsed} + 1` })
              .where(eq(promotions.code, terms.code));
            opts.log.info({ orderId: req.orderId, code: terms.code, discount: verdict.discount }, 'coupon redeemed');
            return toRedeemAnswer(verdict);
          },
          // Each statement sees the latest commit; the row lock is what serialises redemptions.
          { isolationLevel: 'read committed' },
        ),
      );
    },

    /**
     * Orders' compensation for an order that was never written. An order without a redemption
     * gets a RELEASED tombstone, so a redeem that arrives late (after a timeout) is refused.
     */
    async release(orderId: string): Promise<boolean> {
      const result = await retryingRaces(() =>
        db.transaction(
          async (tx) => {
            const outcome = await releaseRedemption(tx, orderId, now());
            if (outcome === 'none') await tx.insert(redemptions).values({ orderId, state: 'RELEASED', releasedAt: now() });
            return outcome;
          },
          { isolationLevel: 'read committed' },
        ),
      );
      if (result === 'released') opts.log.info({ orderId }, 'coupon released');
      return result === 'released' || result === 'already-released';
    },
  };
}

function toRedeemAnswer(verdict: CouponVerdict): RedeemAnswer {
  const answer = toAnswer(verdict);
  return { redeemed: answer.valid, discount: answer.discount, errorCode: answer.errorCode, message: answer.message };
}

export type Promotions = ReturnType<typeof createPromotions>;
