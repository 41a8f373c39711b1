import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';

/** Ids that exist in the shop under test, so fuzzed ids sometimes get past "not found". */
export interface KnownIds {
  ids: string[];
}

const loneSurrogates = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b');
const awkward = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\u202e', // right-to-left override
  '\u200f', // right-to-left mark
  'مرحبا', // Arabic (RTL)
  'שלום', // Hebrew (RTL)
  '😀',
  '👩‍👩‍👧‍👦', // ZWJ sequence
  '\ufeff',
  '\u2028',
  'e\u0301', // combining accent
  '\\',
  '"',
  "'",
  '%',
  '\n',
  '\t',
);

/** Strings a hostile client sends: any unicode, control characters, lone surrogates, injections, long ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: fc.oneof(loneSurrogates, awkward, fc.constantFrom('a', 'Z', '0', ' ', '.', '@')), maxLength: 60 }), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '',
      ' ',
      "'; DROP TABLE users; --",
      '" OR "1"="1',
      '{"$gt": ""}',
      '$where',
      '<script>alert(1)</script>',
      '../../../etc/passwd',
      '${jndi:ldap://example.invalid/a}',
      '__proto__',
      'constructor',
      '%00',
      '\u0000\u0000\u0000',
      'NaN',
      '-0',
      '1e309',
    ),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: 1_000, max: 60_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);

/** Numbers beyond Int32 and JSON's comfort zone: huge, negative, fractional, unsafe integers. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer(), weight: 3 },
  {
    arbitrary: fc.constantFrom(0, -1, 1, 5, 100, 101, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53 + 2, 2 ** 64, 1e308, -1e308, 0.5, -0.0001, 5e-324),
    weight: 3,
  },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
);

/** A value of any JSON type: for "wrong type" variables. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  hostileNumber,
  fc.string({ maxLength: 10 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constant({ $gt: '' }),
  fc.constant(JSON.parse('{"__proto__": {"role": "ADMIN"}}') as unknown),
);

function idArbitrary(known: KnownIds): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: hostileString, weight: 3 },
    { arbitrary: fc.constantFrom(...known.ids), weight: 3 },
    { arbitrary: fc.uuid().map(String), weight: 1 },
    { arbitrary: fc.stringMatching(/^[0-9a-f]{24}$/), weight: 1 },
    { arbitrary: hostileNumber, weight: 1 }, // ID accepts integers too
  );
}

/** Named fields that validate against a format: a well-formed value now and then reaches the deeper rules. */
function specialised(fieldName: string | undefined): fc.Arbitrary<unknown> | null {
  switch (fieldName) {
    case 'email':
      return fc.oneof(hostileString.map((s) => `${s}@example.com`), fc.emailAddress());
    case 'country':
      return fc.constantFrom('US', 'DE', 'us', 'XX', 'USA', 'U', '');
    case 'currency':
      return fc.constantFrom('USD', 'EUR', 'usd', 'XXX', '');
    case 'rating':
      return fc.integer({ min: -2, max: 8 });
    default:
      return null;
  }
}

/** Int32 values a hostile client sends: the edges, zero, negatives. */
const hostileInt32: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(0, -1, 1, 2, 5, 100, 101, 10_000, 2 ** 31 - 1, -(2 ** 31)),
  fc.integer({ min: -3, max: 200 }),
);

/**
 * Values for a GraphQL input type. `typed`: always of the declared type (so the router lets them
 * through to the subgraph's own rules) but hostile in content: unicode, NUL, lone surrogates,
 * Int32 edges, long strings, long lists, unknown ids. `untyped`: now and then a value of a wrong
 * JSON type, null for a non-null, a number beyond Int32 or 2^53 (the router must refuse those
 * while coercing variables).
 */
export function valueFor(type: GraphQLInputType, known: KnownIds, fieldName: string | undefined, mode: 'typed' | 'untyped'): fc.Arbitrary<unknown> {
  const wrong = { arbitrary: anyJson, weight: 1 };
  const typed = mode === 'typed';
  if (isNonNullType(type)) {
    const inner = valueFor(type.ofType, known, fieldName, mode);
    return typed ? inner.filter((v) => v !== null) : fc.oneof({ arbitrary: inner, weight: 12 }, wrong);
  }
  const nullable = (a: fc.Arbitrary<unknown>) =>
    typed ? fc.oneof({ arbitrary: a, weight: 10 }, { arbitrary: fc.constant(null), weight: 1 }) : fc.oneof({ arbitrary: a, weight: 10 }, { arbitrary: fc.constant(null), weight: 1 }, wrong);
  if (isListType(type)) {
    const item = valueFor(type.ofType, known, fieldName, mode);
    return nullable(fc.oneof({ arbitrary: fc.array(item, { maxLength: 4 }), weight: 6 }, { arbitrary: fc.array(item, { minLength: 51, maxLength: 300 }), weight: 1 }));
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const shape = Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, known, f.name, mode)]));
    const requiredKeys = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    const record = fc.record(shape, { requiredKeys });
    if (typed) return nullable(record);
    // Now and then an unknown key, or a required one missing.
    const odd = fc.tuple(record, fc.constantFrom('unknownField', requiredKeys[0] ?? 'x')).map(([r, key]) => {
      const copy: Record<string, unknown> = { ...r };
      if (key in copy) delete copy[key];
      else copy[key] = 'surprise';
      return copy;
    });
    return nullable(fc.oneof({ arbitrary: record, weight: 8 }, { arbitrary: odd, weight: 1 }));
  }
  if (isEnumType(type)) {
    const values = fc.constantFrom(...type.getValues().map((v) => v.name));
    return nullable(typed ? values : fc.oneof({ arbitrary: values, weight: 4 }, { arbitrary: hostileString, weight: 1 }));
  }
  if (isScalarType(type)) {
    const special = specialised(fieldName);
    switch (type.name) {
      case 'ID':
        return nullable(typed ? idArbitrary(known).map(String) : idArbitrary(known));
      case 'Int':
        return nullable(typed ? hostileInt32 : hostileNumber);
      case 'Float':
        return nullable(typed ? fc.double({ noNaN: true, noDefaultInfinity: true }) : hostileNumber);
      case 'Boolean':
        return nullable(fc.boolean());
      case 'DateTime':
        return nullable(fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), hostileString, ...(typed ? [] : [hostileNumber])));
      default:
        return nullable(special ? fc.oneof({ arbitrary: special, weight: 1 }, { arbitrary: hostileString, weight: 2 }) : hostileString);
    }
  }
  return anyJson;
}

/** The arguments of a field as variables, plus the operation text declaring them. */
export function operationFor(kind: 'mutation' | 'query', field: GraphQLField<unknown, unknown>, selection: string): string {
  const decl = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `${kind}${decl ? ` (${decl})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection ? ` { ${selection} }` : ''} }`;
}

/** Variables for a field's arguments: four in five of the declared types, one in five anything. */
export function variablesFor(field: GraphQLField<unknown, unknown>, known: KnownIds): fc.Arbitrary<Record<string, unknown>> {
  const of = (mode: 'typed' | 'untyped') => fc.record(Object.fromEntries(field.args.map((a) => [a.name, valueFor(a.type, known, a.name, mode)])));
  return fc.oneof({ arbitrary: of('typed'), weight: 4 }, { arbitrary: of('untyped').chain((v) => fc.subarray(Object.keys(v)).map((keep) => Object.fromEntries(keep.map((k) => [k, v[k]])))), weight: 1 });
}

/** A payload's selection: its scalars, userErrors in full, and `__typename id` of the objects it returns. */
export function payloadSelection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  return Object.values(named.getFields())
    .map((f) => {
      const inner = getNamedType(f.type);
      if (isLeafType(inner)) return f.name;
      if (f.name === 'userErrors') return 'userErrors { code field message }';
      if (isObjectType(inner)) return `${f.name} { __typename${'id' in inner.getFields() ? ' id' : ''} }`;
      return `${f.name} { __typename }`;
    })
    .join(' ');
}
