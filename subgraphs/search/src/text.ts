import { stemmer } from 'stemmer';

/**
 * Text analysis shared by indexing and querying, so both sides agree on what a term is:
 * Unicode-aware word split, lower case, accents removed, apostrophes dropped, English stop
 * words skipped, Porter stem.
 */

/** Relevance of a term by the field it appears in; a product's term weight is the sum over its fields. */
export const FIELD_WEIGHTS = { name: 10, category: 3, description: 1 } as const;

/** Words too common to narrow an AND search; skipped on both sides. */
const STOP_WORDS = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'into', 'is', 'it', 'of', 'on', 'or',
  'the', 'to', 'with',
]);

/** Longer "words" are noise (hashes, URLs without separators) and would bloat the term dictionary. */
const MAX_WORD_LENGTH = 40;

/** Lower-cased words without accents or punctuation, in order. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0 && w.length <= MAX_WORD_LENGTH);
}

export function stem(word: string): string {
  return stemmer(word);
}

/** The index terms of a text: stems of its non-stop words, each once. */
export function terms(text: string): string[] {
  return [...new Set(words(text).filter((w) => !STOP_WORDS.has(w)).map(stem))];
}

/** The category as filters and facets compare it: trimmed, case-insensitive. */
export function categoryKey(category: string): string {
  return category.normalize('NFC').trim().toLowerCase();
}

export interface ProductText {
  name: string;
  description: string;
  category: string;
}

/** Each term of a product with its weight: name 10 + category 3 + description 1, for the fields it occurs in. */
export function termWeights(product: ProductText): Map<string, number> {
  const weights = new Map<string, number>();
  for (const field of ['name', 'category', 'description'] as const) {
    for (const term of terms(product[field])) weights.set(term, (weights.get(term) ?? 0) + FIELD_WEIGHTS[field]);
  }
  return weights;
}

/**
 * One word of a query. A document matches it when it holds one of `terms` or a term starting
 * with one of `prefixes` (only the last word while the user is still typing it).
 */
export interface QueryWord {
  terms: string[];
  prefixes: string[];
}

/** A prefix shorter than this matches exactly only: one letter would expand to half the dictionary. */
export const MIN_PREFIX_LENGTH = 2;
export const MAX_QUERY_WORDS = 16;

/**
 * Splits a query into words that must all match (AND). The last word is also a prefix
 * (search-as-you-type) unless the query ends with a separator, which says the word is complete.
 * Complete stop words are skipped; a stop word being typed still counts as a prefix ("an" → "android").
 */
export function parseQuery(query: string): QueryWord[] {
  const all = words(query);
  const typing = all.length > 0 && /[\p{L}\p{N}]$/u.test(query.normalize('NFKD').replace(/\p{M}+/gu, ''));
  const result: QueryWord[] = [];
  const seen = new Set<string>();
  all.forEach((word, i) => {
    const isPrefix = typing && i === all.length - 1;
    if (!isPrefix && STOP_WORDS.has(word)) return;
    const term = stem(word);
    const prefixes = isPrefix && word.length >= MIN_PREFIX_LENGTH ? [...new Set([word, term])] : [];
    if (isPrefix && STOP_WORDS.has(word)) {
      // A stop word is never indexed: only its prefix expansion can match ("a" alone matches nothing, so it is skipped).
      if (prefixes.length > 0) result.push({ terms: [], prefixes });
      return;
    }
    const key = `${term}|${prefixes.join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    result.push({ terms: [term], prefixes });
  });
  return result;
}
