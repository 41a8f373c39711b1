import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

describe('schema.graphql', () => {
  it('only references Product (products resolves it) and shares PageInfo', () => {
    const sdl = typeDefs.loc!.source.body;
    expect(sdl).toMatch(/type Product @key\(fields: "id", resolvable: false\) \{\s*"[^"]*"\s*id: ID!\s*\}/);
    expect(sdl).toMatch(/type PageInfo @shareable/);
  });
});
