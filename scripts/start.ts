/**
 * `npm start`: the whole shop on this machine.
 * Starts the local infra (reusing what already runs), every subgraph that exists, then the router;
 * seeds demo data when the stores are empty; prints which service is where and whether it is ready.
 * Ctrl-C stops the Node services gracefully (the infra keeps running: `npm run infra:down`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, createWriteStream } from 'node:fs';
import { ensureInfra } from '@shop/infra';
import { SUBGRAPHS } from '../schema/src/subgraphs.js';

const ROUTER_PORT = Number(process.env.ROUTER_PORT ?? 4000);
const LOG_DIR = '.data/logs';
mkdirSync(LOG_DIR, { recursive: true });

const started = Date.now();
const children: Array<{ name: string; child: ChildProcess }> = [];
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function run(name: string, entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(`${LOG_DIR}/${name}.log`, { flags: 'a' });
  const show = (chunk: Buffer) => {
    file.write(chunk);
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as { level?: number; msg?: string; url?: string; err?: { message?: string } };
        const level = LEVELS[rec.level ?? 30] ?? 'info';
        console.log(`[${name}] ${level.padEnd(5)} ${rec.msg ?? ''}${rec.url ? ` ${rec.url}` : ''}${rec.err?.message ? ` (${rec.err.message})` : ''}`);
      } catch {
        console.log(`[${name}] ${line}`);
      }
    }
  };
  child.stdout?.on('data', show);
  child.stderr?.on('data', show);
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`[${name}] exited (${code ?? signal}); see ${LOG_DIR}/${name}.log`);
  });
  children.push({ name, child });
  return child;
}

async function waitReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

let stopping = false;
async function stopAll(code: number): Promise<never> {
  stopping = true;
  console.log('\nstopping services…');
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

console.log('starting local infra…');
const infra = await ensureInfra({ log: (line) => console.log(`[infra] ${line}`) });

const present = SUBGRAPHS.filter((s) => existsSync(`subgraphs/${s.name}/src/index.ts`));
for (const s of present) {
  run(s.name, `subgraphs/${s.name}/src/index.ts`, { PORT: String(s.port), SEED_DEMO_PRODUCTS: 'true' });
}
const subgraphReady = await Promise.all(present.map((s) => waitReady(`http://127.0.0.1:${s.port}/ready`, 90_000)));

run('router', 'router/src/index.ts', { PORT: String(ROUTER_PORT) });
const routerReady = await waitReady(`http://127.0.0.1:${ROUTER_PORT}/ready`, 60_000);

const rows: Array<[string, string, string]> = [
  ...infra.map((s): [string, string, string] => [s.service, s.address, s.state === 'up' ? 'ready' : s.state]),
  ...present.map((s, i): [string, string, string] => [s.name, `http://127.0.0.1:${s.port}/graphql`, subgraphReady[i] ? 'ready' : 'NOT READY']),
  ['router', `http://127.0.0.1:${ROUTER_PORT}/graphql`, routerReady ? 'ready' : 'NOT READY'],
];
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`\n${'service'.padEnd(w0)}  ${'address'.padEnd(w1)}  state`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
const allReady = routerReady && subgraphReady.every(Boolean);
console.log(
  allReady
    ? `\nThe shop is up in ${((Date.now() - started) / 1000).toFixed(1)} s. Open http://127.0.0.1:${ROUTER_PORT}/graphql for Apollo Sandbox.\n` +
        'Admin: admin@shop.local / admin-password (BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD). Logs: .data/logs/. Ctrl-C stops.'
    : `\nSome services are not ready: see ${LOG_DIR}/<service>.log`,
);
if (process.env.START_EXIT_WHEN_READY === '1') await stopAll(allReady ? 0 : 1);
