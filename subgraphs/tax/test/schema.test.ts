import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { loadTypeDefs } from '@shop/platform';
import { apiSchemaOf } from '@shop/schema';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
const sdlOf = (name: string) => parse(readFileSync(new URL(`../../${name}/schema.graphql`, import.meta.url), 'utf8'));

describe('schema.graphql', () => {
  it('composes with the users subgraph and keeps taxQuote out of the public API', () => {
    const result = composeServices([
      { name: 'users', url: 'http://127.0.0.1:4001/graphql', typeDefs: sdlOf('users') },
      { name: 'tax', url: 'http://127.0.0.1:4008/graphql', typeDefs },
    ]);
    expect(result.errors?.map(String)).toBeUndefined();
    const api = apiSchemaOf(result.supergraphSdl!);
    const queries = Object.keys(api.getQueryType()!.getFields());
    expect(queries).toContain('taxRates');
    expect(queries).not.toContain('taxQuote');
    expect(Object.keys(api.getMutationType()!.getFields())).toContain('setTaxRate');
    for (const internalType of ['TaxQuote', 'TaxQuoteLine', 'TaxQuoteInput', 'TaxQuoteLineInput']) {
      expect(api.getType(internalType)).toBeUndefined();
    }
  });
});
