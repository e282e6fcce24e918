// Model import fails with one error type and one line a user can act on.
export class ModelImportError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'ModelImportError';
  }
}
