import { and, eq, isNull } from 'drizzle-orm';
import { ErrorCode, userError, type Logger } from '@shop/platform';
import { refreshTokens, users, type UsersDb } from './db/index.js';
import type { UserModel } from './mappers.js';
import { ok, refused, type Outcome } from './outcome.js';
import {
  hashRefreshToken,
  looksLikeRefreshToken,
  newRefreshToken,
  signAccessToken,
  type AccessTokenSettings,
  type SigningKeyStore,
} from './tokens.js';

export interface SessionSettings {
  access: AccessTokenSettings;
  refreshTtlSeconds: number;
}

/** A signed-in session: what register, login and refreshToken hand to the client. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  user: UserModel;
}

export interface Sessions {
  /** Starts a new session (a new refresh-token family) for a user who just proved who they are. */
  start(user: UserModel): Promise<Session>;
  /**
   * Rotates a refresh token: the presented one is marked replaced and a new one joins its family.
   * A token presented after it was replaced means a copy leaked: the whole family is revoked.
   */
  refresh(token: string): Promise<Outcome<Session>>;
  /** Revokes the session the refresh token belongs to; false when the token is unknown. */
  logout(token: string): Promise<boolean>;
}

export const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  createdAt: users.createdAt,
};

export function createSessions(db: UsersDb, keys: SigningKeyStore, settings: SessionSettings, log: Logger): Sessions {
  const expiry = (now: Date) => new Date(now.getTime() + settings.refreshTtlSeconds * 1000);
  const invalidToken = () =>
    refused<Session>(userError(ErrorCode.INVALID_TOKEN, 'The refresh token is invalid or expired; sign in again', ['token']));

  async function start(user: UserModel): Promise<Session> {
    const now = new Date();
    const next = newRefreshToken();
    await db.insert(refreshTokens).values({
      id: next.id,
      tokenHash: next.hash,
      userId: user.id,
      familyId: next.id,
      createdAt: now,
      expiresAt: expiry(now),
    });
    return { accessToken: await signAccessToken(keys, settings.access, user, now), refreshToken: next.token, user };
  }

  async function refresh(token: string): Promise<Outcome<Session>> {
    if (!looksLikeRefreshToken(token)) return invalidToken();
    const hash = hashRefreshToken(token);
    const now = new Date();
    // One transaction holding the row lock: two concurrent uses of one token serialise here,
    // and the second one sees `replaced_by` already set.
    const result = await db.transaction(async (tx) => {
      const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash)).for('update');
      if (!row || row.revokedAt) return null;
      if (row.replacedBy) {
        await tx
          .update(refreshTokens)
          .set({ revokedAt: now })
          .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
        log.warn({ userId: row.userId, familyId: row.familyId }, 'refresh token reused: session revoked');
        return null;
      }
      if (row.expiresAt.getTime() <= now.getTime()) return null;
      const [user] = await tx.select(userColumns).from(users).where(eq(users.id, row.userId));
      if (!user) return null;
      const next = newRefreshToken();
      await tx.insert(refreshTokens).values({
        id: next.id,
        tokenHash: next.hash,
        userId: row.userId,
        familyId: row.familyId,
        createdAt: now,
        expiresAt: expiry(now),
      });
      await tx.update(refreshTokens).set({ replacedBy: next.id }).where(eq(refreshTokens.id, row.id));
      return { user, refreshToken: next.token };
    });
    if (!result) return invalidToken();
    // The role comes from the database, so a promotion or demotion applies at the next refresh.
    const accessToken = await signAccessToken(keys, settings.access, result.user, now);
    return ok({ accessToken, refreshToken: result.refreshToken, user: result.user });
  }

  async function logout(token: string): Promise<boolean> {
    if (!looksLikeRefreshToken(token)) return false;
    const [row] = await db
      .select({ familyId: refreshTokens.familyId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, hashRefreshToken(token)));
    if (!row) return false;
    await db
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
    return true;
  }

  return { start, refresh, logout };
}
