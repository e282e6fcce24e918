// Expected failures go into a mutation's `userErrors`; GraphQL errors are for the unexpected
// (and for auth, limits). Unexpected errors are masked: no stack traces, no internals.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export const USER_ERROR_CODES = [
  'INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'ALREADY_EXISTS', 'INVALID_STATE', 'IDEMPOTENCY_CONFLICT',
  'UPLOAD_NOT_RECEIVED', 'UPLOAD_EXPIRED', 'INVALID_MODEL', 'INVALID_DATASET', 'UNKNOWN_TARGET', 'UNKNOWN_PLUGIN',
  'INVALID_PLUGIN_CONFIG', 'LAST_OWNER', 'FORBIDDEN', 'ADMIN_DISABLED', 'NOT_EXPORTABLE', 'INVITATION_EXPIRED', 'UNAUTHENTICATED',
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

/** Thrown inside a mutation for an expected failure; the mutation turns it into a userError. */
export class UserFacingError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}

export function graphQLError(code: string, message: string, httpStatus?: number, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, ...(httpStatus ? { http: { status: httpStatus } } : {}) } });
}

const SAFE_CODES = new Set([
  'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'QUERY_TOO_DEEP', 'QUERY_TOO_COMPLEX', 'TOO_MANY_ALIASES', 'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE', 'PAYLOAD_TOO_LARGE', 'NOT_FOUND',
]);

/**
 * Keeps messages of errors we raised on purpose (and graphql's own parse/validation errors);
 * replaces anything else by a generic line and logs it server-side.
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown, log: (message: string) => void): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const { stacktrace: _stack, exception: _exception, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  if (typeof code === 'string' && SAFE_CODES.has(code)) return { ...formatted, extensions };
  const original = (error as { originalError?: unknown })?.originalError;
  if (!original && !code) return { ...formatted, extensions: { ...extensions, code: 'GRAPHQL_VALIDATION_FAILED' } };
  log(`unexpected error: ${(original as Error | undefined)?.stack ?? formatted.message}`);
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
