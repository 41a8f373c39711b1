/**
 * "The expected shape": the same keys and the same JSON value types as expected-shape.json,
 * all the way down. Stricter than the peer benchmark's own k6 check on purpose:
 * - objects must have exactly the expected keys (no missing, no extra);
 * - arrays must have the expected length, element by element;
 * - JSON types are told apart as null / boolean / number / string / array / object, so a
 *   number where the expected response has null is a mismatch (k6's typeof would say "object").
 * Values themselves are not compared (ids, names and bodies may differ; types may not).
 */
type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'other';

function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'boolean' || t === 'number' || t === 'string' || t === 'object' ? t : 'other';
}

/** null when `actual` has the expected shape; otherwise where and how it first differs. */
export function shapeMismatch(actual: unknown, expected: unknown, path = '$'): string | null {
  const te = jsonType(expected);
  const ta = jsonType(actual);
  if (te !== ta) return `${path}: expected ${te}, got ${ta}`;
  if (te === 'array') {
    const a = actual as unknown[];
    const e = expected as unknown[];
    if (a.length !== e.length) return `${path}: expected ${e.length} items, got ${a.length}`;
    for (let i = 0; i < e.length; i++) {
      const m = shapeMismatch(a[i], e[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (te === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const ek = Object.keys(e);
    const ak = Object.keys(a);
    for (const k of ek) {
      if (!Object.prototype.hasOwnProperty.call(a, k)) return `${path}: missing key "${k}"`;
      const m = shapeMismatch(a[k], e[k], `${path}.${k}`);
      if (m) return m;
    }
    if (ak.length !== ek.length) {
      const extra = ak.find((k) => !Object.prototype.hasOwnProperty.call(e, k));
      return `${path}: unexpected key "${extra}"`;
    }
  }
  return null;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * One load-test response: a success only with HTTP 200, a JSON body without `errors`, and the
 * expected shape. Used by the load generator on EVERY response and by the vitest shape test.
 */
export function checkPeerResponse(status: number, body: string, expectedShape: unknown): Verdict {
  if (status !== 200) return { ok: false, reason: `HTTP ${status}` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (json !== null && typeof json === 'object' && 'errors' in json) return { ok: false, reason: 'graphql errors' };
  const m = shapeMismatch(json, expectedShape);
  return m ? { ok: false, reason: `shape: ${m}` } : { ok: true };
}
