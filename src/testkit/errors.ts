/**
 * Errors the test kit throws (an unknown API or error name, an unknown node, stopping the last live node, advancing
 * a real clock...), each with a stable `code` (as undici's errors) so a program can tell them apart, and the HTTP
 * `status` the control API answers with (400 bad input, 404 no such thing, 409 not possible in the cluster's
 * current state). Nothing was changed when one is thrown.
 */
export class TestkitError extends Error {
  constructor(readonly code: string, message: string, readonly status: 400 | 404 | 409 = 400) {
    super(message);
    this.name = 'TestkitError';
  }
}
