import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

describe('schema.graphql', () => {
  it('makes UserError shareable and User an entity keyed by id', () => {
    const sdl = typeDefs.loc!.source.body;
    expect(sdl).toMatch(/type UserError @shareable/);
    expect(sdl).toMatch(/type User @key\(fields: "id"\)/);
  });
});
