/**
 * SASL/OAUTHBEARER (RFC 7628) as Kafka's OAuthBearerSaslServer runs it. The client's one message is
 * `n,[a=authzid],\x01auth=Bearer <token>\x01[key=value\x01]*\x01`. A token that does not validate is answered, as RFC
 * 7628 says, with a JSON error *challenge* (`{"status":"invalid_token"}`); the client replies `\x01` and only then
 * does authentication fail, with that JSON as the message.
 *
 * Validation: a `validateToken` hook given to startBroker (real tokens), or else Kafka's unsecured-JWS validator for
 * development (OAuthBearerUnsecuredValidatorCallbackHandler): header `{"alg":"none"}`, an empty signature, the
 * principal from `sub` (sasl.oauthbearer.sub.claim.name), `exp` required and enforced, `iat` not in the future,
 * and every scope of sasl.oauthbearer.expected.scope present in `scope` (sasl.oauthbearer.scope.claim.name).
 */
import { nameErrorClasses } from '../error-names.js';

/** What a token validates to: the principal's name, and when the credential expires (ms since the epoch). */
export interface ValidatedToken {
  principal: string;
  expiresAtMs?: number;
}

/** A validator for real tokens: resolve to the principal, or null (or throw) when the token is not valid. */
export type TokenValidator = (token: string, client: { clientHost: string }) => ValidatedToken | null | Promise<ValidatedToken | null>;

export class OAuthError extends Error {
  readonly code = 'SAMSA_OAUTHBEARER_FAILED';
  /** The RFC 7628 error challenge sent to the client. */
  readonly challenge: string;
  constructor(message: string, status = 'invalid_token', scope?: string) {
    super(message);
    this.challenge = JSON.stringify(scope === undefined ? { status } : { status, scope });
  }
}

/** The bearer token of a client initial response; throws OAuthError (a malformed message). */
export function parseClientInitialResponse(token: Buffer): { token: string; authzid: string } {
  const m = /^n,(?:a=([^,]*))?,\x01((?:[A-Za-z]+=[\x21-\x7e \t\r\n]*\x01)*)\x01$/.exec(token.toString('utf8'));
  if (!m) throw new OAuthError('Invalid OAUTHBEARER client first message');
  const pairs = new Map(m[2].split('\x01').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const auth = /^([A-Za-z]+) +([-_.a-zA-Z0-9+/=~]+)$/.exec(pairs.get('auth') ?? '');
  if (!auth || auth[1].toLowerCase() !== 'bearer') throw new OAuthError('Invalid OAUTHBEARER client first message: no bearer token');
  return { token: auth[2], authzid: m[1] ?? '' };
}

export interface UnsecuredValidatorOptions {
  subClaim: string;
  scopeClaim: string;
  requiredScopes: string[];
  clockSkewMs: number;
  nowMs: number;
}

/** Kafka's unsecured JWS (`alg: none`) validation; throws OAuthError with the reason (for the log). */
export function validateUnsecuredJws(token: string, options: UnsecuredValidatorOptions): ValidatedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw new OAuthError('Unsecured JWS compact serializations must have 3 dot-separated Base64URL-encoded values');
  if (parts[2] !== '') throw new OAuthError('Unsecured JWS compact serializations must have an empty signature (the third value)');
  const decode = (part: string, what: string): Record<string, unknown> => {
    try {
      const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch { /* below */ }
    throw new OAuthError(`Invalid unsecured JWS ${what}: not a JSON object`);
  };
  const header = decode(parts[0], 'header');
  if (header.alg !== 'none') throw new OAuthError('Unsecured JWS must have "alg": "none"');
  const claims = decode(parts[1], 'payload');
  const sub = claims[options.subClaim];
  if (typeof sub !== 'string' || sub.trim() === '') throw new OAuthError(`Required claim missing or empty: ${options.subClaim}`);
  const exp = claims.exp;
  if (typeof exp !== 'number') throw new OAuthError('Required claim missing or not a number: exp');
  if (options.nowMs - options.clockSkewMs >= exp * 1000) throw new OAuthError(`The indicated time (${exp * 1000} ms) is in the past`);
  if (typeof claims.iat === 'number' && claims.iat * 1000 > options.nowMs + options.clockSkewMs) {
    throw new OAuthError(`The token was issued in the future (iat ${claims.iat * 1000} ms)`);
  }
  const raw = claims[options.scopeClaim];
  const scopes = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
  const missing = options.requiredScopes.filter((s) => !scopes.includes(s));
  if (missing.length > 0) throw new OAuthError(`The provided scope ${JSON.stringify(scopes)} had missing required scopes: ${missing.join(' ')}`, 'insufficient_scope', options.requiredScopes.join(' '));
  return { principal: sub, expiresAtMs: exp * 1000 };
}

/** An unsecured JWS for tests and development (what Kafka's OAuthBearerUnsecuredLoginCallbackHandler makes). */
export function unsecuredJws(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64(claims)}.`;
}

nameErrorClasses({ OAuthError });
