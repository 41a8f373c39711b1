import { Kind, visit, type ASTNode, type DocumentNode } from 'graphql';

/**
 * Every type, field, argument, input field and enum value a subgraph's SDL declares without a
 * description, as dotted paths (`Query.products.first`). Sandbox shows descriptions: for frontend
 * developers the schema is the documentation (STYLE.md), so every subgraph must come back empty.
 */
export function undescribedElements(typeDefs: DocumentNode): string[] {
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
  return missing;
}
