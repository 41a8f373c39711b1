#!/usr/bin/env -S npx tsx
import { ALL_SERVICES, type ServiceName } from './config.js';
import { dataDir, ensureInfra, infraStatus, stopInfra, type Status } from './index.js';
import { errMsg } from './util.js';

const USAGE = `usage: tsx infra/src/cli.ts <up|down|status> [service ...]
  services: ${ALL_SERVICES.join(', ')} (default: all)
  up      start what is not already listening, wait until everything is ready
  down    stop what infra started (Kafka, Mongo; MariaDB/Redis only if infra started them)
  status  show each service's address, state and who started it`;

const log = (line: string): void => {
  process.stderr.write(`[infra] ${line}\n`);
};

function table(rows: Status[]): string {
  const header = ['service', 'address', 'state', 'started-by', 'pid', 'log'];
  const body = rows.map((s) => [s.service, s.address, s.state, s.startedBy ?? '-', s.pid ? String(s.pid) : '-', s.log ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const bad = rest.filter((s) => !(ALL_SERVICES as readonly string[]).includes(s));
  if (!cmd || bad.length || !['up', 'down', 'status'].includes(cmd)) {
    process.stderr.write(`${bad.length ? `unknown service(s): ${bad.join(', ')}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const services = rest.length ? (rest as ServiceName[]) : undefined;
  const started = Date.now();
  switch (cmd) {
    case 'up': {
      const statuses = await ensureInfra({ ...(services ? { services } : {}), log });
      process.stdout.write(`${table(statuses)}\n`);
      log(`all up in ${((Date.now() - started) / 1000).toFixed(1)}s (data and logs in ${dataDir()})`);
      return 0;
    }
    case 'down': {
      const results = await stopInfra({ ...(services ? { services } : {}), log });
      for (const r of results) {
        const note = r.result === 'external' ? 'left running (not started by infra)' : r.result;
        process.stdout.write(`${r.service.padEnd(8)} ${note}\n`);
      }
      return 0;
    }
    default: {
      const statuses = await infraStatus(services);
      process.stdout.write(`${table(statuses)}\n`);
      return 0;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${errMsg(err)}\n`);
    process.exit(1);
  },
);
