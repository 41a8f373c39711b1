import { describe, expect, it } from 'vitest';
import { Kind, visit, type ASTNode } from 'graphql';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

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

  it('only references Product (products resolves it) and shares PageInfo', () => {
    const sdl = typeDefs.loc!.source.body;
    expect(sdl).toMatch(/type Product @key\(fields: "id", resolvable: false\) \{\s*"[^"]*"\s*id: ID!\s*\}/);
    expect(sdl).toMatch(/type PageInfo @shareable/);
  });
});
