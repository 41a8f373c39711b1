import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

describe('schema.graphql', () => {
  it('makes Order an entity, contributes User.orders, and only references Product', () => {
    const sdl = typeDefs.loc!.source.body;
    expect(sdl).toMatch(/type Order @key\(fields: "id"\)/);
    expect(sdl).toMatch(/type User @key\(fields: "id"\)/);
    expect(sdl).toMatch(/type Product @key\(fields: "id", resolvable: false\)/);
    for (const shared of ['Money', 'PageInfo', 'UserError', 'Address']) expect(sdl).toMatch(new RegExp(`type ${shared} @shareable`));
  });

  it('declares the shared value types field for field like their other owners', async () => {
    const { readFileSync } = await import('node:fs');
    const typeBody = (file: string, type: string) => {
      const src = readFileSync(new URL(file, import.meta.url), 'utf8');
      return new RegExp(`type ${type}[^{]*\\{([^}]*)\\}`).exec(src)?.[1]?.trim();
    };
    const ours = '../schema.graphql';
    expect(typeBody(ours, 'UserError')).toBe(typeBody('../../users/schema.graphql', 'UserError'));
    expect(typeBody(ours, 'Address')).toBe(typeBody('../../users/schema.graphql', 'Address'));
    expect(typeBody(ours, 'Money')).toBe(typeBody('../../products/schema.graphql', 'Money'));
    expect(typeBody(ours, 'PageInfo')).toBe(typeBody('../../products/schema.graphql', 'PageInfo'));
  });
});
