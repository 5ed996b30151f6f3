/**
 * SASL/PLAIN on the plaintext listener, so clients configured with SASL work unchanged. Optional: clients that
 * never send SaslHandshake are served as before. With `sasl.plain.users` ("alice:secret,bob:pw") only those
 * credentials pass; when it is empty, any user name and password are accepted (a dev broker).
 */
export const SASL_MECHANISMS = ['PLAIN'] as const;

/** Per-connection SASL state. */
export interface SaslSession {
  mechanism: string | null;
  /** After SaslHandshake v0 the next frame is a raw SASL token, not a Kafka request (kafka-python). */
  rawTokenNext: boolean;
  user: string | null;
}

export const newSaslSession = (): SaslSession => ({ mechanism: null, rawTokenNext: false, user: null });

/** Parses "alice:secret,bob:pw"; null when empty (accept anyone). */
export function parseUsers(setting: string): Map<string, string> | null {
  const entries = setting.split(',').map((s) => s.trim()).filter(Boolean).map((pair) => {
    const colon = pair.indexOf(':');
    return [pair.slice(0, colon), pair.slice(colon + 1)] as [string, string];
  });
  return entries.length === 0 ? null : new Map(entries);
}

/** A PLAIN token is `[authzid] NUL authcid NUL passwd` (RFC 4616). Returns the user, or why it failed. */
export function authenticatePlain(token: Buffer, users: ReadonlyMap<string, string> | null): { user: string } | { error: string } {
  const parts = token.toString('utf8').split('\u0000');
  if (parts.length !== 3 || parts[1] === '') return { error: 'Authentication failed: Invalid SASL/PLAIN response: expected 3 tokens' };
  const [, user, password] = parts;
  if (users && users.get(user) !== password) return { error: 'Authentication failed: Invalid username or password' };
  return { user };
}
