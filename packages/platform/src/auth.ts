import { timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { forbidden, unauthenticated } from './errors.js';

export type Role = 'CUSTOMER' | 'ADMIN';

export interface AuthUser {
  id: string;
  role: Role;
}

/** What a request knows about its caller: a user, nobody, or a token that failed verification. */
export interface AuthState {
  user: AuthUser | null;
  /** Set when an Authorization header was sent but could not be trusted. */
  error: string | null;
}

export const ACCESS_TOKEN_ALG = 'ES256';

/** How far a token's iat may lie ahead of this machine's clock (clocks of the issuing instance drift). */
export const MAX_CLOCK_SKEW_SECONDS = 30;

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** The users subgraph's JWKS URL, or a key resolver (users itself verifies with its local key set). */
  jwks: string | JWTVerifyGetKey;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<AuthState>;

/**
 * Every subgraph verifies the bearer token itself (zero trust). The JWKS is fetched once,
 * cached, and refetched when a token names an unknown `kid` (key rotation).
 */
export function createTokenVerifier(opts: VerifierOptions): TokenVerifier {
  const getKey =
    typeof opts.jwks === 'string'
      ? createRemoteJWKSet(new URL(opts.jwks), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000 })
      : opts.jwks;
  return async (authorization) => {
    if (!authorization) return { user: null, error: null };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match?.[1]) return { user: null, error: 'Malformed Authorization header' };
    try {
      const { payload } = await jwtVerify(match[1], getKey, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: [ACCESS_TOKEN_ALG],
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      // jose checks iat only against a maxTokenAge; a token "issued" in the future was not issued by users.
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) {
        return { user: null, error: 'Token issued in the future' };
      }
      const role = payload.role;
      if (typeof payload.sub !== 'string' || (role !== 'CUSTOMER' && role !== 'ADMIN')) {
        return { user: null, error: 'Token has no valid subject or role' };
      }
      return { user: { id: payload.sub, role }, error: null };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return { user: null, error: 'Token expired' };
      if (err instanceof joseErrors.JOSEError) return { user: null, error: 'Invalid token' };
      throw err; // JWKS unreachable and the like: an outage, not the caller's fault
    }
  };
}

/** The caller, or null when anonymous; a bad token is never silently treated as anonymous. */
export function optionalUser(auth: AuthState): AuthUser | null {
  if (auth.error) throw unauthenticated(auth.error);
  return auth.user;
}

export function requireUser(auth: AuthState): AuthUser {
  const user = optionalUser(auth);
  if (!user) throw unauthenticated();
  return user;
}

export function requireAdmin(auth: AuthState): AuthUser {
  const user = requireUser(auth);
  if (user.role !== 'ADMIN') throw forbidden('Only an admin can do this');
  return user;
}

/** Internal (subgraph-to-subgraph) operations: the caller must present the shared internal token. */
export function requireInternalCaller(ctx: { internalCaller: boolean }): void {
  if (!ctx.internalCaller) throw forbidden('Internal operation');
}

/** Constant-time comparison of the x-internal-token header with the configured secret. */
export function isInternalCaller(header: string | string[] | undefined, secret: string | undefined): boolean {
  if (!secret || typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}
