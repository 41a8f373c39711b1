import { Redis, type Result } from 'ioredis';
import {
  abortReindexScript,
  applyScript,
  beginReindexScript,
  reindexPutScript,
  renewReindexScript,
  searchScript,
  switchVersionScript,
} from './scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    searchApply(prefix: string, markKey: string, ttlSeconds: number, ops: string): Result<'applied' | 'ignored' | 'duplicate', Context>;
    searchReindexPut(prefix: string, version: string, ops: string): Result<number, Context>;
    searchBeginReindex(prefix: string, leaseMs: number): Result<[string, string], Context>;
    searchRenewReindex(prefix: string, version: string, leaseMs: number): Result<number, Context>;
    searchSwitchVersion(prefix: string, version: string): Result<string, Context>;
    searchAbortReindex(prefix: string, version: string): Result<number, Context>;
    searchQuery(
      prefix: string,
      request: string,
      cursorVersion: string,
      cursorLastId: string,
      cursorOffset: number,
      first: number,
    ): Result<SearchScriptReply, Context>;
  }
}

/** { version, total, start, ids, [category, count, ...] } or ['STALE', version]. */
export type SearchScriptReply = [string, number, number, string[], Array<string | number>] | ['STALE', string];

/** A Redis connection with the index scripts loaded as commands (EVALSHA, falling back to EVAL). */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    // Fail a command after a few reconnect attempts instead of queueing it for ever.
    maxRetriesPerRequest: 3,
    lazyConnect: false,
  });
  const commands: Record<string, string> = {
    searchApply: applyScript,
    searchReindexPut: reindexPutScript,
    searchBeginReindex: beginReindexScript,
    searchRenewReindex: renewReindexScript,
    searchSwitchVersion: switchVersionScript,
    searchAbortReindex: abortReindexScript,
    searchQuery: searchScript,
  };
  for (const [name, lua] of Object.entries(commands)) redis.defineCommand(name, { numberOfKeys: 0, lua });
  return redis;
}

/** Deletes every key matching `pattern` (SCAN + UNLINK in batches); returns how many. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
