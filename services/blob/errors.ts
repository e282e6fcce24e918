// Typed blob-store errors; each message is one line safe to show a user.

export class BlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class BlobTooLargeError extends BlobError {
  constructor(readonly maxBytes: number) {
    super(`blob exceeds the size limit of ${maxBytes} bytes`);
  }
}

export class BlobHashMismatchError extends BlobError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`blob content has sha256 ${actual}, expected ${expected}`);
  }
}

export class BlobNotFoundError extends BlobError {
  constructor(readonly sha256: string) {
    super(`blob ${sha256} does not exist`);
  }
}

/** The stored bytes no longer hash to their name: never serve them. */
export class BlobCorruptError extends BlobError {
  constructor(readonly sha256: string) {
    super(`blob ${sha256} is corrupt (its content no longer matches its hash)`);
  }
}

export class InvalidBlobIdError extends BlobError {
  constructor(value: string) {
    super(`not a sha256 hex digest: ${JSON.stringify(value).slice(0, 80)}`);
  }
}
