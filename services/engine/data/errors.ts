// One error type for every dataset problem; the message is a single line a user can act on:
// "<file>: <what is wrong>".
export class DatasetError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
    this.file = file;
  }
}
