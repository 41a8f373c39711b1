import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SUBGRAPHS, undescribedElements } from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('subgraph schemas are documented', () => {
  it.each(SUBGRAPHS.map((s) => s.name))('%s describes every type, field, argument, input field and enum value (Sandbox shows them)', (name) => {
    const sdl = readFileSync(path.join(repoRoot, 'subgraphs', name, 'schema.graphql'), 'utf8');
    expect(undescribedElements(parse(sdl))).toEqual([]);
  });

  it('names what is missing, by path', () => {
    const doc = parse(`
      "Described."
      type Query { "Described." ok: Int  bare(first: Int): Int }
      enum Sort { "Described." NEWEST OLDEST }
      type Loose { x: Int }`);
    expect(undescribedElements(doc)).toEqual(['Query.bare', 'Query.bare.first', 'Sort', 'Sort.OLDEST', 'Loose', 'Loose.x']);
  });
});
