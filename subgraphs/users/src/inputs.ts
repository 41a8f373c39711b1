import { z } from 'zod';
import { isCountryCode } from '@shop/platform';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';

/** Emails are compared and stored trimmed and in lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

const email = z
  .string()
  .transform(normaliseEmail)
  .pipe(z.email('Enter a valid email address').max(254, 'Email must be at most 254 characters'));

const password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters`);

const name = z.string().trim().min(1, 'Name must not be empty').max(100, 'Name must be at most 100 characters');

/** Optional text: absent, null and blank all mean "none". */
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v ? v : null));

const requiredText = (max: number, label: string) =>
  z.string().trim().min(1, `${label} must not be empty`).max(max, `${label} must be at most ${max} characters`);

export const registerInput = z.object({ email, password, name });
export type RegisterInput = z.infer<typeof registerInput>;

/** Login checks no rules beyond the types: every failure is the same INVALID_CREDENTIALS. */
export const loginInput = z.object({ email: z.string().transform(normaliseEmail), password: z.string() });
export type LoginInput = z.infer<typeof loginInput>;

export const updateProfileInput = z.object({ name });
export type UpdateProfileInput = z.infer<typeof updateProfileInput>;

export const addressInput = z.object({
  line1: requiredText(200, 'Address line 1'),
  line2: optionalText(200, 'Address line 2'),
  city: requiredText(100, 'City'),
  region: optionalText(100, 'Region'),
  postalCode: requiredText(20, 'Postal code'),
  country: z
    .string()
    .trim()
    .refine(isCountryCode, 'Country must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE or US'),
});
export type AddressInput = z.infer<typeof addressInput>;
