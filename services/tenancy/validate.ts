// Input rules shared by the tenancy functions; each failure is one user-facing line.
import { TenancyError } from './errors.ts';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(e) || e.length > 320) throw new TenancyError(`invalid e-mail address: ${JSON.stringify(email)}`);
  return e;
}

export function checkSlug(slug: string): string {
  if (!SLUG_PATTERN.test(slug)) {
    throw new TenancyError(`invalid organization slug ${JSON.stringify(slug)}: use 2-63 lower-case letters, digits or dashes`);
  }
  return slug;
}

export function checkName(what: string, name: string): string {
  const n = name.trim();
  if (n.length < 1 || n.length > 200) throw new TenancyError(`${what} must be 1 to 200 characters`);
  return n;
}
