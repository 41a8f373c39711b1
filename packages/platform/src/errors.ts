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

/** Driver codes of a datastore that went away or aborted the transaction: the same request can succeed later. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
]);

/**
 * True when an error (or anything in its `originalError`/`cause` chain) says the datastore is
 * unreachable, dropped the connection, or aborted the transaction (deadlock, lock wait): nothing was
 * committed by that statement and a retry may succeed. mysql2 marks connection-level failures `fatal`,
 * e.g. the rollback drizzle attempts on a killed connection ("connection is in closed state").
 */
export function isTransientDatastoreError(err: unknown): boolean {
  let e = err as { code?: unknown; fatal?: unknown; message?: unknown; originalError?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
    if (e.fatal === true) return true;
    if (typeof e.message === 'string' && e.message.includes('connection is in closed state')) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/** What a client sees when a datastore failed under its request: retryable, nothing internal. */
function temporarilyUnavailable(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return {
    message: 'Temporarily unavailable (a datastore or service connection failed); retry the request, with the same idempotencyKey where there is one',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true },
  };
}

/**
 * Outside development nothing internal (stack traces, SQL, driver messages) reaches a client:
 * errors without a public code become a generic INTERNAL_SERVER_ERROR. A transient datastore
 * failure becomes SERVICE_UNAVAILABLE (retryable) everywhere.
 */
export function makeFormatError(production: boolean) {
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const original = formatted.extensions?.code;
    // A lost connection or aborted transaction is not the request's fault: retryable (a public code is kept as it is).
    if (!(typeof original === 'string' && PUBLIC_CODES.has(original)) && isTransientDatastoreError(error)) formatted = temporarilyUnavailable(formatted);
    // Apollo answers some client mistakes with HTTP 400 but no code (an APQ hash that does not match
    // its query): a BAD_REQUEST, not an internal error to mask.
    const status = (error as { extensions?: { http?: { status?: unknown } } } | undefined)?.extensions?.http?.status;
    if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR' && typeof status === 'number' && status >= 400 && status < 500) {
      formatted = { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
    }
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
