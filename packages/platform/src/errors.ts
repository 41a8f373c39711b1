import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Business failure returned in a mutation payload (API.md: UserError). */
export interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

export const ErrorCode = {
  INVALID_INPUT: 'INVALID_INPUT',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  NOT_FOUND: 'NOT_FOUND',
  DUPLICATE: 'DUPLICATE',
  INVALID_TOKEN: 'INVALID_TOKEN',
} as const;

export function userError(code: string, message: string, field?: string[]): UserError {
  return { code, message, field: field ?? null };
}

/** Turns zod issues into UserErrors whose `field` is the path under the mutation's arguments. */
export function userErrorsFromIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix: string[] = ['input'],
): UserError[] {
  return issues.map((i) =>
    userError(ErrorCode.INVALID_INPUT, i.message, [...prefix, ...i.path.map((p) => String(p))]),
  );
}

export function unauthenticated(message = 'Sign in to do this'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 200 } } });
}

export function forbidden(message = 'You are not allowed to do this'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 200 } } });
}

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

const PUBLIC_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  // A dependency is down: retryable, safe to show.
  'SERVICE_UNAVAILABLE',
]);

/**
 * Outside development nothing internal (stack traces, SQL, driver messages) reaches a client:
 * errors without a public code become a generic INTERNAL_SERVER_ERROR.
 */
export function makeFormatError(production: boolean) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      if (!production) return formatted;
      return { ...formatted, extensions: { code } };
    }
    if (!production) return formatted;
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
