/** Errors the test kit throws, each with a stable `code` (as undici's errors), so a test can tell them apart. */
export class TestkitError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'TestkitError';
  }
}
