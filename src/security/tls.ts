/**
 * TLS for the SSL and SASL_SSL listeners with node:tls: PEM files (`ssl.certificate.location`, `ssl.key.location`,
 * `ssl.ca.location`, `ssl.key.password`), `ssl.client.auth` none | requested | required, and for development
 * `ssl.auto` (`--tls auto`): a local CA and a broker certificate for localhost, 127.0.0.1 and ::1 in
 * `<data-dir>/tls/` (ca.pem, ca-key.pem, broker.pem, broker-key.pem; kept across restarts), from which client
 * certificates for mTLS can be issued (`samsa tls client NAME`, `issueClientCertificate`).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsOptions } from 'node:tls';
import { ConfigError, type BrokerConfig } from '../config.js';
import { issueCertificate, type Name } from './x509.js';

export const CA_SUBJECT: Name = [['O', 'Samsa'], ['CN', 'Samsa development CA']];
const FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'broker.pem', key: 'broker-key.pem' };

export interface AutoTls {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
}

function writeSecret(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Creates the CA and the broker certificate in `dir` unless they are there already. */
export function ensureAutoTls(dir: string): AutoTls {
  mkdirSync(dir, { recursive: true });
  const paths = { dir, caPath: join(dir, FILES.ca), certPath: join(dir, FILES.cert), keyPath: join(dir, FILES.key) };
  if (![FILES.ca, FILES.caKey, FILES.cert, FILES.key].every((f) => existsSync(join(dir, f)))) {
    const ca = issueCertificate({ subject: CA_SUBJECT, isCA: true, days: 3650 });
    writeFileSync(paths.caPath, ca.cert);
    writeSecret(join(dir, FILES.caKey), ca.key);
    const broker = issueCertificate({
      subject: [['O', 'Samsa'], ['CN', 'localhost']], altNames: ['localhost', '127.0.0.1', '::1'], usage: ['server', 'client'], days: 825,
      issuer: { subject: CA_SUBJECT, key: ca.keyObject, publicKeyDer: ca.publicKeyDer },
    });
    writeFileSync(paths.certPath, broker.cert);
    writeSecret(paths.keyPath, broker.key);
  }
  return paths;
}

export interface ClientCertificate {
  /** PEM certificate, private key and the CA that signed it (to trust the broker with). */
  cert: string;
  key: string;
  ca: string;
  certPath: string;
  keyPath: string;
  caPath: string;
}

/**
 * Issues a client certificate signed by the local CA in `dir` (created if missing), subject `CN=<name>,OU=<ou>`
 * (Kafka principal `User:CN=<name>,OU=<ou>`), written as <name>.pem and <name>-key.pem.
 */
export function issueClientCertificate(dir: string, name: string, { ou = 'samsa', days = 825 }: { ou?: string; days?: number } = {}): ClientCertificate {
  if (!/^[\w.@-]+$/.test(name)) throw new ConfigError(`client certificate name '${name}' may hold letters, digits and . _ @ - only`);
  const auto = ensureAutoTls(dir);
  const { createPrivateKey, createPublicKey } = process.getBuiltinModule('node:crypto');
  const caKey = createPrivateKey(readFileSync(join(dir, FILES.caKey)));
  const client = issueCertificate({
    subject: [['OU', ou], ['CN', name]], usage: ['client'], days,
    issuer: { subject: CA_SUBJECT, key: caKey, publicKeyDer: createPublicKey(caKey).export({ type: 'spki', format: 'der' }) },
  });
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}-key.pem`);
  writeFileSync(certPath, client.cert);
  writeSecret(keyPath, client.key);
  return { cert: client.cert, key: client.key, ca: readFileSync(auto.caPath, 'utf8'), certPath, keyPath, caPath: auto.caPath };
}

const readPem = (setting: string, path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
};

/** node:tls server options from the ssl.* settings (explicit files win over ssl.auto's). */
export function serverTlsOptions(config: BrokerConfig, auto: AutoTls | null): TlsOptions {
  const certPath = config.get('ssl.certificate.location') || auto?.certPath;
  const keyPath = config.get('ssl.key.location') || auto?.keyPath;
  const caPath = config.get('ssl.ca.location') || auto?.caPath;
  if (!certPath || !keyPath) {
    throw new ConfigError('an SSL or SASL_SSL listener needs ssl.certificate.location and ssl.key.location, or ssl.auto=true (--tls auto)');
  }
  const clientAuth = config.get('ssl.client.auth');
  const passphrase = config.get('ssl.key.password');
  const options: TlsOptions = {
    cert: readPem('ssl.certificate.location', certPath),
    key: readPem('ssl.key.location', keyPath),
    ...(passphrase ? { passphrase } : {}),
    ...(caPath ? { ca: readPem('ssl.ca.location', caPath) } : {}),
    // 'requested': a certificate is asked for; one that does not verify is refused after the handshake (listener.ts).
    requestCert: clientAuth !== 'none',
    rejectUnauthorized: clientAuth === 'required',
    minVersion: 'TLSv1.2',
  };
  try {
    // node:tls loaded here, not imported: only brokers with TLS pay for loading it (milliseconds of every start).
    process.getBuiltinModule('node:tls').createSecureContext(options);
  } catch (err) {
    // OpenSSL's reason ("bad decrypt", "key values mismatch") never holds the password.
    throw new ConfigError(`cannot use ssl.certificate.location/ssl.key.location (check ssl.key.password): ${(err as Error).message}`);
  }
  return options;
}
