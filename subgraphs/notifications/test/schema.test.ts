import { describe, expect, it } from 'vitest';
import { Kind, print, visit, type ASTNode, type DocumentNode, type ObjectTypeDefinitionNode } from 'graphql';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

function typeOf(doc: DocumentNode, name: string): string {
  const def = doc.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === name);
  if (!def) throw new Error(`${name} not found`);
  return print(def);
}

describe('schema.graphql', () => {
  it('describes every type, field, argument, input field and enum value (Sandbox shows them)', () => {
    const missing: string[] = [];
    const path: string[] = [];
    const check = (node: ASTNode & { description?: unknown; name?: { value: string } }) => {
      if (!node.description) missing.push([...path, node.name?.value].join('.'));
    };
    const named = {
      enter(node: ASTNode & { name?: { value: string } }) {
        check(node);
        path.push(node.name!.value);
      },
      leave() {
        path.pop();
      },
    };
    visit(typeDefs, {
      [Kind.OBJECT_TYPE_DEFINITION]: named,
      [Kind.INPUT_OBJECT_TYPE_DEFINITION]: named,
      [Kind.ENUM_TYPE_DEFINITION]: named,
      [Kind.FIELD_DEFINITION]: named,
      [Kind.SCALAR_TYPE_DEFINITION]: check,
      [Kind.INPUT_VALUE_DEFINITION]: check,
      [Kind.ENUM_VALUE_DEFINITION]: check,
    });
    expect(missing).toEqual([]);
  });

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
