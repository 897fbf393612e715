/** A misuse of the command (用法错误): exit code 2, Chinese message with a stable English code. */
export class UsageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
