/**
 * Errors an HTTP handler throws to answer with a status and a Confluent-style body, `{"error_code":…, "message":…}`
 * (the shape Confluent's rest-utils gives every error, which registry clients parse). Anything else a handler throws
 * is answered 500 with a generic message.
 */
import { nameErrorClasses } from '../error-names.js';

export class HttpError extends Error {
  readonly code: string = 'SAMSA_HTTP_ERROR';
  constructor(readonly status: number, readonly errorCode: number, message: string) {
    super(message);
  }

  toJSON(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** The generic errors, with the texts Confluent's rest-utils (Jersey) renders for them. */
export const HttpErrors = {
  badRequest: (message: string) => new HttpError(400, 400, message),
  notFound: () => new HttpError(404, 404, 'HTTP 404 Not Found'),
  methodNotAllowed: () => new HttpError(405, 405, 'HTTP 405 Method Not Allowed'),
  bodyTooLarge: (limit: number) => new HttpError(413, 413, `Request body larger than ${limit} bytes`),
  unsupportedMediaType: () => new HttpError(415, 415, 'HTTP 415 Unsupported Media Type'),
  internal: () => new HttpError(500, 500, 'Internal Server Error'),
};

nameErrorClasses({ HttpError });
