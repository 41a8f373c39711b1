import { createLogger, LOCAL_INTERNAL_API_TOKEN } from '@shop/platform';
import { createTestAuth, createTestDatabase, gql, MYSQL_URL, type TestAuth } from '@shop/testing';
import { createTaxSubgraph, type RunningTaxSubgraph, type TaxSubgraphDeps } from '../src/app.js';
import { loadTaxConfig } from '../src/config.js';

export const INTERNAL = { 'x-internal-token': LOCAL_INTERNAL_API_TOKEN };

export interface TaxHarness {
  app: RunningTaxSubgraph;
  url: string;
  auth: TestAuth;
  close(): Promise<void>;
}

/** A tax subgraph in-process on port 0 against a fresh MariaDB database of its own. */
export async function startTax(deps: Omit<TaxSubgraphDeps, 'verifyToken'> = {}): Promise<TaxHarness> {
  const db = await createTestDatabase('tax');
  const config = loadTaxConfig({ ...process.env, MYSQL_URL, MYSQL_DATABASE: db.name, PORT: '0', INTERNAL_API_TOKEN: LOCAL_INTERNAL_API_TOKEN });
  const auth = await createTestAuth();
  const app = await createTaxSubgraph(config, {
    log: createLogger('tax-test', process.env.LOG_LEVEL ?? 'warn'),
    verifyToken: auth.verifyToken,
    ...deps,
  });
  return {
    app,
    url: app.url,
    auth,
    async close() {
      await app.stop();
      await db.drop();
    },
  };
}

export const SET_TAX_RATE = `mutation ($input: SetTaxRateInput!) {
  setTaxRate(input: $input) { taxRate { country region category rateBasisPoints } userErrors { field message code } }
}`;

export const TAX_RATES = `query ($country: String!) { taxRates(country: $country) { country region category rateBasisPoints } }`;

export const TAX_QUOTE = `query ($input: TaxQuoteInput!) {
  taxQuote(input: $input) { lines { key rateBasisPoints tax } total }
}`;

/** Sets a rate as an admin; fails the test on any error. */
export async function setRate(h: TaxHarness, input: { country: string; region?: string | null; category?: string | null; rateBasisPoints: number }) {
  const res = await gql(h.url, SET_TAX_RATE, { input }, { token: h.auth.admin });
  if (res.errors || res.data.setTaxRate.userErrors.length > 0) throw new Error(`setTaxRate failed: ${JSON.stringify(res.errors ?? res.data.setTaxRate.userErrors)}`);
  return res.data.setTaxRate.taxRate;
}

export async function taxQuote(h: TaxHarness, input: Record<string, unknown>) {
  const res = await gql(h.url, TAX_QUOTE, { input }, { headers: INTERNAL });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.taxQuote as { lines: Array<{ key: string; rateBasisPoints: number; tax: number }>; total: number };
}
