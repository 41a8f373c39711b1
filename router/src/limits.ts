import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import { makeFormatError } from '@shop/platform';

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

/** Per-operation limits, checked while parsing and validating: before the gateway plans anything. */
export interface QueryLimits {
  /** Deepest field nesting (fragments flattened). */
  maxDepth: number;
  /** Aliased fields in one operation (alias bombs multiply the work of one field). */
  maxAliases: number;
  /** armor's cost estimate: objects 2, scalars 1, x1.5 per level, x`first` for literal page sizes. */
  maxCost: number;
  /** Directives in one operation. */
  maxDirectives: number;
  /** Lexical tokens in the document; stops huge documents before they are even parsed fully. */
  maxTokens: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxAliases: 15, maxCost: 5000, maxDirectives: 50, maxTokens: 1000 };

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message.replace(/^Syntax Error: /, ''), {
    extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400 } },
  });
}

/**
 * armor reports a rejection through onReject with the ValidationContext; we report our own error
 * there (armor's would say BAD_USER_INPUT, and Apollo relabels every validation error
 * GRAPHQL_VALIDATION_FAILED anyway — formatRouterError restores our code).
 */
const reject = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(tooComplex(err.message))] };

export interface LimitsSetup {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
  parseOptions: ParseOptions;
}

/**
 * Depth, alias, cost and directive limits are graphql-armor validation rules: Apollo Server
 * validates before it calls the gateway's executor, and the gateway plans only inside the
 * executor, so a rejected operation is never planned nor sent to a subgraph.
 *
 * The token limit is graphql-js's own `maxTokens` parse option rather than armor's max-tokens
 * plugin: armor's Apollo plugin throws from `parsingDidStart`, outside Apollo's parse error
 * handling, which turns a rejection into a 500.
 */
export function queryLimits(limits: QueryLimits, production: boolean): LimitsSetup {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, ...reject },
    maxAliases: { n: limits.maxAliases, ...reject },
    costLimit: { maxCost: limits.maxCost, flattenFragments: true, ignoreIntrospection: true, ...reject },
    maxDirectives: { n: limits.maxDirectives, ...reject },
    maxTokens: { enabled: false },
    // "Did you mean ...?" hints reveal the schema; keep them for developers only.
    blockFieldSuggestion: { enabled: production },
  });
  const { validationRules, plugins } = armor.protect();
  return {
    validationRules: validationRules as ValidationRule[],
    plugins: plugins as ApolloServerPlugin[],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

/**
 * A document whose operation cannot be chosen (several operations and no operationName, or an
 * unknown name) is the client's mistake, a 400 as Apollo Server answers for a plain schema; the
 * gateway's executor would throw on it instead, which Apollo turns into a 500.
 */
export const refuseUnresolvedOperation: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request }) {
        if (operation) return;
        const message = request.operationName ? `Unknown operation named "${request.operationName}".` : 'Must provide operation name if query contains multiple operations.';
        throw new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
      },
    };
  },
};

// graphql 16 spells it "more that 1000 tokens"; accept the corrected spelling too.
const TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:an|at) (\d+) tokens/;

/** Our code sits on the error we reported, below Apollo's ValidationError wrapper. */
function isTooComplex(error: unknown): boolean {
  for (let e = error as { extensions?: Record<string, unknown>; originalError?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (e.extensions?.code === QUERY_TOO_COMPLEX) return true;
    e = e.originalError as typeof e;
  }
  return false;
}

/** platform's makeFormatError, after relabelling limit rejections QUERY_TOO_COMPLEX. */
export function formatRouterError(production: boolean) {
  const format = makeFormatError(production);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const tokens = TOKEN_LIMIT.exec(formatted.message);
    if (tokens && formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED') {
      formatted = {
        ...formatted,
        message: `Token limit of ${tokens[1]} exceeded.`,
        extensions: { ...formatted.extensions, code: QUERY_TOO_COMPLEX },
      };
    } else if (isTooComplex(error)) {
      formatted = { ...formatted, extensions: { ...formatted.extensions, code: QUERY_TOO_COMPLEX } };
    }
    return format(formatted, error);
  };
}
