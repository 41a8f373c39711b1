/**
 * The shop workload's requests: the four storefront pages through the router and the baseline
 * (the listing's products part, straight to the products subgraph), and what a successful
 * response of each must look like. Used by the load worker on EVERY response and by the
 * orchestrator's pre-flight check.
 */

export type PageId = 'baseline' | 'listing' | 'product' | 'orders' | 'search';

export const QUERIES: Record<PageId, string> = {
  // Exactly the products fetch of the router's plan for LISTING (its first fetch, before the entity fetches).
  baseline: `query Listing__products__0 { products(first: 20) { nodes { __typename id name price { amount currency } } } }`,
  listing: `query Listing {
  products(first: 20) {
    nodes { id name price { amount currency } inventory { available inStock } rating { average count } isFavourite }
  }
}`,
  product: `query ProductPage($id: ID!) {
  product(id: $id) {
    id name description price { amount currency } rating { average count }
    reviews(first: 10) { nodes { rating title body createdAt author { id name } verifiedPurchase } totalCount }
  }
}`,
  orders: `query OrderHistory {
  me {
    orders(first: 10) {
      nodes { id status placedAt total { amount currency } items { product { id name } quantity } payment { status amount { amount } } shipment { status trackingNumber } }
    }
  }
}`,
  search: `query SearchPage($query: String!) {
  search(query: $query, first: 20) { nodes { id name price { amount currency } } totalCount facets { categories { value count } } }
}`,
};

export const PAGE_TITLES: Record<PageId, string> = {
  baseline: 'baseline: products(first: 20) straight to the products subgraph (signed in)',
  listing: '(1) listing: 20 products + inventory, rating, isFavourite (signed in)',
  product: '(2) product page: 10 reviews + their authors',
  orders: '(3) order history: 10 orders + items → product, payment, shipment (signed in)',
  search: '(4) search page: 20 hits + facets',
};

export type Verdict = { ok: true } | { ok: false; reason: string };

/* eslint-disable @typescript-eslint/no-explicit-any -- response JSON is checked field by field */
const isStr = (v: any) => typeof v === 'string';
const isNum = (v: any) => typeof v === 'number';
const isBool = (v: any) => typeof v === 'boolean';

function everyNode(nodes: any, expected: number | 'some', check: (n: any) => string | null): string | null {
  if (!Array.isArray(nodes)) return 'nodes: not a list';
  if (expected === 'some' ? nodes.length === 0 : nodes.length !== expected) return `nodes: ${nodes.length} items, expected ${expected === 'some' ? '≥ 1' : expected}`;
  for (let i = 0; i < nodes.length; i++) {
    const why = check(nodes[i]);
    if (why) return `nodes[${i}]: ${why}`;
  }
  return null;
}

const CHECKS: Record<PageId, (data: any) => string | null> = {
  baseline: (d) => everyNode(d?.products?.nodes, 20, (n) => (isStr(n?.id) && isStr(n.name) && isNum(n.price?.amount) ? null : 'id, name or price missing')),
  listing: (d) =>
    everyNode(d?.products?.nodes, 20, (n) => {
      if (!isStr(n?.id) || !isStr(n.name) || !isNum(n.price?.amount)) return 'id, name or price missing';
      if (!isNum(n.inventory?.available) || !isBool(n.inventory.inStock)) return 'inventory missing';
      if (!isNum(n.rating?.count) || !(n.rating.average === null || isNum(n.rating.average))) return 'rating missing';
      return isBool(n.isFavourite) ? null : 'isFavourite missing';
    }),
  product: (d) => {
    const p = d?.product;
    if (!p || !isStr(p.name) || !isNum(p.rating?.count)) return 'product missing';
    return everyNode(p.reviews?.nodes, 10, (r) => (isNum(r?.rating) && isStr(r.author?.name) && isBool(r.verifiedPurchase) ? null : 'review or author missing'));
  },
  orders: (d) =>
    everyNode(d?.me?.orders?.nodes, 10, (o) => {
      if (!isStr(o?.id) || !isStr(o.status) || !isNum(o.total?.amount)) return 'order missing';
      if (!Array.isArray(o.items) || o.items.length === 0 || o.items.some((i: any) => !isStr(i?.product?.name) || !isNum(i.quantity))) return 'items → product missing';
      if (!isStr(o.payment?.status)) return 'payment missing';
      return isStr(o.shipment?.status) ? null : 'shipment missing';
    }),
  search: (d) => {
    const s = d?.search;
    if (!s || !isNum(s.totalCount) || !Array.isArray(s.facets?.categories) || s.facets.categories.length === 0) return 'totalCount or facets missing';
    return everyNode(s.nodes, 'some', (n) => (isStr(n?.id) && isStr(n.name) && isNum(n.price?.amount) ? null : 'hit without name or price'));
  },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A success needs HTTP 200, a JSON body without `errors`, and the page's full shape (item counts included). */
export function checkPage(page: PageId, status: number, body: string): Verdict {
  if (status !== 200) return { ok: false, reason: `HTTP ${status}` };
  let json: { data?: unknown; errors?: unknown };
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (json.errors !== undefined) return { ok: false, reason: 'graphql errors' };
  const why = CHECKS[page](json.data);
  return why ? { ok: false, reason: `shape: ${why}` } : { ok: true };
}

/** One request of a page: its JSON body and, when signed in, the customer's token. */
export interface PageRequest {
  body: string;
  token?: string;
}
