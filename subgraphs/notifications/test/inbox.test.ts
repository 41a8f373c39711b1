import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { errorCode, gql } from '@shop/testing';
import {
  inbox,
  INBOX,
  MARK_READ,
  orderEvents,
  ownInbox,
  person,
  startNotifications,
  type NotificationsHarness,
  type NotificationView,
  type Person,
} from './harness.js';

const statements: string[] = [];
let h: NotificationsHarness;
let ann: Person;
let ben: Person;
let admin: Person;
/** Ann's five orders, oldest first; each produced one ORDER_PLACED notification. */
let annOrders: string[];
let benOrder: string;

beforeAll(async () => {
  h = await startNotifications({}, { onSql: (sql) => statements.push(sql) });
  [ann, ben, admin] = await Promise.all([person(h.auth), person(h.auth), person(h.auth, 'ADMIN')]);
  const annEvents = Array.from({ length: 5 }, () => orderEvents(ann.id).placed());
  const benEvent = orderEvents(ben.id).placed();
  annOrders = annEvents.map((e) => e.payload.orderId);
  benOrder = benEvent.payload.orderId;
  await h.publish(...annEvents, benEvent);
  await h.settledAll([...annEvents, benEvent].map((e) => e.id));
});
afterAll(async () => {
  await h?.close();
});

const markRead = (ids: string[], token?: string) => gql(h.url, MARK_READ, { ids }, { token });
const orderIds = (nodes: NotificationView[]) => nodes.map((n) => n.orderId);

describe('reading notifications', () => {
  it('shows a user their own notifications, newest first', async () => {
    const page = await ownInbox(h.url, ann);
    expect(orderIds(page.nodes)).toEqual([...annOrders].reverse());
    expect(page.totalCount).toBe(5);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.nodes[0]).toMatchObject({ type: 'ORDER_PLACED', title: 'Order received', read: false });
    expect(page.nodes[0]!.body).toContain('$49.98');
  });

  it('pages through them with cursors, without overlap or gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pages: boolean[] = [];
    for (;;) {
      const page = await ownInbox(h.url, ann, { first: 2, after });
      expect(page.totalCount).toBe(5);
      seen.push(...orderIds(page.nodes).map(String));
      pages.push(page.pageInfo.hasNextPage);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...annOrders].reverse());
    expect(pages).toEqual([true, true, false]);
  });

  it('returns an empty page that keeps its cursor after the last notification', async () => {
    const all = await ownInbox(h.url, ann, { first: 5 });
    const rest = await ownInbox(h.url, ann, { after: all.pageInfo.endCursor });
    expect(rest.nodes).toEqual([]);
    expect(rest.pageInfo).toEqual({ hasNextPage: false, endCursor: all.pageInfo.endCursor });
  });

  it('refuses a malformed cursor and a page larger than 100 (BAD_USER_INPUT)', async () => {
    expect(errorCode(await inbox(h.url, ann.id, ann.token, { after: 'not-a-cursor' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await inbox(h.url, ann.id, ann.token, { first: 101 }))).toBe('BAD_USER_INPUT');
  });

  it("refuses another customer's notifications (FORBIDDEN)", async () => {
    const res = await inbox(h.url, ann.id, ben.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(JSON.stringify(res.data ?? null)).not.toContain(annOrders[0]);
  });

  it('asks an anonymous caller to sign in (UNAUTHENTICATED)', async () => {
    expect(errorCode(await inbox(h.url, ann.id, undefined))).toBe('UNAUTHENTICATED');
  });

  it("lets an admin read any user's notifications", async () => {
    const res = await inbox(h.url, ben.id, admin.token);
    expect(res.errors).toBeUndefined();
    expect(orderIds(res.data!._entities[0]!.notifications.nodes)).toEqual([benOrder]);
  });

  it('gives a user without notifications an empty inbox', async () => {
    const nobody = await person(h.auth);
    expect(await ownInbox(h.url, nobody)).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
  });

  it('loads the inboxes of many users with one page query and one count query', async () => {
    const users = [ann.id, ben.id, randomUUID()];
    statements.length = 0;
    const res = await gql(h.url, INBOX, { r: users.map((id) => ({ __typename: 'User', id })), first: 3 }, { token: admin.token });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((u: { notifications: { totalCount: number } }) => u.notifications.totalCount)).toEqual([5, 1, 0]);
    expect(res.data._entities[0].notifications.nodes).toHaveLength(3);
    expect(statements.filter((s) => /row_number\(\) over/i.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /^select .*count\(\*\)/i.test(s))).toHaveLength(1);
  });
});

describe('markNotificationsRead', () => {
  it('marks only the caller’s own unread notifications and counts only those that changed', async () => {
    const mine = (await ownInbox(h.url, ann)).nodes.map((n) => n.id);
    const bens = (await ownInbox(h.url, ben)).nodes.map((n) => n.id);
    const first = await markRead([mine[0]!, mine[1]!, mine[0]!, bens[0]!, 'no-such-id'], ann.token);
    expect(first.data.markNotificationsRead).toEqual({ updated: 2, userErrors: [] });

    const again = await markRead([mine[0]!, mine[1]!], ann.token);
    expect(again.data.markNotificationsRead).toEqual({ updated: 0, userErrors: [] });

    expect((await ownInbox(h.url, ben)).nodes[0]!.read).toBe(false);
    const page = await ownInbox(h.url, ann);
    expect(page.nodes.filter((n) => n.read).map((n) => n.id).sort()).toEqual([mine[0], mine[1]].sort());
  });

  it('lists only unread notifications with unreadOnly, and counts those', async () => {
    const unread = await ownInbox(h.url, ann, { unreadOnly: true });
    expect(unread.totalCount).toBe(3);
    expect(unread.nodes.every((n) => !n.read)).toBe(true);
    expect(orderIds(unread.nodes)).toEqual(annOrders.slice(0, 3).reverse());

    const firstUnread = await ownInbox(h.url, ann, { unreadOnly: true, first: 2 });
    const nextUnread = await ownInbox(h.url, ann, { unreadOnly: true, first: 2, after: firstUnread.pageInfo.endCursor });
    expect([...orderIds(firstUnread.nodes), ...orderIds(nextUnread.nodes)]).toEqual(orderIds(unread.nodes));
    expect(nextUnread.pageInfo.hasNextPage).toBe(false);
  });

  it("does not let anyone mark another user's notifications, not even an admin", async () => {
    const bens = (await ownInbox(h.url, ben)).nodes.map((n) => n.id);
    for (const who of [ann, admin]) {
      const res = await markRead(bens, who.token);
      expect(res.data.markNotificationsRead).toEqual({ updated: 0, userErrors: [] });
    }
    expect((await ownInbox(h.url, ben)).nodes.every((n) => !n.read)).toBe(true);
  });

  it('refuses more than 100 ids with INVALID_INPUT and changes nothing', async () => {
    const mine = (await ownInbox(h.url, ann, { unreadOnly: true })).nodes.map((n) => n.id);
    const ids = [...mine, ...Array.from({ length: 101 - mine.length }, () => randomUUID())];
    const res = await markRead(ids, ann.token);
    expect(res.data.markNotificationsRead.updated).toBe(0);
    expect(res.data.markNotificationsRead.userErrors).toEqual([{ field: ['ids'], code: 'INVALID_INPUT', message: 'At most 100 ids at a time' }]);
    expect((await ownInbox(h.url, ann, { unreadOnly: true })).totalCount).toBe(3);
  });

  it('accepts exactly 100 ids', async () => {
    const res = await markRead(Array.from({ length: 100 }, () => randomUUID()), ann.token);
    expect(res.data.markNotificationsRead).toEqual({ updated: 0, userErrors: [] });
  });

  it('asks an anonymous caller to sign in (UNAUTHENTICATED)', async () => {
    expect(errorCode(await markRead([randomUUID()]))).toBe('UNAUTHENTICATED');
  });
});

describe('health', () => {
  it('is ready when MySQL answers', async () => {
    const origin = new URL(h.url).origin;
    const res = await fetch(`${origin}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ service: 'notifications', ready: true, checks: { mysql: 'ok' } });
  });
});
