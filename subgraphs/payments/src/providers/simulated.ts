import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { isDuplicateKeyError } from '@shop/platform';
import { simulatedProviderCalls, type PaymentsDb } from '../db/index.js';
import {
  IdempotencyKeyReusedError,
  type AuthoriseRequest,
  type AuthoriseResult,
  type CaptureRequest,
  type CaptureResult,
  type Money,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
} from './provider.js';

/** Test tokens, as real providers publish them: one that always succeeds, one always declined. */
export const SIMULATED_TOKENS = { succeeds: 'tok_visa', declined: 'tok_decline' } as const;

type Operation = 'authorise' | 'capture' | 'refund';

interface Answer {
  ok: boolean;
  reference: string | null;
  parentReference: string | null;
  reason: string | null;
}

const refuse = (reason: string, parentReference: string | null = null): Answer => ({ ok: false, reference: null, parentReference, reason });
const accept = (prefix: string, parentReference: string | null = null): Answer => ({
  ok: true,
  reference: `${prefix}_${randomUUID()}`,
  parentReference,
  reason: null,
});

/**
 * The built-in provider: no network, deterministic by token, and idempotent like a real one.
 * Its ledger (`simulated_provider_calls`) plays the provider's own records, so it is written with
 * autocommit statements on the pool and survives a rollback of the caller's transaction, exactly
 * as a real charge survives our crash.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = 'simulated';

  constructor(private readonly db: PaymentsDb) {}

  async acceptsToken(token: string): Promise<boolean> {
    return token === SIMULATED_TOKENS.succeeds || token === SIMULATED_TOKENS.declined;
  }

  async authorise(req: AuthoriseRequest): Promise<AuthoriseResult> {
    const answer = await this.once('authorise', req.idempotencyKey, { token: req.token }, req.amount, async () => {
      if (req.token === SIMULATED_TOKENS.succeeds) return accept('sim_auth');
      if (req.token === SIMULATED_TOKENS.declined) return refuse('PAYMENT_DECLINED');
      return refuse('INVALID_PAYMENT_TOKEN');
    });
    return answer.ok ? { ok: true, authorisationId: answer.reference! } : { ok: false, reason: answer.reason! };
  }

  async capture(req: CaptureRequest): Promise<CaptureResult> {
    const answer = await this.once('capture', req.idempotencyKey, { authorisationId: req.authorisationId }, req.amount, async () => {
      const authorised = await this.amountOf('authorise', req.authorisationId);
      if (!authorised || authorised.currency !== req.amount.currency) return refuse('AUTHORISATION_NOT_FOUND', req.authorisationId);
      const captured = await this.sumOfChildren('capture', req.authorisationId);
      if (captured + req.amount.amount > authorised.amount) return refuse('AMOUNT_EXCEEDS_AUTHORISATION', req.authorisationId);
      return accept('sim_cap', req.authorisationId);
    });
    return answer.ok ? { ok: true, captureId: answer.reference! } : { ok: false, reason: answer.reason! };
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    const answer = await this.once('refund', req.idempotencyKey, { captureId: req.captureId }, req.amount, async () => {
      const captured = await this.amountOf('capture', req.captureId);
      if (!captured || captured.currency !== req.amount.currency) return refuse('CAPTURE_NOT_FOUND', req.captureId);
      const refunded = await this.sumOfChildren('refund', req.captureId);
      if (refunded + req.amount.amount > captured.amount) return refuse('AMOUNT_EXCEEDS_CAPTURE', req.captureId);
      return accept('sim_ref', req.captureId);
    });
    return answer.ok ? { ok: true, refundId: answer.reference! } : { ok: false, reason: answer.reason! };
  }

  /**
   * Answers a call at most once per key: a key already in the ledger returns the stored answer;
   * a new one is decided and recorded. Two concurrent first calls both decide, but only one row
   * can be inserted (primary key) and both return that row's answer.
   */
  private async once(
    operation: Operation,
    idempotencyKey: string,
    details: Record<string, string>,
    amount: Money,
    decide: () => Promise<Answer>,
  ): Promise<Answer> {
    const request = JSON.stringify({ operation, ...details, amount: amount.amount, currency: amount.currency });
    const previous = await this.replay(idempotencyKey, request);
    if (previous) return previous;
    const answer = await decide();
    try {
      await this.db.insert(simulatedProviderCalls).values({
        idempotencyKey,
        operation,
        request,
        ...answer,
        amount: amount.amount,
        currency: amount.currency,
      });
      return answer;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const winner = await this.replay(idempotencyKey, request);
      if (!winner) throw err;
      return winner;
    }
  }

  private async replay(idempotencyKey: string, request: string): Promise<Answer | null> {
    const [row] = await this.db.select().from(simulatedProviderCalls).where(eq(simulatedProviderCalls.idempotencyKey, idempotencyKey));
    if (!row) return null;
    if (row.request !== request) throw new IdempotencyKeyReusedError(idempotencyKey);
    await this.db
      .update(simulatedProviderCalls)
      .set({ replays: sql`${simulatedProviderCalls.replays} + 1` })
      .where(eq(simulatedProviderCalls.idempotencyKey, idempotencyKey));
    return { ok: row.ok, reference: row.reference, parentReference: row.parentReference, reason: row.reason };
  }

  private async amountOf(operation: Operation, reference: string): Promise<Money | null> {
    const [row] = await this.db
      .select({ amount: simulatedProviderCalls.amount, currency: simulatedProviderCalls.currency })
      .from(simulatedProviderCalls)
      .where(and(eq(simulatedProviderCalls.reference, reference), eq(simulatedProviderCalls.operation, operation), eq(simulatedProviderCalls.ok, true)));
    return row ?? null;
  }

  private async sumOfChildren(operation: Operation, parentReference: string): Promise<number> {
    const [row] = await this.db
      .select({ total: sql<string | null>`SUM(${simulatedProviderCalls.amount})` })
      .from(simulatedProviderCalls)
      .where(
        and(
          eq(simulatedProviderCalls.parentReference, parentReference),
          eq(simulatedProviderCalls.operation, operation),
          eq(simulatedProviderCalls.ok, true),
        ),
      );
    return Number(row?.total ?? 0);
  }
}
