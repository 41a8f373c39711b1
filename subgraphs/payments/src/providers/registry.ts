import type { PaymentsDb } from '../db/index.js';
import type { PaymentProvider } from './provider.js';
import { SimulatedPaymentProvider } from './simulated.js';

/** What a provider factory may use: the subgraph's database (for a ledger) and its config. */
export interface ProviderDeps {
  db: PaymentsDb;
  env: Record<string, string | undefined>;
}

/**
 * Every provider the subgraph can run with, by the name config `PAYMENT_PROVIDER` uses.
 * Adding one: implement PaymentProvider in src/providers/<name>.ts and register it here.
 */
export const providerFactories = {
  simulated: ({ db }: ProviderDeps): PaymentProvider => new SimulatedPaymentProvider(db),
} satisfies Record<string, (deps: ProviderDeps) => PaymentProvider>;

export type ProviderName = keyof typeof providerFactories;
export const PROVIDER_NAMES = Object.keys(providerFactories) as [ProviderName, ...ProviderName[]];

export function createPaymentProvider(name: ProviderName, deps: ProviderDeps): PaymentProvider {
  return providerFactories[name](deps);
}
