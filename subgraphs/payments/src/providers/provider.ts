/**
 * The payment-provider strategy (Vendure's payment method handler shape): one small interface,
 * one implementation per provider, chosen by config `PAYMENT_PROVIDER` (see registry.ts).
 *
 * The contract every implementation keeps:
 * - Every call carries an idempotency key. A call repeated with a key already seen has no new
 *   effect and answers exactly what the first call answered; that is what makes re-running a charge
 *   after a crash safe. Reusing a key for a different request is a programming error: throw.
 * - A business refusal (declined card, amount too large) is an answer `{ ok: false, reason }`, not
 *   an exception. Throw only when the outcome is unknown (network, provider outage): the caller
 *   retries later with the same key.
 */

/** Integer minor units with an ISO 4217 currency code. */
export interface Money {
  amount: number;
  currency: string;
}

export type Refusal = { ok: false; reason: string };
export type AuthoriseResult = { ok: true; authorisationId: string } | Refusal;
export type CaptureResult = { ok: true; captureId: string } | Refusal;
export type RefundResult = { ok: true; refundId: string } | Refusal;

export interface AuthoriseRequest {
  amount: Money;
  /** Provider token chosen at checkout; never card data. */
  token: string;
  idempotencyKey: string;
}

export interface CaptureRequest {
  authorisationId: string;
  amount: Money;
  idempotencyKey: string;
}

export interface RefundRequest {
  captureId: string;
  amount: Money;
  idempotencyKey: string;
}

export interface PaymentProvider {
  /** Recorded on each payment, e.g. `simulated`. */
  readonly name: string;
  /** Whether this provider can charge the token (asked at placeOrder, before anything is charged). */
  acceptsToken(token: string): Promise<boolean>;
  /** Reserves the amount on the customer's payment method. */
  authorise(request: AuthoriseRequest): Promise<AuthoriseResult>;
  /** Takes the authorised amount (or less): this is the charge. */
  capture(request: CaptureRequest): Promise<CaptureResult>;
  /** Gives back (part of) a captured amount. */
  refund(request: RefundRequest): Promise<RefundResult>;
}

/** The same key used for a different request: a bug in the caller, never retried into a charge. */
export class IdempotencyKeyReusedError extends Error {
  constructor(readonly idempotencyKey: string) {
    super(`Idempotency key ${idempotencyKey} was already used for a different request`);
  }
}
