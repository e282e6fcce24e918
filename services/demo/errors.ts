// A failure the demo reports as one line (and a non-zero exit), never a stack trace.
export class DemoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoError';
  }
}
