import { z } from 'zod';
import { and, count, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { badUserInput, decodeCursor, encodeCursor, pageSize, type Connection } from '@shop/platform';
import { notifications, type NotificationsDb } from './db/index.js';
import type { NotificationModel } from './mappers.js';

/**
 * A user's inbox: pages newest first by (createdAt, id) keyset, and marking read. Pages of many
 * users are loaded together (one page query and one count query per batch), so reading the
 * notifications of a list of users is never one query per user.
 */

/** Position after the last notification of a page: its createdAt (epoch ms) and id. */
export interface InboxCursor {
  t: number;
  id: string;
}

function isInboxCursor(value: unknown): value is InboxCursor {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const c = value as Record<string, unknown>;
  return (
    Object.keys(c).length === 2 &&
    typeof c.t === 'number' &&
    Number.isSafeInteger(c.t) &&
    typeof c.id === 'string' &&
    c.id.length > 0 &&
    c.id.length <= 36
  );
}

export function cursorOf(n: Pick<NotificationModel, 'createdAt' | 'id'>): string {
  return encodeCursor({ t: n.createdAt.getTime(), id: n.id } satisfies InboxCursor);
}

export interface PageQuery {
  limit: number;
  after: InboxCursor | null;
  unreadOnly: boolean;
}

export interface InboxPageKey extends PageQuery {
  userId: string;
}

const pageArgs = z.object({
  first: z.number().int().nullish(),
  after: z.string().max(500, 'Invalid cursor').nullish(),
  unreadOnly: z.boolean().nullish(),
});

/** Validates `notifications` arguments; anything wrong is a BAD_USER_INPUT GraphQL error. */
export function parsePageArgs(args: unknown): PageQuery {
  const parsed = pageArgs.safeParse(args ?? {});
  if (!parsed.success) throw badUserInput(`Invalid arguments: ${parsed.error.issues[0]?.message ?? 'bad value'}`);
  const { first, after, unreadOnly } = parsed.data;
  return {
    limit: pageSize(first),
    after: after == null ? null : decodeCursor(after, isInboxCursor),
    unreadOnly: unreadOnly ?? false,
  };
}

/** At most this many ids per markNotificationsRead call. */
export const MAX_MARK_READ = 100;

export const markReadInput = z.object({
  ids: z.array(z.string()).max(MAX_MARK_READ, `At most ${MAX_MARK_READ} ids at a time`),
});

const columns = {
  id: notifications.id,
  userId: notifications.userId,
  type: notifications.type,
  title: notifications.title,
  body: notifications.body,
  orderId: notifications.orderId,
  createdAt: notifications.createdAt,
  readAt: notifications.readAt,
};

/** Keys asking for the same page (same size, cursor and filter) are answered by one query. */
function groupOf(key: InboxPageKey): string {
  return JSON.stringify([key.limit, key.after?.t ?? null, key.after?.id ?? null, key.unreadOnly]);
}

export interface Inbox {
  /** One connection per key, in order; keys with the same page arguments share one query. */
  pages(keys: readonly InboxPageKey[]): Promise<Array<Connection<NotificationModel>>>;
  /** Marks the user's own unread notifications among `ids` read; returns how many changed. */
  markRead(userId: string, ids: readonly string[]): Promise<number>;
}

export function createInbox(db: NotificationsDb): Inbox {
  async function pageRows(userIds: string[], q: PageQuery): Promise<Map<string, NotificationModel[]>> {
    const conditions = [inArray(notifications.userId, userIds)];
    if (q.unreadOnly) conditions.push(isNull(notifications.readAt));
    if (q.after) {
      const t = new Date(q.after.t);
      conditions.push(or(lt(notifications.createdAt, t), and(eq(notifications.createdAt, t), lt(notifications.id, q.after.id)))!);
    }
    const ranked = db
      .select({
        ...columns,
        rank: sql<number>`row_number() over (partition by ${notifications.userId} order by ${notifications.createdAt} desc, ${notifications.id} desc)`.as(
          'rank_in_inbox',
        ),
      })
      .from(notifications)
      .where(and(...conditions))
      .as('ranked');
    // One row beyond the page tells whether another page follows.
    const rows = await db.select().from(ranked).where(lte(ranked.rank, q.limit + 1)).orderBy(ranked.userId, ranked.rank);
    const byUser = new Map<string, NotificationModel[]>();
    for (const { rank: _rank, ...n } of rows) {
      const list = byUser.get(n.userId) ?? [];
      list.push(n);
      byUser.set(n.userId, list);
    }
    return byUser;
  }

  async function totals(userIds: string[], unreadOnly: boolean): Promise<Map<string, number>> {
    const rows = await db
      .select({ userId: notifications.userId, total: count() })
      .from(notifications)
      .where(and(inArray(notifications.userId, userIds), unreadOnly ? isNull(notifications.readAt) : undefined))
      .groupBy(notifications.userId);
    return new Map(rows.map((r) => [r.userId, Number(r.total)]));
  }

  return {
    async pages(keys) {
      const groups = new Map<string, { query: PageQuery; userIds: Set<string> }>();
      for (const key of keys) {
        const id = groupOf(key);
        const group = groups.get(id) ?? { query: { limit: key.limit, after: key.after, unreadOnly: key.unreadOnly }, userIds: new Set() };
        group.userIds.add(key.userId);
        groups.set(id, group);
      }
      const countUsers = { all: new Set<string>(), unread: new Set<string>() };
      for (const key of keys) countUsers[key.unreadOnly ? 'unread' : 'all'].add(key.userId);

      const [pageResults, allTotals, unreadTotals] = await Promise.all([
        Promise.all([...groups].map(async ([id, g]) => [id, await pageRows([...g.userIds], g.query)] as const)),
        countUsers.all.size ? totals([...countUsers.all], false) : new Map<string, number>(),
        countUsers.unread.size ? totals([...countUsers.unread], true) : new Map<string, number>(),
      ]);
      const pagesByGroup = new Map(pageResults);

      return keys.map((key) => {
        const rows = pagesByGroup.get(groupOf(key))?.get(key.userId) ?? [];
        const nodes = rows.slice(0, key.limit);
        const last = nodes.at(-1);
        return {
          nodes,
          pageInfo: {
            hasNextPage: rows.length > key.limit,
            endCursor: last ? cursorOf(last) : key.after ? encodeCursor(key.after) : null,
          },
          totalCount: (key.unreadOnly ? unreadTotals : allTotals).get(key.userId) ?? 0,
        };
      });
    },

    async markRead(userId, ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return 0;
      const [result] = (await db
        .update(notifications)
        .set({ readAt: new Date() })
        .where(and(eq(notifications.userId, userId), inArray(notifications.id, unique), isNull(notifications.readAt)))) as unknown as [
        { affectedRows: number },
      ];
      return result.affectedRows;
    },
  };
}
