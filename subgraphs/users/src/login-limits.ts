import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import type { Logger } from '@shop/platform';

export interface LoginLimitSettings {
  /** Attempts per (normalised) email per window; 0 = unlimited. */
  perEmail: number;
  /** Attempts per client IP per window; 0 = unlimited. */
  perIp: number;
  windowSeconds: number;
  /** Redis key prefix; counters are shared by every instance on the same users database. */
  keyPrefix: string;
}

export interface LoginLimits {
  /** Counts a login attempt; throws RATE_LIMITED when the email or the IP is over its limit. */
  attempt(email: string, ip: string): Promise<void>;
  /** A successful login clears the email's counter (the IP's keeps counting). */
  succeeded(email: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What one client is, for the per-IP limit: an IPv4 address, or the /64 of an IPv6 one (a single
 * subscriber usually holds a whole /64 and could otherwise rotate through it).
 */
export function clientNetwork(ip: string): string {
  if (!ip.includes(':')) return ip;
  const address = ip.split('%')[0]!.toLowerCase();
  const [head = '', tail] = address.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

export function rateLimited(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Too many sign-in attempts; try again in ${retryAfterSeconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfterSeconds, http: { status: 200 } },
  });
}

/**
 * Fixed-window login limits in Redis: one INCR per counter and attempt, EXPIRE NX starting the window
 * at the first attempt. Every attempt counts, refused ones included, and the check comes before
 * argon2, so a flood costs one Redis round trip per request. Redis unreachable: logins go on
 * unthrottled (logged), rather than nobody being able to sign in.
 */
export async function createLoginLimits(redisUrl: string, settings: LoginLimitSettings, log: Logger): Promise<LoginLimits> {
  // Fail fast when Redis is away instead of queueing commands (and logins) behind reconnects.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1_000, lazyConnect: true, enableOfflineQueue: false });
  redis.on('error', () => undefined); // reported per attempt below; ioredis reconnects by itself
  await redis.connect().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'login limits: Redis unreachable at start-up'));
  // Emails are hashed: the key space says nothing about who tries to sign in.
  const emailKey = (email: string) => `${settings.keyPrefix}:email:${createHash('sha256').update(email).digest('hex')}`;
  const ipKey = (ip: string) => `${settings.keyPrefix}:ip:${clientNetwork(ip)}`;

  return {
    async attempt(email, ip) {
      const limits: Array<[string, number]> = [];
      if (settings.perEmail > 0) limits.push([emailKey(email), settings.perEmail]);
      if (settings.perIp > 0 && ip) limits.push([ipKey(ip), settings.perIp]);
      if (limits.length === 0) return;
      let replies: Array<[Error | null, unknown]> | null;
      try {
        const tx = redis.multi();
        for (const [key] of limits) tx.incr(key).expire(key, settings.windowSeconds, 'NX').ttl(key);
        replies = await tx.exec();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'login limits unavailable: attempt not counted');
        return;
      }
      let retryAfter = 0;
      limits.forEach(([, max], i) => {
        const count = Number(replies?.[i * 3]?.[1]);
        const ttl = Number(replies?.[i * 3 + 2]?.[1]);
        if (count > max) retryAfter = Math.max(retryAfter, ttl > 0 ? ttl : settings.windowSeconds);
      });
      if (retryAfter > 0) throw rateLimited(retryAfter);
    },
    async succeeded(email) {
      if (settings.perEmail === 0) return;
      await redis.del(emailKey(email)).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'could not reset login counter'));
    },
    async close() {
      redis.disconnect();
    },
  };
}
