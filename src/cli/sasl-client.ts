/**
 * The client side of SASL for the `samsa` commands, as Kafka's clients do it: SaslHandshake v1 names the mechanism,
 * then SaslAuthenticate carries its messages. PLAIN sends "\0user\0password"; SCRAM-SHA-256/512 (RFC 5802) proves
 * the password without sending it, and checks the broker's signature in return (the broker holds the credential).
 */
import { SaslAuthenticateApi, SaslHandshakeApi } from '../protocol/generated/index.js';
import { errorInfo } from '../protocol/generated/errors.js';
import { credentialFromSaltedPassword, hmac, saltPassword, xor, type ScramMechanism } from '../security/scram.js';
import type { BrokerConnection } from './kafka-client.js';
import { CliError } from './output.js';

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface SaslCredentials {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** node:crypto for SCRAM's nonce, when first needed. */
const crypto = () => process.getBuiltinModule('node:crypto');

/** Authenticates `conn` (after ApiVersions); a refusal is a CliError naming the broker's reason. */
export async function authenticate(conn: BrokerConnection, sasl: SaslCredentials): Promise<void> {
  const handshake = await conn.request(SaslHandshakeApi, { mechanism: sasl.mechanism });
  if (handshake.errorCode !== 0) {
    const offered = handshake.mechanisms.length > 0 ? `it takes ${handshake.mechanisms.join(', ')}` : 'is it a SASL listener?';
    throw new CliError(`${conn.label} does not take SASL ${sasl.mechanism} (${offered})`);
  }
  if (sasl.mechanism === 'PLAIN') {
    await step(conn, sasl, Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
    return;
  }
  await scram(conn, sasl, sasl.mechanism);
}

async function scram(conn: BrokerConnection, sasl: SaslCredentials, mechanism: ScramMechanism): Promise<void> {
  const nonce = crypto().randomBytes(24).toString('base64');
  // saslname: '=' and ',' are written =3D and =2C (RFC 5802 5.1).
  const clientFirstBare = `n=${sasl.username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${nonce}`;
  const serverFirst = (await step(conn, sasl, Buffer.from(`n,,${clientFirstBare}`, 'utf8'))).toString('utf8');
  const fields = new Map(serverFirst.split(',').map((f) => [f.slice(0, 1), f.slice(2)]));
  const [combinedNonce, salt, iterations] = [fields.get('r'), fields.get('s'), Number(fields.get('i'))];
  if (!combinedNonce?.startsWith(nonce) || salt === undefined || !Number.isSafeInteger(iterations) || iterations < 1) {
    throw new CliError(`${conn.label}: a SCRAM server-first message that is not one ('${serverFirst.slice(0, 80)}')`);
  }
  const saltBytes = Buffer.from(salt, 'base64');
  const salted = await saltPassword(mechanism, sasl.password, saltBytes, iterations);
  const { storedKey, serverKey } = credentialFromSaltedPassword(mechanism, salted, saltBytes, iterations);
  const clientKey = hmac(mechanism, salted, 'Client Key');
  const clientFinalWithoutProof = `c=biws,r=${combinedNonce}`;
  const authMessage = `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
  const proof = xor(clientKey, hmac(mechanism, storedKey, authMessage));
  const serverFinal = (await step(conn, sasl, Buffer.from(`${clientFinalWithoutProof},p=${proof.toString('base64')}`, 'utf8'))).toString('utf8');
  if (serverFinal !== `v=${hmac(mechanism, serverKey, authMessage).toString('base64')}`) {
    throw new CliError(`${conn.label}: the broker's SCRAM signature does not match (it does not hold this user's credential)`);
  }
}

/** One SaslAuthenticate round trip; the broker's answer bytes. */
async function step(conn: BrokerConnection, sasl: SaslCredentials, authBytes: Buffer): Promise<Buffer> {
  const res = await conn.request(SaslAuthenticateApi, { authBytes });
  if (res.errorCode !== 0) {
    const name = errorInfo.get(res.errorCode)?.[0] ?? `error ${res.errorCode}`;
    throw new CliError(`authentication of '${sasl.username}' with ${sasl.mechanism} at ${conn.label} failed: ${name}${res.errorMessage ? ` (${res.errorMessage})` : ''}`);
  }
  return res.authBytes;
}
