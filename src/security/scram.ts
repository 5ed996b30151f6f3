/**
 * SASL/SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), the server side, as Kafka's ScramSaslServer does it:
 *
 *   client-first  n,[a=authzid],n=user,r=cnonce[,ext]      → server-first  r=cnonce+snonce,s=salt,i=iterations
 *   client-final  c=biws,r=cnonce+snonce[,ext],p=proof      → server-final  v=server-signature
 *
 * Only the salted, iterated credential is stored (salt, StoredKey, ServerKey, iterations), never the password. The
 * server checks the proof by recovering ClientKey = proof XOR HMAC(StoredKey, AuthMessage) and comparing
 * H(ClientKey) with StoredKey in constant time. Every failure here is a "SaslException" in Kafka's terms: the client
 * gets Kafka's generic message (see sasl.ts), the log gets the reason.
 */
import { promisify } from 'node:util';
import { nameErrorClasses } from '../error-names.js';

/** node:crypto when first needed (SASL/SCRAM), not at start. */
const crypto = () => process.getBuiltinModule('node:crypto');

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** Kafka's ScramMechanism: hash, and the type number AlterUserScramCredentials and DescribeUserScramCredentials use. */
export const SCRAM_MECHANISMS: Record<ScramMechanism, { hash: 'sha256' | 'sha512'; keyLength: number; type: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', keyLength: 32, type: 1 },
  'SCRAM-SHA-512': { hash: 'sha512', keyLength: 64, type: 2 },
};

/** Kafka's bounds on iterations (ScramMechanism.minIterations / maxIterations); 4096 is also its default. */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export const isScramMechanism = (m: string): m is ScramMechanism => m in SCRAM_MECHANISMS;
export const scramMechanismOfType = (type: number): ScramMechanism | undefined =>
  (Object.keys(SCRAM_MECHANISMS) as ScramMechanism[]).find((m) => SCRAM_MECHANISMS[m].type === type);

export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

/** HMAC with the mechanism's hash (both sides of the exchange: here and the CLI's client). */
export const hmac = (mechanism: ScramMechanism, key: Buffer, text: string | Buffer) => crypto().createHmac(SCRAM_MECHANISMS[mechanism].hash, key).update(text).digest();

/** Byte-wise XOR of two equal-length buffers (ClientProof = ClientKey XOR ClientSignature, and back). */
export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
const hash = (mechanism: ScramMechanism, data: Buffer) => crypto().createHash(SCRAM_MECHANISMS[mechanism].hash).update(data).digest();

/** StoredKey and ServerKey from SaltedPassword (AlterUserScramCredentials sends the salted password itself). */
export function credentialFromSaltedPassword(mechanism: ScramMechanism, saltedPassword: Buffer, salt: Buffer, iterations: number): ScramCredential {
  const clientKey = hmac(mechanism, saltedPassword, 'Client Key');
  return { salt, iterations, storedKey: hash(mechanism, clientKey), serverKey: hmac(mechanism, saltedPassword, 'Server Key') };
}

/** SaltedPassword = Hi(password, salt, i) = PBKDF2 with the mechanism's HMAC (off the event loop). */
export async function saltPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const { hash: h, keyLength } = SCRAM_MECHANISMS[mechanism];
  return promisify(crypto().pbkdf2)(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, keyLength, h);
}

/** A new credential for a password: a random salt, Kafka's default 4096 iterations. */
export async function newCredential(mechanism: ScramMechanism, password: string, iterations = SCRAM_MIN_ITERATIONS): Promise<ScramCredential> {
  const salt = crypto().randomBytes(24);
  return credentialFromSaltedPassword(mechanism, await saltPassword(mechanism, password, salt, iterations), salt, iterations);
}

/** Whether `password` is the one the credential was made from (SASL/PLAIN checked against a SCRAM credential). */
export async function passwordMatches(mechanism: ScramMechanism, credential: ScramCredential, password: string): Promise<boolean> {
  const derived = credentialFromSaltedPassword(mechanism, await saltPassword(mechanism, password, credential.salt, credential.iterations), credential.salt, credential.iterations);
  return crypto().timingSafeEqual(derived.storedKey, credential.storedKey);
}

/** A SCRAM failure: `reason` is for the log, never for the client (it may tell whether a user exists). */
export class ScramError extends Error {
  readonly code = 'SAMSA_SCRAM_FAILED';
}

/** saslname: '=2C' is ',' and '=3D' is '='; any other '=' is malformed (RFC 5802 5.1). */
function decodeSaslName(s: string): string {
  if (/=(?!2C|3D)/.test(s)) throw new ScramError('Invalid SCRAM username encoding');
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/; // printable ASCII except ','

interface ClientFirst { gs2Header: string; user: string; authzid: string; nonce: string; bare: string }

export function parseClientFirst(token: Buffer): ClientFirst {
  const text = token.toString('utf8');
  // gs2-header: "n," (no channel binding) or "y," then an optional "a=authzid", then ','. "p=" (binding) is refused.
  const m = /^([ny]),(?:a=([^,]*))?,(n=([^,]*),r=([^,]*)(?:,.*)?)$/s.exec(text);
  if (!m) throw new ScramError('Invalid SCRAM client first message format');
  const [, , authzid = '', bare, name, nonce] = m;
  if (name === '' || !PRINTABLE_NONCE.test(nonce)) throw new ScramError('Invalid SCRAM client first message format');
  return { gs2Header: text.slice(0, text.length - bare.length), user: decodeSaslName(name), authzid: decodeSaslName(authzid), nonce, bare };
}

/** One SCRAM exchange on one connection: client-first, then client-final. */
export class ScramExchange {
  private first: ClientFirst | null = null;
  private serverFirst = '';
  private nonce = '';
  private credential: ScramCredential | null = null;

  constructor(readonly mechanism: ScramMechanism, private readonly lookup: (user: string, mechanism: ScramMechanism) => ScramCredential | undefined) {}

  /** The user named in client-first (for the log), once known. */
  get user(): string | null { return this.first?.user ?? null; }

  /** server-first for client-first; throws ScramError. */
  clientFirst(token: Buffer): Buffer {
    const first = this.first = parseClientFirst(token);
    const credential = this.lookup(first.user, this.mechanism);
    if (!credential) throw new ScramError('Authentication failed: Invalid user credentials');
    if (first.authzid !== '' && first.authzid !== first.user) {
      throw new ScramError('Authentication failed: Client requested an authorization id that is different from username');
    }
    this.credential = credential;
    this.nonce = first.nonce + crypto().randomBytes(24).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    return Buffer.from(this.serverFirst, 'utf8');
  }

  /** server-final for client-final, when the proof is right; throws ScramError. */
  clientFinal(token: Buffer): Buffer {
    const first = this.first;
    const credential = this.credential;
    if (!first || !credential) throw new ScramError('Unexpected SCRAM client final message');
    const text = token.toString('utf8');
    const m = /^(c=([^,]*),r=([^,]*)(?:,(?!p=)[^,]*)*),p=([A-Za-z0-9+/]+={0,2})$/.exec(text);
    if (!m) throw new ScramError('Invalid SCRAM client final message format');
    const [, withoutProof, channel, nonce, proofText] = m;
    // librdkafka before 2.6.1 sends its own nonce once more in front (librdkafka#4895); Kafka 3.8.1-3.9 accept that
    // (an endsWith check), and so do we, or kcat and confluent-kafka clients of those versions could not log in.
    if (nonce !== this.nonce && nonce !== first.nonce + this.nonce) throw new ScramError('Invalid client nonce in the final client message.');
    if (Buffer.from(channel, 'base64').toString('utf8') !== first.gs2Header) throw new ScramError('Invalid SCRAM channel binding');
    const authMessage = `${first.bare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.mechanism, credential.storedKey, authMessage);
    const proof = Buffer.from(proofText, 'base64');
    if (proof.length !== clientSignature.length) throw new ScramError('Invalid client credentials');
    const clientKey = xor(proof, clientSignature);
    if (!crypto().timingSafeEqual(hash(this.mechanism, clientKey), credential.storedKey)) throw new ScramError('Invalid client credentials');
    const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage);
    this.credential = null;
    return Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8');
  }
}

nameErrorClasses({ ScramError });
