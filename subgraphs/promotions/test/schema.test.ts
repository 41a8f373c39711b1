import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { loadTypeDefs } from '@shop/platform';
import { apiSchemaOf } from '@shop/schema';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
const sdlOf = (name: string) => parse(readFileSync(new URL(`../../${name}/schema.graphql`, import.meta.url), 'utf8'));

describe('schema.graphql', () => {
  it('composes with the users subgraph and keeps the internal operations out of the public API', () => {
    const result = composeServices([
      { name: 'users', url: 'http://127.0.0.1:4001/graphql', typeDefs: sdlOf('users') },
      { name: 'promotions', url: 'http://127.0.0.1:4007/graphql', typeDefs },
    ]);
    expect(result.errors?.map(String)).toBeUndefined();
    const api = apiSchemaOf(result.supergraphSdl!);
    expect(Object.keys(api.getQueryType()!.getFields())).toContain('promotion');
    expect(Object.keys(api.getQueryType()!.getFields())).not.toContain('promotionQuote');
    const mutations = Object.keys(api.getMutationType()!.getFields());
    expect(mutations).toContain('createPromotion');
    expect(mutations).not.toContain('redeemPromotion');
    expect(mutations).not.toContain('releasePromotion');
    for (const internalType of ['PromotionQuote', 'RedeemPromotionInput', 'RedeemPromotionResult']) {
      expect(api.getType(internalType)).toBeUndefined();
    }
  });
});
