import type { UserError } from '@shop/platform';

/** What a domain operation returns: a value, or the business reasons it was refused. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; userErrors: UserError[] };

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function refused<T = never>(...userErrors: UserError[]): Outcome<T> {
  return { ok: false, userErrors };
}
