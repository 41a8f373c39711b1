import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { catalogue } from '../src/index.js';

it('documents every catalogued event in the README with its topic, producer and consumers', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const [type, def] of Object.entries(catalogue)) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${type}\` |`));
    expect(row, `README row for ${type}`).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    expect(cells[2]).toBe(String(def.version));
    expect(cells[3]).toBe(`\`${def.topic}\``);
    expect(cells[4]).toBe(def.producer);
    expect(cells[5]).toBe(def.consumers.join(', '));
  }
});
