import { describe, expect, it } from 'vitest';
import { parseQuery, termWeights, terms, words } from '../src/text.js';

describe('text analysis', () => {
  it('splits on anything but letters and digits, in any script, lower-cased and without accents', () => {
    expect(words("Café-Crème: the Men's 4K TV, Größe XL / Ελληνικά")).toEqual([
      'cafe', 'creme', 'the', 'mens', '4k', 'tv', 'große', 'xl', 'ελληνικα',
    ]);
  });

  it('stems words and skips stop words when indexing', () => {
    expect(terms('The running shoes and the runner')).toEqual(['run', 'shoe', 'runner']);
  });

  it('weighs a term by the fields it occurs in: name 10, category 3, description 1', () => {
    const weights = termWeights({ name: 'Tea pot', category: 'Tea', description: 'A pot for tea' });
    expect(Object.fromEntries(weights)).toEqual({ tea: 14, pot: 11 });
  });
});

describe('query parsing', () => {
  it('treats the last word as a prefix while it is being typed', () => {
    expect(parseQuery('red wid')).toEqual([
      { terms: ['red'], prefixes: [] },
      { terms: ['wid'], prefixes: ['wid'] },
    ]);
    expect(parseQuery('widgets')).toEqual([{ terms: ['widget'], prefixes: ['widgets', 'widget'] }]);
  });

  it('treats every word as complete when the query ends with a separator', () => {
    expect(parseQuery('red widgets ')).toEqual([
      { terms: ['red'], prefixes: [] },
      { terms: ['widget'], prefixes: [] },
    ]);
  });

  it('expands no prefix of a single letter and skips complete stop words', () => {
    expect(parseQuery('the lamp w')).toEqual([
      { terms: ['lamp'], prefixes: [] },
      { terms: ['w'], prefixes: [] },
    ]);
    expect(parseQuery('lamp an')).toEqual([
      { terms: ['lamp'], prefixes: [] },
      { terms: [], prefixes: ['an'] },
    ]);
    expect(parseQuery('lamp a')).toEqual([{ terms: ['lamp'], prefixes: [] }]);
  });

  it('makes an empty or punctuation-only query match everything, and counts a repeated word once', () => {
    expect(parseQuery('')).toEqual([]);
    expect(parseQuery(' ?! ')).toEqual([]);
    expect(parseQuery('lamp lamps ')).toEqual([{ terms: ['lamp'], prefixes: [] }]);
  });
});
