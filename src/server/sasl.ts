/**
 * SASL on a connection, as Kafka's SaslServerAuthenticator: SaslHandshake picks a mechanism (PLAIN, SCRAM-SHA-256,
 * SCRAM-SHA-512, OAUTHBEARER; `sasl.enabled.mechanisms`), then tokens travel in SaslAuthenticate requests (v1
 * handshake) or as raw length-prefixed frames (v0 handshake, kafka-python) until the exchange completes.
 *
 * Credentials are the users of src/security/users.ts (`sasl.users`, AlterUserScramCredentials). While there are no
 * users at all and the authorizer is off, PLAIN accepts any name and password (a development broker); with the
 * authorizer on it accepts nobody then, as Kafka (anyone could otherwise claim to be a super user). SCRAM needs a user.
 * A failure is answered after `connection.failed.authentication.delay.ms`, as Kafka delays it against guessing.
 *
 * Failure messages are Kafka's: PLAIN says "Authentication failed: Invalid username or password"; SCRAM and
 * malformed messages get the generic "Authentication failed during authentication due to invalid credentials with
 * SASL mechanism ..." (the reason, which may tell whether a user exists, goes to the log only); OAUTHBEARER fails
 * with its RFC 7628 JSON. Each failure is logged with the client's address, never with a secret, and the connection
 * is closed once the answer is written.
 *
 * KIP-368: with `connections.max.reauth.ms` > 0 the session lifetime (capped by a token's expiry) is returned in
 * SaslAuthenticate v1+; the client re-authenticates on the same connection with a new SaslHandshake (same
 * mechanism and principal), and a connection past its lifetime is closed on its next request.
 */
import type { ClusterServices } from '../handlers/handler.js';
import { ScramError, ScramExchange, isScramMechanism } from '../security/scram.js';
import { OAuthError, parseClientInitialResponse, validateUnsecuredJws } from '../security/oauthbearer.js';
import { clientInput } from '../protocol/client-input.js';
import { nameErrorClasses } from '../error-names.js';

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;

/**
 * The mechanisms this broker offers (`sasl.enabled.mechanisms`), in the order configured. OAUTHBEARER's default
 * validator takes unsigned tokens, so anyone may claim any principal: with ACLs on, the default list leaves it out
 * unless a validateToken hook checks the tokens (listing it explicitly still offers it).
 */
export function enabledMechanisms(broker: ClusterServices): string[] {
  const listed = broker.config.get('sasl.enabled.mechanisms').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unsignedTokensWouldPass = broker.config.bool('authorizer.enabled') && !broker.config.settings.has('sasl.enabled.mechanisms') && !broker.security.validateToken;
  return unsignedTokensWouldPass ? listed.filter((m) => m !== 'OAUTHBEARER') : listed;
}

/** One mechanism's server side: each client token gives a challenge, completion, or a thrown AuthenticationFailure. */
interface SaslExchange {
  step(token: Buffer): Promise<SaslStep> | SaslStep;
}
type SaslStep = { challenge: Buffer } | { final: Buffer; user: string; credentialExpiresAtMs?: number };

/** Why authentication failed: `clientMessage` goes in the response, `reason` to the log. */
class AuthenticationFailure extends Error {
  readonly code = 'SAMSA_SASL_FAILED';
  constructor(readonly clientMessage: string, readonly reason = clientMessage, readonly user: string | null = null) {
    super(clientMessage);
  }
}

/** Per-connection SASL state. */
export interface SaslSession {
  /** The mechanism of the handshake in progress, or of the completed authentication. */
  mechanism: string | null;
  /** After SaslHandshake v0 the next frames are raw SASL tokens, not Kafka requests, until the exchange ends. */
  rawTokenNext: boolean;
  /** The authenticated user, or null. */
  user: string | null;
  exchange: SaslExchange | null;
  /** When the session ends (broker clock, ms; KIP-368), or null for never. */
  expiresAtMs: number | null;
  /** Close the connection once the response in progress is written (a failed authentication, as Kafka does). */
  closeAfterResponse: boolean;
}

export const newSaslSession = (): SaslSession => ({ mechanism: null, rawTokenNext: false, user: null, exchange: null, expiresAtMs: null, closeAfterResponse: false });

const genericFailure = (mechanism: string) => `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;

/** Starts an exchange for a mechanism the handshake accepted. */
export function startExchange(broker: ClusterServices, mechanism: string, clientHost: string): SaslExchange {
  if (mechanism === 'PLAIN') return plainExchange(broker);
  if (isScramMechanism(mechanism)) return scramExchange(broker, mechanism);
  return oauthExchange(broker, clientHost);
}

/** A PLAIN token is `[authzid] NUL authcid NUL passwd` (RFC 4616). */
function plainExchange(broker: ClusterServices): SaslExchange {
  return {
    async step(token) {
      const parts = token.toString('utf8').split('\u0000');
      if (parts.length !== 3) throw new AuthenticationFailure(genericFailure('PLAIN'), `Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`);
      const [authzid, user, password] = parts;
      if (user === '') throw new AuthenticationFailure('Authentication failed: username not specified');
      if (password === '') throw new AuthenticationFailure('Authentication failed: password not specified', undefined, user);
      if (authzid !== '' && authzid !== user) {
        throw new AuthenticationFailure('Authentication failed: Client requested an authorization id that is different from username', undefined, user);
      }
      const users = broker.security.users;
      if (users.isEmpty && !broker.config.bool('authorizer.enabled')) {
        broker.security.warnOnce('plain-without-users', 'SASL/PLAIN logins are accepted without a password check: there are no users (sasl.users)');
        return { final: Buffer.alloc(0), user };
      }
      if (!await users.checkPassword(user, password)) {
        throw new AuthenticationFailure('Authentication failed: Invalid username or password', users.has(user) ? 'wrong password' : 'unknown user', user);
      }
      return { final: Buffer.alloc(0), user };
    },
  };
}

function scramExchange(broker: ClusterServices, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'): SaslExchange {
  const scram = new ScramExchange(mechanism, (user, m) => broker.security.users.get(user, m));
  let first = true;
  return {
    step(token) {
      try {
        if (first) {
          first = false;
          return { challenge: scram.clientFirst(token) };
        }
        return { final: scram.clientFinal(token), user: scram.user! };
      } catch (err) {
        if (err instanceof ScramError) throw new AuthenticationFailure(genericFailure(mechanism), err.message, scram.user);
        throw err;
      }
    },
  };
}

function oauthExchange(broker: ClusterServices, clientHost: string): SaslExchange {
  let failed: OAuthError | null = null;
  return {
    async step(token) {
      // After our error challenge the client sends %x01; then the exchange fails with the challenge's JSON.
      if (failed) throw new AuthenticationFailure(failed.challenge, failed.message);
      try {
        const { token: bearer, authzid } = parseClientInitialResponse(token);
        const hook = broker.security.validateToken;
        const validated = hook
          ? await Promise.resolve().then(() => hook(bearer, { clientHost })).catch(() => null)
          : validateUnsecuredJws(bearer, broker.security.unsecuredValidatorOptions());
        if (!validated) throw new OAuthError('the validateToken hook rejected the token');
        if (authzid !== '' && authzid !== validated.principal) {
          throw new AuthenticationFailure(`Authentication failed: Client requested an authorization id (${clientInput(authzid)}) that is different from the token's principal name (${clientInput(validated.principal)})`);
        }
        return { final: Buffer.alloc(0), user: validated.principal, credentialExpiresAtMs: validated.expiresAtMs };
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        if (err.message.startsWith('Invalid OAUTHBEARER client first message')) throw new AuthenticationFailure(genericFailure('OAUTHBEARER'), err.message);
        failed = err;
        return { challenge: Buffer.from(err.challenge) };
      }
    },
  };
}

export interface SaslStepResult {
  /** null when this step succeeded (or asks for more). */
  errorMessage: string | null;
  authBytes: Buffer;
  /** The session lifetime once complete (0: none), for SaslAuthenticate v1+. */
  sessionLifetimeMs: number;
}

/**
 * Runs one client token through the connection's exchange: SaslAuthenticate and the raw tokens after a v0
 * handshake both come here. On failure the session is marked to close after the answer.
 */
export async function saslStep(broker: ClusterServices, sasl: SaslSession, clientHost: string, token: Buffer): Promise<SaslStepResult> {
  const exchange = sasl.exchange!;
  const mechanism = sasl.mechanism!;
  try {
    const step = await exchange.step(token);
    if ('challenge' in step) return { errorMessage: null, authBytes: step.challenge, sessionLifetimeMs: 0 };
    if (sasl.user !== null && sasl.user !== step.user) {
      throw new AuthenticationFailure(`Cannot change principals during re-authentication from User:${clientInput(sasl.user)}: User:${clientInput(step.user)}`);
    }
    sasl.exchange = null;
    sasl.rawTokenNext = false;
    sasl.user = step.user;
    const now = broker.clock.now();
    const reauthMs = broker.config.int('connections.max.reauth.ms');
    let lifetime = 0;
    if (reauthMs > 0) lifetime = Math.max(0, Math.min(reauthMs, (step.credentialExpiresAtMs ?? Infinity) - now));
    sasl.expiresAtMs = reauthMs > 0 ? now + lifetime : null;
    return { errorMessage: null, authBytes: step.final, sessionLifetimeMs: lifetime };
  } catch (err) {
    if (!(err instanceof AuthenticationFailure)) throw err;
    sasl.exchange = null;
    sasl.rawTokenNext = false;
    sasl.closeAfterResponse = true;
    // What the client sent is clipped in the log: a 50 MiB user name must not make a 50 MiB log line.
    broker.security.recordFailedLogin({ client: clientHost, mechanism, user: err.user === null ? undefined : clientInput(err.user), reason: clientInput(err.reason) });
    const delayMs = broker.config.int('connection.failed.authentication.delay.ms');
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs)); // real time, as a client waits it
    return { errorMessage: err.clientMessage, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
  }
}

nameErrorClasses({ AuthenticationFailure });
