import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { desc, eq, isNull, and } from 'drizzle-orm';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { ACCESS_TOKEN_ALG, type Logger, type Role } from '@shop/platform';
import { signingKeys, type UsersDb } from './db/index.js';

// ---------------------------------------------------------------------------------------------
// Signing keys: stored in the database so tokens survive restarts and every instance agrees.

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface SigningKeyStore {
  /** The newest non-retired key that is past its activation delay (else the oldest): it signs new access tokens. */
  current(): SigningKey;
  /** Public JWKs of every non-retired key (the JWKS document's `keys`). */
  publicJwks(): Promise<JWK[]>;
  /** Key resolver for jose's jwtVerify; reloads once (with a cooldown) when a token names an unknown kid. */
  getKey: JWTVerifyGetKey;
  /**
   * Adds a new key: published at once, signing once its activation delay has passed; older keys
   * keep verifying until retired. Returns its kid.
   */
  rotate(): Promise<string>;
  /** Stops publishing and trusting a key; tokens it signed stop verifying. */
  retire(kid: string): Promise<void>;
  reload(): Promise<void>;
  close(): void;
}

interface LoadedKeys {
  /** Every non-retired key, newest first, with when it was created. */
  signing: Array<SigningKey & { createdAt: number }>;
  jwks: JWK[];
  verify: JWTVerifyGetKey;
  loadedAt: number;
}

export interface SigningKeyStoreOptions {
  log: Logger;
  /** How long other instances' rotations may take to be seen here. */
  reloadIntervalMs?: number;
  /** Minimum time between reloads triggered by unknown kids (they are attacker-controlled). */
  unknownKidCooldownMs?: number;
  /**
   * A new key is published at once but signs only after this delay (default 10 s). Verifiers
   * refetch the JWKS on an unknown kid at most once per cooldown (5 s in platform and here): a
   * token of a key that signed at once would be refused by a verifier that fetched just before.
   */
  activationDelayMs?: number;
}

async function generateSigningKey(db: UsersDb): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  await db.insert(signingKeys).values({
    kid,
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg: ACCESS_TOKEN_ALG, use: 'sig' }),
    privateJwk: JSON.stringify(privateJwk),
    createdAt: new Date(),
  });
  return kid;
}

export async function createSigningKeyStore(db: UsersDb, opts: SigningKeyStoreOptions): Promise<SigningKeyStore> {
  const reloadIntervalMs = opts.reloadIntervalMs ?? 60_000;
  const cooldownMs = opts.unknownKidCooldownMs ?? 5_000;
  const activationDelayMs = opts.activationDelayMs ?? 10_000;
  let lastUnknownKidReload = 0;

  async function load(): Promise<LoadedKeys> {
    let rows = await db
      .select()
      .from(signingKeys)
      .where(isNull(signingKeys.retiredAt))
      .orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid));
    if (rows.length === 0) {
      // First start (or everything retired). Two instances racing here both add a key; harmless.
      const kid = await generateSigningKey(db);
      opts.log.info({ kid }, 'generated access-token signing key');
      rows = await db
        .select()
        .from(signingKeys)
        .where(isNull(signingKeys.retiredAt))
        .orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid));
    }
    const jwks = rows.map((r) => JSON.parse(r.publicJwk) as JWK);
    const signing = await Promise.all(
      rows.map(async (r) => ({
        kid: r.kid,
        createdAt: r.createdAt.getTime(),
        privateKey: (await importJWK(JSON.parse(r.privateJwk) as JWK, ACCESS_TOKEN_ALG)) as CryptoKey,
      })),
    );
    return {
      signing,
      jwks,
      verify: createLocalJWKSet({ keys: jwks }),
      loadedAt: Date.now(),
    };
  }

  let state = await load();
  let reloading: Promise<void> | null = null;
  const reload = (): Promise<void> => {
    reloading ??= load()
      .then((next) => {
        state = next;
      })
      .finally(() => {
        reloading = null;
      });
    return reloading;
  };
  const timer = setInterval(() => {
    reload().catch((err: unknown) => opts.log.warn({ err }, 'could not reload signing keys'));
  }, reloadIntervalMs);
  timer.unref();

  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await state.verify(header, token);
    } catch (err) {
      const unknownKid = err instanceof joseErrors.JWKSNoMatchingKey;
      if (!unknownKid || Date.now() - lastUnknownKidReload < cooldownMs) throw err;
      lastUnknownKidReload = Date.now();
      await reload();
      return state.verify(header, token);
    }
  };

  return {
    // The newest key past its activation delay; on a first start (or after retiring every older key) the oldest there is.
    current: () => {
      const active = state.signing.find((k) => k.createdAt <= Date.now() - activationDelayMs) ?? state.signing.at(-1)!;
      return { kid: active.kid, privateKey: active.privateKey };
    },
    async publicJwks() {
      if (Date.now() - state.loadedAt > reloadIntervalMs) await reload();
      return state.jwks;
    },
    getKey,
    async rotate() {
      const kid = await generateSigningKey(db);
      await reload();
      opts.log.info({ kid }, 'rotated access-token signing key');
      return kid;
    },
    async retire(kid) {
      await db
        .update(signingKeys)
        .set({ retiredAt: new Date() })
        .where(and(eq(signingKeys.kid, kid), isNull(signingKeys.retiredAt)));
      await reload();
    },
    reload,
    close: () => clearInterval(timer),
  };
}

// ---------------------------------------------------------------------------------------------
// Access tokens

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export async function signAccessToken(
  keys: SigningKeyStore,
  settings: AccessTokenSettings,
  user: { id: string; role: Role },
  now: Date = new Date(),
): Promise<string> {
  const { kid, privateKey } = keys.current();
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + settings.ttlSeconds)
    .setJti(randomUUID())
    .sign(privateKey);
}

// ---------------------------------------------------------------------------------------------
// Refresh tokens: opaque random strings; only their sha256 is stored.

export interface NewRefreshToken {
  id: string;
  token: string;
  hash: string;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newRefreshToken(): NewRefreshToken {
  const token = randomBytes(32).toString('base64url');
  return { id: randomUUID(), token, hash: hashRefreshToken(token) };
}

/** 32 random bytes in base64url are 43 characters; anything else was never issued. */
export function looksLikeRefreshToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
