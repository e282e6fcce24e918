// The one error type the client throws; `code` says what went wrong, `message` says what to do.

export type ModelClientErrorCode =
  | 'INVALID_OPTIONS' // a required option is missing or malformed
  | 'UNAUTHENTICATED' // the app key is wrong or revoked (HTTP 401)
  | 'NOT_FOUND' // no such project or channel, or nothing deployed for this device (HTTP 404)
  | 'INTEGRITY' // the downloaded bytes do not hash to the ETag the server sent
  | 'HTTP' // another unexpected HTTP status
  | 'UNAVAILABLE'; // network or server failures after every retry, and no cached model to fall back on

export class ModelClientError extends Error {
  readonly code: ModelClientErrorCode;
  readonly status: number | undefined;

  constructor(code: ModelClientErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ModelClientError';
    this.code = code;
    this.status = options.status;
  }
}
