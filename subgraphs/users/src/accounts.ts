import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { ErrorCode, isDuplicateKeyError, userError, type Logger } from '@shop/platform';
import { users, type UsersDb } from './db/index.js';
import { normaliseEmail, type LoginInput, type RegisterInput, type UpdateProfileInput } from './inputs.js';
import type { UserModel } from './mappers.js';
import { ok, refused, type Outcome } from './outcome.js';
import { PASSWORD_MAX_LENGTH, burnPasswordCheck, hashPassword, passwordNeedsRehash, verifyPassword } from './passwords.js';
import { userColumns, type Session, type Sessions } from './sessions.js';

export interface Accounts {
  /** Creates a CUSTOMER and signs them in; EMAIL_TAKEN when the (case-insensitive) email is in use. */
  register(input: RegisterInput): Promise<Outcome<Session>>;
  /** INVALID_CREDENTIALS, with one message, for an unknown email and for a wrong password. */
  login(input: LoginInput): Promise<Outcome<Session>>;
  updateProfile(userId: string, input: UpdateProfileInput): Promise<Outcome<UserModel>>;
  /** One `WHERE id IN (...)` for the whole batch; unknown ids are simply missing. */
  usersByIds(ids: readonly string[]): Promise<UserModel[]>;
  /** Creates the configured admin unless an account with that email exists (idempotent, race-safe). */
  ensureBootstrapAdmin(email: string, password: string): Promise<void>;
}

export function createAccounts(db: UsersDb, sessions: Sessions, log: Logger): Accounts {
  const wrongCredentials = () =>
    refused<Session>(userError(ErrorCode.INVALID_CREDENTIALS, 'Email or password is incorrect'));

  async function insertUser(user: UserModel, password: string): Promise<boolean> {
    try {
      await db.insert(users).values({ ...user, passwordHash: await hashPassword(password), updatedAt: user.createdAt });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false; // the unique email index decides races
      throw err;
    }
  }

  return {
    async register(input) {
      const user: UserModel = { id: randomUUID(), email: input.email, name: input.name, role: 'CUSTOMER', createdAt: new Date() };
      if (!(await insertUser(user, input.password))) {
        return refused(userError(ErrorCode.EMAIL_TAKEN, 'An account with this email already exists', ['input', 'email']));
      }
      return ok(await sessions.start(user));
    },

    async login(input) {
      // No account can have a longer password; refusing early keeps huge inputs away from argon2.
      if (input.password.length > PASSWORD_MAX_LENGTH) return wrongCredentials();
      const [row] = await db
        .select({ ...userColumns, passwordHash: users.passwordHash })
        .from(users)
        .where(eq(users.email, input.email));
      if (!row) {
        await burnPasswordCheck(input.password);
        return wrongCredentials();
      }
      if (!(await verifyPassword(row.passwordHash, input.password))) return wrongCredentials();
      if (passwordNeedsRehash(row.passwordHash)) {
        await db.update(users).set({ passwordHash: await hashPassword(input.password) }).where(eq(users.id, row.id));
      }
      const user: UserModel = { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.createdAt };
      return ok(await sessions.start(user));
    },

    async updateProfile(userId, input) {
      await db.update(users).set({ name: input.name, updatedAt: new Date() }).where(eq(users.id, userId));
      const [user] = await db.select(userColumns).from(users).where(eq(users.id, userId));
      if (!user) return refused(userError(ErrorCode.NOT_FOUND, 'This account no longer exists'));
      return ok(user);
    },

    async usersByIds(ids) {
      if (ids.length === 0) return [];
      return db.select(userColumns).from(users).where(inArray(users.id, [...ids]));
    },

    async ensureBootstrapAdmin(email, password) {
      const normalised = normaliseEmail(email);
      const [existing] = await db.select(userColumns).from(users).where(eq(users.email, normalised));
      if (existing) {
        if (existing.role !== 'ADMIN') log.warn({ email: normalised }, 'bootstrap admin email belongs to a non-admin account');
        return;
      }
      const created = await insertUser(
        { id: randomUUID(), email: normalised, name: 'Administrator', role: 'ADMIN', createdAt: new Date() },
        password,
      );
      if (created) log.info({ email: normalised }, 'created bootstrap admin');
    },
  };
}
