import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ALLOWED_BREAKING_CHANGES_FILE = 'schema/allowed-breaking-changes.json';

/**
 * One deliberately accepted breaking change. `description` is graphql-js's description of the
 * change exactly as `npm run compose` prints it (e.g. "Product.legacyPrice was removed.");
 * `reason` says why clients are not hurt, for the reviewer.
 */
export interface AllowedBreakingChange {
  description: string;
  reason: string;
}

/** Reads schema/allowed-breaking-changes.json (`{ "allowed": [{ "description", "reason" }] }`); absent file = none. */
export function loadAllowedBreakingChanges(root: string): AllowedBreakingChange[] {
  const file = path.join(root, ALLOWED_BREAKING_CHANGES_FILE);
  if (!existsSync(file)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${ALLOWED_BREAKING_CHANGES_FILE} is not valid JSON: ${(err as Error).message}`);
  }
  const allowed = (json as { allowed?: unknown })?.allowed;
  if (!Array.isArray(allowed)) {
    throw new Error(`${ALLOWED_BREAKING_CHANGES_FILE} must be an object with an "allowed" array`);
  }
  return allowed.map((entry: unknown, i) => {
    const e = entry as Partial<AllowedBreakingChange> | null;
    if (typeof e?.description !== 'string' || e.description.trim() === '') {
      throw new Error(`${ALLOWED_BREAKING_CHANGES_FILE}: allowed[${i}].description must be a non-empty string`);
    }
    if (typeof e.reason !== 'string' || e.reason.trim() === '') {
      throw new Error(`${ALLOWED_BREAKING_CHANGES_FILE}: allowed[${i}].reason must say why the change is safe`);
    }
    return { description: e.description, reason: e.reason };
  });
}

export function isAllowed(allowlist: readonly AllowedBreakingChange[], description: string): boolean {
  const d = description.trim();
  return allowlist.some((a) => a.description.trim() === d);
}
