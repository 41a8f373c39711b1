import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
const sdl = typeDefs.loc!.source.body;

describe('schema.graphql', () => {
  it('contributes to Product and User by key and shares the value types identically with products', () => {
    expect(sdl).toMatch(/type Product @key\(fields: "id"\) \{/);
    expect(sdl).toMatch(/type User @key\(fields: "id"\) \{/);
    expect(sdl).toMatch(/type ProductConnection @shareable/);
    expect(sdl).toMatch(/type UserError @shareable/);
    expect(sdl).toMatch(/type PageInfo @shareable/);
  });
});
