import { asc, eq, sql } from 'drizzle-orm';
import { ANY, taxRates, type TaxDb } from './db/index.js';
import type { SetTaxRateInput, TaxQuoteInput } from './inputs.js';
import type { TaxRateModel } from './mappers.js';
import { quoteTax, type TaxQuote } from './rates.js';

function toModel(row: typeof taxRates.$inferSelect): TaxRateModel {
  return {
    country: row.country,
    region: row.region === ANY ? null : row.region,
    category: row.category === ANY ? null : row.category,
    rateBasisPoints: row.rateBasisPoints,
  };
}

export function createTaxRates(db: TaxDb) {
  async function ofCountry(country: string): Promise<TaxRateModel[]> {
    const rows = await db
      .select()
      .from(taxRates)
      .where(eq(taxRates.country, country))
      .orderBy(asc(taxRates.region), asc(taxRates.category));
    return rows.map(toModel);
  }

  return {
    ofCountry,

    /** Creates the rate, or changes the one with the same country, region and category. */
    async set(input: SetTaxRateInput): Promise<TaxRateModel> {
      const row = { country: input.country, region: input.region ?? ANY, category: input.category ?? ANY, rateBasisPoints: input.rateBasisPoints };
      await db
        .insert(taxRates)
        .values({ ...row, updatedAt: new Date() })
        .onDuplicateKeyUpdate({
          // The spelling given last wins (the key compares ignoring case and accents).
          set: { region: row.region, category: row.category, rateBasisPoints: row.rateBasisPoints, updatedAt: sql`CURRENT_TIMESTAMP(3)` },
        });
      return toModel(row as typeof taxRates.$inferSelect);
    },

    /** One query for the destination country's rates; the rules pick each line's rate. */
    async quote(input: TaxQuoteInput): Promise<TaxQuote> {
      const rules = input.lines.length > 0 ? await ofCountry(input.country) : [];
      return quoteTax(rules, { country: input.country, region: input.region }, input.lines);
    },
  };
}

export type TaxRates = ReturnType<typeof createTaxRates>;
