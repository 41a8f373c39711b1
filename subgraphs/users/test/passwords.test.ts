import { describe, expect, it } from 'vitest';
import { hashPassword, passwordNeedsRehash, verifyPassword } from '../src/passwords.js';

describe('password hashing', () => {
  it('hashes with argon2id and a per-hash salt', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^\$argon2id\$v=19\$/);
    expect(a).not.toContain('correct horse battery');
    expect(a).not.toEqual(b);
    expect(passwordNeedsRehash(a)).toBe(false);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it('treats an unreadable hash as a failed check, not a crash', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever')).toBe(false);
    expect(passwordNeedsRehash('$2b$10$bcrypthashfromanotherera')).toBe(true);
  });
});
