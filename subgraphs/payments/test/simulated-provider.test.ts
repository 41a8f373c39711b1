import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@shop/testing';
import { IdempotencyKeyReusedError } from '../src/providers/provider.js';
import { paymentsFixture, type PaymentsFixture } from './harness.js';

let fx: PaymentsFixture;
beforeAll(async () => {
  fx = await paymentsFixture();
});
afterAll(async () => {
  await fx?.close();
});

const usd = (amount: number) => ({ amount, currency: 'USD' });
const key = () => uniqueName('key');

async function ledgerRow(idempotencyKey: string) {
  const rows = await fx.db.query.simulatedProviderCalls.findMany();
  return rows.filter((r) => r.idempotencyKey === idempotencyKey);
}

async function authorised(amount = 1_000) {
  const auth = await fx.simulated.authorise({ amount: usd(amount), token: 'tok_visa', idempotencyKey: key() });
  if (!auth.ok) throw new Error('tok_visa must authorise');
  return auth.authorisationId;
}

describe('the simulated payment provider', () => {
  it('authorises tok_visa and declines tok_decline with PAYMENT_DECLINED', async () => {
    expect(await fx.simulated.authorise({ amount: usd(500), token: 'tok_visa', idempotencyKey: key() })).toEqual({
      ok: true,
      authorisationId: expect.stringMatching(/^sim_auth_/),
    });
    expect(await fx.simulated.authorise({ amount: usd(500), token: 'tok_decline', idempotencyKey: key() })).toEqual({
      ok: false,
      reason: 'PAYMENT_DECLINED',
    });
  });

  it('accepts only its own tokens', async () => {
    expect(await fx.simulated.acceptsToken('tok_visa')).toBe(true);
    expect(await fx.simulated.acceptsToken('tok_decline')).toBe(true);
    expect(await fx.simulated.acceptsToken('tok_mastercard')).toBe(false);
    expect(await fx.simulated.authorise({ amount: usd(500), token: 'tok_mastercard', idempotencyKey: key() })).toEqual({
      ok: false,
      reason: 'INVALID_PAYMENT_TOKEN',
    });
  });

  it('answers a call repeated with the same key with the first answer, and charges once', async () => {
    const authorisationId = await authorised();
    const captureKey = key();
    const first = await fx.simulated.capture({ authorisationId, amount: usd(1_000), idempotencyKey: captureKey });
    const again = await fx.simulated.capture({ authorisationId, amount: usd(1_000), idempotencyKey: captureKey });
    expect(first).toEqual({ ok: true, captureId: expect.stringMatching(/^sim_cap_/) });
    expect(again).toEqual(first);
    const rows = await ledgerRow(captureKey);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ operation: 'capture', amount: 1_000, replays: 1 });
  });

  it('replays a decline too, rather than deciding again', async () => {
    const declineKey = key();
    const first = await fx.simulated.authorise({ amount: usd(500), token: 'tok_decline', idempotencyKey: declineKey });
    const again = await fx.simulated.authorise({ amount: usd(500), token: 'tok_decline', idempotencyKey: declineKey });
    expect(again).toEqual(first);
    expect(await ledgerRow(declineKey)).toHaveLength(1);
  });

  it('answers concurrent calls with one key with one answer, recorded once', async () => {
    const authorisationId = await authorised(700);
    const captureKey = key();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => fx.simulated.capture({ authorisationId, amount: usd(700), idempotencyKey: captureKey })),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.ok).toBe(true);
    expect(await ledgerRow(captureKey)).toHaveLength(1);
  });

  it('refuses a key reused for a different request instead of charging again', async () => {
    const authorisationId = await authorised();
    const captureKey = key();
    await fx.simulated.capture({ authorisationId, amount: usd(600), idempotencyKey: captureKey });
    await expect(fx.simulated.capture({ authorisationId, amount: usd(900), idempotencyKey: captureKey })).rejects.toThrow(
      IdempotencyKeyReusedError,
    );
  });

  it('captures no more than was authorised and refunds no more than was captured', async () => {
    const authorisationId = await authorised(1_000);
    expect(await fx.simulated.capture({ authorisationId, amount: usd(1_001), idempotencyKey: key() })).toEqual({
      ok: false,
      reason: 'AMOUNT_EXCEEDS_AUTHORISATION',
    });
    const capture = await fx.simulated.capture({ authorisationId, amount: usd(1_000), idempotencyKey: key() });
    if (!capture.ok) throw new Error('capture within the authorisation must succeed');
    expect(await fx.simulated.refund({ captureId: capture.captureId, amount: usd(600), idempotencyKey: key() })).toMatchObject({ ok: true });
    expect(await fx.simulated.refund({ captureId: capture.captureId, amount: usd(600), idempotencyKey: key() })).toEqual({
      ok: false,
      reason: 'AMOUNT_EXCEEDS_CAPTURE',
    });
  });

  it('refuses to capture an unknown authorisation or refund an unknown capture', async () => {
    expect(await fx.simulated.capture({ authorisationId: 'sim_auth_nope', amount: usd(1), idempotencyKey: key() })).toEqual({
      ok: false,
      reason: 'AUTHORISATION_NOT_FOUND',
    });
    expect(await fx.simulated.refund({ captureId: 'sim_cap_nope', amount: usd(1), idempotencyKey: key() })).toEqual({
      ok: false,
      reason: 'CAPTURE_NOT_FOUND',
    });
  });
});
