import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
const sdl = typeDefs.loc!.source.body;

describe('schema.graphql', () => {
  it('contributes to Product by key, references User without resolving it, and shares the value types', () => {
    expect(sdl).toMatch(/type Product @key\(fields: "id"\) \{/);
    expect(sdl).toMatch(/type User @key\(fields: "id", resolvable: false\)/);
    expect(sdl).toMatch(/type UserError @shareable/);
    expect(sdl).toMatch(/type PageInfo @shareable/);
  });
});
