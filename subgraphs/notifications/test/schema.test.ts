import { describe, expect, it } from 'vitest';
import { Kind, print, type DocumentNode, type ObjectTypeDefinitionNode } from 'graphql';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

function typeOf(doc: DocumentNode, name: string): string {
  const def = doc.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === name);
  if (!def) throw new Error(`${name} not found`);
  return print(def);
}

describe('schema.graphql', () => {
  it('shares UserError with users and PageInfo with products, field for field', () => {
    const users = loadTypeDefs(new URL('../../users/schema.graphql', import.meta.url));
    const products = loadTypeDefs(new URL('../../products/schema.graphql', import.meta.url));
    expect(typeOf(typeDefs, 'UserError')).toBe(typeOf(users, 'UserError'));
    expect(typeOf(typeDefs, 'PageInfo')).toBe(typeOf(products, 'PageInfo'));
  });

  it('adds notifications to the User entity keyed by id', () => {
    const sdl = typeDefs.loc!.source.body;
    expect(sdl).toMatch(/type User @key\(fields: "id"\) \{/);
    expect(typeOf(typeDefs, 'User')).toMatch(/notifications\(.*first: Int.*after: String.*unreadOnly: Boolean.*\): NotificationConnection!/s);
  });
});
