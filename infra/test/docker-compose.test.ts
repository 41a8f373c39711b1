import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SUBGRAPHS } from '../../schema/src/subgraphs.js';

// No Docker engine on the development machines: this checks what can be checked without one
// (`docker-compose config -q` validates the syntax where docker-compose v1 is installed).
const root = new URL('../../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, unknown>; healthcheck?: unknown; depends_on?: Record<string, { condition: string }> }>;
};
const pom = readFileSync(new URL('infra/pom.xml', root), 'utf8');

describe('docker-compose.yml', () => {
  it('runs the same Kafka version as the local infra', () => {
    const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
    expect(version).toBeTruthy();
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${version}`);
  });

  it('uses the genuine images of the stores', () => {
    expect(compose.services.mysql?.image).toBe('mysql:8.4');
    expect(compose.services.mongo?.image).toBe('mongo:7');
    expect(compose.services.redis?.image).toBe('redis:7');
  });

  it('has a health-checked service for the router and every subgraph that exists', () => {
    const present = SUBGRAPHS.filter((s) => existsSync(new URL(`subgraphs/${s.name}/src/index.ts`, root)));
    expect(present.length).toBeGreaterThanOrEqual(2);
    for (const name of ['router', ...present.map((s) => s.name)]) {
      const service = compose.services[name];
      expect(service, `service ${name}`).toBeDefined();
      expect(service!.healthcheck, `${name} healthcheck`).toBeDefined();
      const entry = String(service!.environment?.SERVICE_ENTRY);
      expect(existsSync(new URL(entry, root)), `${name} entry ${entry}`).toBe(true);
      for (const dep of Object.values(service!.depends_on ?? {})) expect(dep.condition).toBe('service_healthy');
    }
    const routerEnv = compose.services.router!.environment!;
    for (const s of present) expect(routerEnv[`SUBGRAPH_${s.name.toUpperCase()}_URL`]).toBe(`http://${s.name}:${s.port}/graphql`);
  });

  // No depends_on for owners: a subgraph starts without them and answers SERVICE_UNAVAILABLE for what needs one.
  it('gives every subgraph the URLs of the owners it calls directly (schema/src/subgraphs.ts)', () => {
    for (const s of SUBGRAPHS) {
      const service = compose.services[s.name]!;
      for (const owner of s.owners) {
        const port = SUBGRAPHS.find((o) => o.name === owner)!.port;
        expect(service.environment?.[`${owner.toUpperCase()}_URL`], `${s.name} → ${owner}`).toBe(`http://${owner}:${port}/graphql`);
      }
    }
  });

  it('lists every workspace manifest in the Dockerfile so npm ci sees the whole tree', () => {
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    const workspaces = [
      ...SUBGRAPHS.filter((s) => existsSync(new URL(`subgraphs/${s.name}/package.json`, root))).map((s) => `subgraphs/${s.name}`),
      'packages/platform',
      'packages/events',
      'packages/testing',
      'router',
      'schema',
      'infra',
    ];
    for (const ws of workspaces) expect(dockerfile, ws).toContain(`COPY ${ws}/package.json ${ws}/`);
  });
});
