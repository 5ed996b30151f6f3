/** One raw Kafka connection (plain or TLS) that sends requests and raw SASL tokens and reads the answers in turn. */
import { Socket, connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { once } from 'node:events';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';
import { isFlexible, type ApiCodec } from '../../src/protocol/api.js';

export class RawSession {
  private buf = Buffer.alloc(0);
  private waiting: ((frame: Buffer | null) => void) | null = null;
  closed = false;
  private correlationId = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => { this.buf = Buffer.concat([this.buf, chunk]); this.deliver(); });
    socket.on('error', () => {});
    socket.on('close', () => { this.closed = true; this.deliver(); });
  }

  static async open(port: number, tls?: { ca: string; cert?: string; key?: string }): Promise<RawSession> {
    const socket = tls ? connectTls({ port, host: '127.0.0.1', servername: 'localhost', ...tls }) : connectTcp(port, '127.0.0.1');
    await once(socket, tls ? 'secureConnect' : 'connect');
    return new RawSession(socket);
  }

  private deliver(): void {
    if (!this.waiting) return;
    if (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
      const size = this.buf.readInt32BE(0);
      const frame = this.buf.subarray(4, 4 + size);
      this.buf = this.buf.subarray(4 + size);
      const w = this.waiting;
      this.waiting = null;
      w(frame);
    } else if (this.closed) {
      const w = this.waiting;
      this.waiting = null;
      w(null);
    }
  }

  /** The next frame, or null once the broker closed the connection. */
  next(): Promise<Buffer | null> {
    return new Promise((resolve) => { this.waiting = resolve; this.deliver(); });
  }

  /** Sends a request without waiting for an answer (an acks=0 Produce has none). */
  send<Req, Res>(api: ApiCodec<Req, Res>, version: number, body: Req): void {
    const w = new Writer();
    w.int32(0).int16(api.key).int16(version).int32(++this.correlationId).nullableString('raw-session', false);
    if (isFlexible(api, version)) w.taggedFields();
    api.writeRequest(w, version, body);
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    this.socket.write(frame);
  }

  /** Sends a request; resolves to its response, or null when the connection closed instead. */
  async call<Req, Res>(api: ApiCodec<Req, Res>, version: number, body: Req): Promise<Res | null> {
    this.send(api, version, body);
    const answer = await this.next();
    if (answer === null) return null;
    const r = new Reader(answer);
    r.int32();
    if (isFlexible(api, version) && api.key !== 18) r.taggedFields();
    return api.readResponse(r, version);
  }

  /** Sends a raw SASL token (after SaslHandshake v0); resolves to the raw answer, or null when closed. */
  async raw(token: Buffer): Promise<Buffer | null> {
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length, 0);
    this.socket.write(Buffer.concat([size, token]));
    return this.next();
  }

  close(): void { this.socket.destroy(); }
}

/** A SCRAM client (RFC 5802) for tests that tamper with its messages. */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
export function scramClient(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', user: string, password: string) {
  const h = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  const nonce = randomBytes(18).toString('base64');
  const bare = `n=${user},r=${nonce}`;
  return {
    first: Buffer.from(`n,,${bare}`),
    final(serverFirst: Buffer): { message: Buffer; serverSignature: string } {
      const text = serverFirst.toString();
      const attrs = Object.fromEntries(text.split(',').map((kv) => [kv[0], kv.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), h === 'sha256' ? 32 : 64, h);
      const clientKey = createHmac(h, salted).update('Client Key').digest();
      const storedKey = createHash(h).update(clientKey).digest();
      const withoutProof = `c=biws,r=${attrs.r}`;
      const authMessage = `${bare},${text},${withoutProof}`;
      const signature = createHmac(h, storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
      const serverSignature = createHmac(h, createHmac(h, salted).update('Server Key').digest()).update(authMessage).digest('base64');
      return { message: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`), serverSignature };
    },
  };
}
