// The server operator: whoever holds CONDENSE_ADMIN_TOKEN. It is not a member of any organization,
// only allowed to create organizations (createOrganization).
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerSecret } from './auth.ts';

/**
 * True when the Authorization header carries the configured operator token. Compared in constant
 * time over SHA-256 digests, so neither the content nor the length of the token leaks.
 */
export function isOperatorBearer(adminToken: string | undefined, header: string | undefined | null): boolean {
  if (!adminToken) return false;
  const secret = bearerSecret(header);
  if (!secret) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(secret), digest(adminToken));
}
