import { randomUUID } from 'node:crypto';
import { asc, inArray } from 'drizzle-orm';
import { addresses, type UsersDb } from './db/index.js';
import type { AddressInput } from './inputs.js';
import type { AddressModel } from './mappers.js';

export interface AddressBook {
  /** Saves an address for its owner; only ever called with the signed-in user's id. */
  add(userId: string, input: AddressInput): Promise<AddressModel>;
  /** Every listed user's addresses, oldest first, in one query. */
  byUserIds(userIds: readonly string[]): Promise<Map<string, AddressModel[]>>;
}

export function createAddressBook(db: UsersDb): AddressBook {
  return {
    async add(userId, input) {
      const address: AddressModel = { id: randomUUID(), userId, ...input, createdAt: new Date() };
      await db.insert(addresses).values(address);
      return address;
    },

    async byUserIds(userIds) {
      const result = new Map<string, AddressModel[]>(userIds.map((id) => [id, []]));
      if (userIds.length === 0) return result;
      const rows = await db
        .select()
        .from(addresses)
        .where(inArray(addresses.userId, [...userIds]))
        .orderBy(asc(addresses.createdAt), asc(addresses.id));
      for (const row of rows) result.get(row.userId)?.push(row);
      return result;
    },
  };
}
