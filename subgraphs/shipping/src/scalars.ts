import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from '@shop/platform';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badUserInput('DateTime must be an ISO-8601 date-time string');
  return date;
}

/** ISO-8601 in UTC on the wire, Date inside. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'A point in time as an ISO-8601 string in UTC.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badUserInput('DateTime must be an ISO-8601 date-time string');
    return toDate(ast.value);
  },
});
