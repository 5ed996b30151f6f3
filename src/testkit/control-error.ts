/**
 * A test-control call the broker refuses (unknown API or error name, unknown node, stopping the last live node...):
 * nothing was changed. `code` is stable for programs; `status` is the HTTP status the control API answers with
 * (400 bad input, 404 no such thing, 409 not possible in the cluster's current state).
 */
export class ControlError extends Error {
  constructor(readonly code: string, message: string, readonly status: 400 | 404 | 409 = 400) {
    super(message);
  }
}
