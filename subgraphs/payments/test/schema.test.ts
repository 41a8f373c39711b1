import { describe, expect, it } from 'vitest';
import { Kind, print, type DocumentNode, type ObjectTypeDefinitionNode } from 'graphql';
import { loadTypeDefs } from '@shop/platform';

const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));
const sdl = typeDefs.loc!.source.body;

function typeNamed(doc: DocumentNode, name: string): ObjectTypeDefinitionNode {
  const def = doc.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === name);
  if (!def) throw new Error(`no type ${name}`);
  return def;
}

describe('schema.graphql', () => {
  it('shares Money field for field with the products subgraph', () => {
    const products = loadTypeDefs(new URL('../../products/schema.graphql', import.meta.url));
    expect(print(typeNamed(typeDefs, 'Money'))).toBe(print(typeNamed(products, 'Money')));
  });

  it('contributes payment to the Order entity and keeps the internal operation out of the public API', () => {
    expect(sdl).toMatch(/type Order @key\(fields: "id"\)/);
    expect(sdl).toMatch(/paymentTokenAccepted\([^)]*\): Boolean! @inaccessible/s);
    expect(sdl).toMatch(/enum PaymentStatus \{[^}]*SUCCEEDED[^}]*FAILED[^}]*REFUNDED[^}]*\}/s);
  });
});
