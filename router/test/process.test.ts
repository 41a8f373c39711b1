import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeFixture, LAB_SDL, startLab, supergraphDir, type LabSubgraph } from './fixtures.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let lab: LabSubgraph;
let files: ReturnType<typeof supergraphDir>;
beforeAll(async () => {
  lab = await startLab();
  files = supergraphDir(composeFixture(LAB_SDL));
});
afterAll(async () => {
  await lab?.stop();
  files?.remove();
});

describe('the router process (npm start entry point)', () => {
  it('starts from the environment, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), [path.join(repoRoot, 'router/src/index.ts')], {
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', SUPERGRAPH_PATH: files.file, SUBGRAPH_LAB_URL: lab.url, SUBGRAPH_SIDE_URL: lab.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`router did not start:\n${output}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const ready = output.split('\n').map((l) => { try { return JSON.parse(l); } catch { return null; } }).find((l) => l?.msg === 'router ready');
        if (ready) {
          clearTimeout(timer);
          resolve(ready.url as string);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ node { id } }' }) });
      expect(await res.json()).toEqual({ data: { node: { id: '1' } } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('router stopped');
  });
});
