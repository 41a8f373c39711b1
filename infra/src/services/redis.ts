import { createConnection } from 'node:net';
import { join } from 'node:path';
import { APT_PACKAGES, endpoints, paths } from '../config.js';
import { MissingPackageError, type LaunchSpec, type ServiceDef } from '../service.js';
import { ensureDir, FatalError, which } from '../util.js';

function resp(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

/** PING over a raw socket (AUTH first when REDIS_URL has a password); resolves true on +PONG. */
export function redisReady(): Promise<boolean> {
  const url = new URL(endpoints().redisUrl);
  const { host, port } = endpoints().redis;
  const password = decodeURIComponent(url.password);
  const user = decodeURIComponent(url.username);
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection({ host, port });
    let buf = '';
    const finish = (err: Error | undefined, ok = false): void => {
      socket.destroy();
      if (err) reject(err);
      else resolvePromise(ok);
    };
    socket.setTimeout(2_000, () => finish(new Error('redis: no answer to PING within 2s')));
    socket.once('error', (err) => finish(err));
    socket.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      if (buf.includes('+PONG')) return finish(undefined, true);
      const errLine = /-(\S+)([^\r\n]*)\r\n/.exec(buf);
      if (errLine) {
        const text = `${errLine[1]}${errLine[2]}`;
        if (/^(NOAUTH|WRONGPASS|ERR AUTH|ERR invalid password)/i.test(text)) {
          return finish(new FatalError(`redis at ${host}:${port} rejects the credentials in REDIS_URL: ${text}`, true));
        }
        if (/^LOADING/.test(text)) return finish(undefined, false); // still loading its dataset
        return finish(new Error(`redis: ${text}`));
      }
    });
    socket.once('connect', () => {
      const auth = password ? (user ? resp('AUTH', user, password) : resp('AUTH', password)) : '';
      socket.write(`${auth}${resp('PING')}`);
    });
  });
}

async function prepare(): Promise<LaunchSpec> {
  const bin = which('redis-server');
  if (!bin) {
    throw new MissingPackageError(
      `Redis is not running on ${endpoints().redis.host}:${endpoints().redis.port} and redis-server is not installed.`,
      [APT_PACKAGES['redis-server'] ?? 'redis-server'],
    );
  }
  const { host, port } = endpoints().redis;
  const dir = ensureDir(join(paths().dataDir, 'redis'));
  const bind = host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1', '-::1'] : [host];
  return {
    command: bin,
    // Cache only: no persistence. Logs to stdout, which infra sends to .data/logs/redis.log.
    args: ['--bind', ...bind, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
  };
}

export const redisService: ServiceDef = {
  name: 'redis',
  address: () => endpoints().redis,
  marker: 'redis-server', // redis rewrites its process title to "redis-server host:port"; this part stays
  timeoutMs: Number(process.env.SHOP_REDIS_START_TIMEOUT_MS) || 20_000,
  stopGraceMs: 10_000,
  prepare: async () => prepare(),
  ready: redisReady,
};
