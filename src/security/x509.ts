/**
 * A small X.509 v3 certificate builder over node:crypto, for `--tls auto` (a local CA, a broker certificate and
 * client certificates for mTLS). Keys are ECDSA P-256, signatures ecdsa-with-SHA256: DER is written by hand (a
 * dozen ASN.1 types), keys and signatures come from node:crypto. Parsing and verification are node:crypto's
 * X509Certificate's business; this file only writes.
 */
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

// --- DER (ITU-T X.690): tag, definite length, contents ---
function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n])
    : n < 0x100 ? Buffer.from([0x81, n])
      : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff])
        : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...items: Buffer[]) => der(0x30, ...items);
const set = (...items: Buffer[]) => der(0x31, ...items);
const explicit = (n: number, item: Buffer) => der(0xa0 + n, item);
const octets = (b: Buffer) => der(0x04, b);
const bitString = (b: Buffer) => der(0x03, Buffer.from([0]), b);
const bool = (b: boolean) => der(0x01, Buffer.from([b ? 0xff : 0]));
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1] & 0x80) === 0) b = b.subarray(1);
  return der(0x02, (b[0] & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0] + parts[1]];
  for (const n of parts.slice(2)) {
    const base128 = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    out.push(...base128);
  }
  return der(0x06, Buffer.from(out));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
}

const ATTRIBUTES: Record<string, string> = { CN: '2.5.4.3', OU: '2.5.4.11', O: '2.5.4.10', L: '2.5.4.7', ST: '2.5.4.8', C: '2.5.4.6' };

/** A distinguished name, most general first in the certificate (as written: [['O','samsa'],['CN','alice']]). */
export type Name = Array<[keyof typeof ATTRIBUTES | string, string]>;

function name(rdns: Name): Buffer {
  return seq(...rdns.map(([type, value]) => {
    const id = ATTRIBUTES[type];
    if (!id) throw new Error(`unknown name attribute ${type}`);
    // countryName is a PrintableString; the rest UTF8String.
    return set(seq(oid(id), type === 'C' ? der(0x13, Buffer.from(value)) : utf8(value)));
  }));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function subjectAltNames(names: string[]): Buffer {
  return seq(...names.map((n) => {
    if (isIP(n) === 4) return der(0x87, Buffer.from(n.split('.').map(Number)));
    if (isIP(n) === 6) return der(0x87, ipv6Bytes(n));
    return der(0x82, Buffer.from(n, 'ascii')); // dNSName, IA5String
  }));
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail = ''] = address.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = address.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface IssuedCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export interface CertificateRequest {
  subject: Name;
  /** DNS names and IP addresses (subjectAltName). */
  altNames?: string[];
  /** A CA certificate (may sign others) rather than an end entity. */
  isCA?: boolean;
  /** Extended key usages of an end entity; default both server and client authentication. */
  usage?: Array<'server' | 'client'>;
  days: number;
  /** The issuer (absent: self-signed). */
  issuer?: { subject: Name; key: KeyObject; publicKeyDer: Buffer };
  now?: Date;
}

/** Issues a certificate for a new P-256 key pair. */
export function issueCertificate(req: CertificateRequest): IssuedCertificate & { keyObject: KeyObject; publicKeyDer: Buffer } {
  const { createHash, generateKeyPairSync, randomBytes, sign } = process.getBuiltinModule('node:crypto'); // loaded with --tls auto only
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const now = req.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000); // an hour of slack for clocks a little behind
  const notAfter = new Date(now.getTime() + req.days * 86_400_000);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  serial[0] |= 0x01; // positive and not shortened
  const keyId = (publicKeyDer: Buffer) => createHash('sha1').update(publicKeyDer).digest();
  const issuer = req.issuer ?? { subject: req.subject, key: privateKey, publicKeyDer: spki };
  const extensions = [
    extension('2.5.29.19', true, req.isCA ? seq(bool(true), integer(Buffer.from([0]))) : seq()),
    // keyUsage: CA: keyCertSign + cRLSign (bits 5, 6); end entity: digitalSignature + keyEncipherment (bits 0, 2).
    extension('2.5.29.15', true, req.isCA ? der(0x03, Buffer.from([1, 0x06])) : der(0x03, Buffer.from([5, 0xa0]))),
    extension('2.5.29.14', false, octets(keyId(spki))),
    extension('2.5.29.35', false, seq(der(0x80, keyId(issuer.publicKeyDer)))),
  ];
  if (!req.isCA) {
    const usage = req.usage ?? ['server', 'client'];
    extensions.push(extension('2.5.29.37', false, seq(...usage.map((u) => oid(u === 'server' ? SERVER_AUTH : CLIENT_AUTH)))));
  }
  if (req.altNames?.length) extensions.push(extension('2.5.29.17', false, subjectAltNames(req.altNames)));
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_WITH_SHA256,
    name(issuer.subject),
    seq(time(notBefore), time(notAfter)),
    name(req.subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer.key); // DER ECDSA-Sig-Value, as X.509 wants it
  const certificate = seq(tbs, ECDSA_WITH_SHA256, bitString(signature));
  return {
    cert: toPem('CERTIFICATE', certificate),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    keyObject: privateKey,
    publicKeyDer: spki,
  };
}

function toPem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
