import type { Redis } from 'ioredis';
import { deleteKeys, type SearchScriptReply } from './redis.js';
import { categoryKey, termWeights, type QueryWord } from './text.js';

/** What the index needs of a product (a `product.upserted` snapshot, or a page of the products query). */
export interface IndexableProduct {
  id: string;
  name: string;
  description: string;
  category: string;
  price: { amount: number; currency: string };
}

/** A product as the scripts store it (see scripts.ts): category key and display, price, terms and weights. */
export interface DocRecord {
  k: string;
  c: string;
  p: number;
  t: string[];
  w: number[];
}

export type IndexOp =
  | { op: 'upsert'; id: string; rev: number; doc: DocRecord }
  | { op: 'remove'; id: string; rev: number }
  | { op: 'stock'; id: string; inStock: boolean };

export type ReindexOp = { op: 'put'; id: string; doc: DocRecord } | { op: 'stock'; id: string; inStock: boolean };

export type ApplyOutcome = 'applied' | 'ignored' | 'duplicate';

export function docRecord(product: IndexableProduct): DocRecord {
  const weights = termWeights(product);
  return {
    k: categoryKey(product.category),
    c: product.category.trim(),
    p: product.price.amount,
    t: [...weights.keys()],
    w: [...weights.values()],
  };
}

/** Collects the index changes of one event; the idempotency store applies them atomically with the event's marker. */
export class IndexBatch {
  readonly ops: IndexOp[] = [];

  upsert(product: IndexableProduct, revision: number): void {
    this.ops.push({ op: 'upsert', id: product.id, rev: revision, doc: docRecord(product) });
  }

  remove(id: string, revision: number): void {
    this.ops.push({ op: 'remove', id, rev: revision });
  }

  setStock(id: string, inStock: boolean): void {
    this.ops.push({ op: 'stock', id, inStock });
  }
}

export interface IndexQuery {
  words: QueryWord[];
  category: string | null;
  minPrice: number | null;
  maxPrice: number | null;
  inStock: boolean | null;
  first: number;
  /** Where the previous page ended: its version, offset and last id. */
  after: { version: string; offset: number; lastId: string } | null;
}

export interface IndexPage {
  version: string;
  total: number;
  /** Offset of the first id of this page in the whole ranked result. */
  start: number;
  ids: string[];
  facets: Array<{ value: string; count: number }>;
}

/** Prefix expansion of the word being typed stops after this many terms (lexicographically first). */
export const PREFIX_EXPANSION_CAP = 100;

/**
 * The product search index in Redis: versioned (`<prefix>:v<N>:*`, pointer `<prefix>:current`),
 * written by events and by the reindex, read by queries. All logic that must be atomic lives in
 * the Lua scripts (scripts.ts); this class names keys and shapes arguments and replies.
 */
export class SearchIndex {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  /** Names version 1 current on a fresh Redis (the scripts default to it anyway). */
  async init(): Promise<void> {
    await this.redis.set(`${this.prefix}:current`, '1', 'NX');
  }

  processedKey(consumer: string, eventId: string): string {
    return `${this.prefix}:processed:${consumer}:${eventId}`;
  }

  /** Applies changes to every live version (current, and building during a reindex), once per marker. */
  async apply(ops: IndexOp[], marker?: { key: string; ttlSeconds: number }): Promise<ApplyOutcome> {
    return this.redis.searchApply(this.prefix, marker?.key ?? '', marker?.ttlSeconds ?? 0, JSON.stringify(ops));
  }

  async query(q: IndexQuery): Promise<IndexPage | { stale: true; version: string }> {
    const request = {
      w: q.words.map((w) => ({ t: w.terms, p: w.prefixes })),
      cap: PREFIX_EXPANSION_CAP,
      c: q.category === null ? null : categoryKey(q.category),
      min: q.minPrice,
      max: q.maxPrice,
      s: q.inStock,
    };
    const reply = await this.redis.searchQuery(
      this.prefix,
      JSON.stringify(request),
      q.after?.version ?? '',
      q.after?.lastId ?? '',
      q.after?.offset ?? 0,
      q.first,
    );
    if (reply[0] === 'STALE') return { stale: true, version: String(reply[1]) };
    const [version, total, start, ids, flat] = reply as Exclude<SearchScriptReply, ['STALE', string]>;
    const facets: IndexPage['facets'] = [];
    for (let i = 0; i < flat.length; i += 2) facets.push({ value: String(flat[i]), count: Number(flat[i + 1]) });
    facets.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return { version: String(version), total: Number(total), start: Number(start), ids, facets };
  }

  async currentVersion(): Promise<string> {
    return (await this.redis.get(`${this.prefix}:current`)) ?? '1';
  }

  async buildingVersion(): Promise<string | null> {
    return this.redis.get(`${this.prefix}:building`);
  }

  /** Every product id indexed in a version (the current one by default), in id order. */
  async ids(version?: string): Promise<string[]> {
    return this.redis.zrange(this.versionKey(version ?? (await this.currentVersion()), 'all'), 0, -1);
  }

  async isInStock(id: string, version?: string): Promise<boolean> {
    return (await this.redis.sismember(this.versionKey(version ?? (await this.currentVersion()), 'instock'), id)) === 1;
  }

  versionKey(version: string, name: string): string {
    return `${this.prefix}:v${version}:${name}`;
  }

  // ---- reindex (see reindexer.ts)

  async beginReindex(leaseMs: number): Promise<{ current: string; building: string }> {
    const [current, building] = await this.redis.searchBeginReindex(this.prefix, leaseMs);
    return { current, building };
  }

  async renewReindex(version: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.searchRenewReindex(this.prefix, version, leaseMs)) === 1;
  }

  async putForReindex(version: string, ops: ReindexOp[]): Promise<number> {
    if (ops.length === 0) return 0;
    return this.redis.searchReindexPut(this.prefix, version, JSON.stringify(ops));
  }

  /** Makes `version` current; returns the version it replaced. */
  async switchTo(version: string): Promise<string> {
    return this.redis.searchSwitchVersion(this.prefix, version);
  }

  async abortReindex(version: string): Promise<void> {
    await this.redis.searchAbortReindex(this.prefix, version);
    await this.deleteVersion(version);
  }

  async deleteVersion(version: string): Promise<number> {
    return deleteKeys(this.redis, `${this.prefix}:v${version}:*`);
  }

  /** Deletes the keys of every version but the given ones (left behind by a crashed reindex). */
  async deleteVersionsExcept(keep: string[]): Promise<string[]> {
    const found = new Set<string>();
    let cursor = '0';
    const pattern = new RegExp(`^${this.prefix.replace(/[.]/g, '\\.')}:v(\\d+):`);
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:v*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const version = pattern.exec(key)?.[1];
        if (version && !keep.includes(version)) found.add(version);
      }
    } while (cursor !== '0');
    for (const version of found) await this.deleteVersion(version);
    return [...found];
  }

  /** Deletes every key of this index (tests and the benchmark clean up with it). */
  async destroy(): Promise<void> {
    await deleteKeys(this.redis, `${this.prefix}:*`);
  }
}
