/**
 * Writes Kafka's primitive types into a list of chunks. Small values go into one growing buffer; large byte
 * payloads (record batches read from the log) are appended as their own chunks without a copy, so a Fetch response
 * hands the stored bytes straight to the socket.
 */
const ZERO_COPY_THRESHOLD = 1024;
const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;

/** int64 from a JS number (see readInt64): 2^63 and above as 2^63-1, below -2^63 as -2^63. */
export function writeInt64(buf: Buffer, at: number, v: number): void {
  if (v >= TWO_63) {
    buf.writeInt32BE(0x7fffffff, at);
    buf.writeUInt32BE(0xffffffff, at + 4);
    return;
  }
  const hi = Math.max(Math.floor(v / TWO_32), -0x80000000);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(Math.max(v - hi * TWO_32, 0), at + 4);
}

export class Writer {
  private buf: Buffer;
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private flushedBytes = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.pos;
  }

  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  // room() may replace this.buf, so it must run before this.buf is read: `at` first, then the write.
  int8(v: number): this { const at = this.room(1); this.buf.writeInt8(v, at); return this; }
  int16(v: number): this { const at = this.room(2); this.buf.writeInt16BE(v, at); return this; }
  uint16(v: number): this { const at = this.room(2); this.buf.writeUInt16BE(v, at); return this; }
  int32(v: number): this { const at = this.room(4); this.buf.writeInt32BE(v, at); return this; }
  uint32(v: number): this { const at = this.room(4); this.buf.writeUInt32BE(v, at); return this; }
  bool(v: boolean): this { const at = this.room(1); this.buf[at] = v ? 1 : 0; return this; }
  float64(v: number): this { const at = this.room(8); this.buf.writeDoubleBE(v, at); return this; }

  int64(v: number): this {
    const at = this.room(8); // may replace this.buf: taken first
    writeInt64(this.buf, at, v);
    return this;
  }

  uvarint(v: number): this {
    while (v >= 0x80) {
      const at = this.room(1);
      this.buf[at] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  varlong(v: number): this {
    return this.varint(v);
  }

  uuid(v: Buffer): this {
    return this.raw(v.length === 16 ? v : Buffer.alloc(16));
  }

  raw(v: Buffer): this {
    if (v.length >= ZERO_COPY_THRESHOLD) {
      this.flushPart();
      this.chunks.push(v);
      this.flushedBytes += v.length;
    } else {
      const at = this.room(v.length);
      v.copy(this.buf, at);
    }
    return this;
  }

  private lengthPrefix(n: number, compact: boolean, wide: boolean): this {
    if (compact) return this.uvarint(n + 1);
    return wide ? this.int32(n) : this.int16(n);
  }

  nullableString(v: string | null, compact: boolean): this {
    if (v === null) {
      this.lengthPrefix(-1, compact, false);
      return this;
    }
    const n = Buffer.byteLength(v);
    this.lengthPrefix(n, compact, false);
    const at = this.room(n);
    this.buf.write(v, at, n, 'utf8');
    return this;
  }

  string(v: string, compact: boolean): this {
    return this.nullableString(v, compact);
  }

  nullableBytes(v: Buffer | null, compact: boolean): this {
    if (v === null) this.lengthPrefix(-1, compact, true);
    else this.lengthPrefix(v.length, compact, true).raw(v);
    return this;
  }

  bytes(v: Buffer, compact: boolean): this {
    return this.nullableBytes(v, compact);
  }

  /** Record sets: one buffer or several stored batches, written back to back without copying. */
  records(v: Buffer | Buffer[] | null, compact: boolean): this {
    if (v === null || Buffer.isBuffer(v)) return this.nullableBytes(v, compact);
    let n = 0;
    for (const b of v) n += b.length;
    this.lengthPrefix(n, compact, true);
    for (const b of v) this.raw(b);
    return this;
  }

  nullableArray<T>(v: readonly T[] | null, compact: boolean, item: (x: T) => void): this {
    if (v === null) {
      this.lengthPrefix(-1, compact, true);
      return this;
    }
    this.lengthPrefix(v.length, compact, true);
    for (const x of v) item(x);
    return this;
  }

  array<T>(v: readonly T[], compact: boolean, item: (x: T) => void): this {
    return this.nullableArray(v, compact, item);
  }

  /** A tagged-field section; `fields` lists [tag, write] for the tags that have a non-default value, in tag order. */
  taggedFields(fields: Array<[number, (w: Writer) => void]> = []): this {
    this.uvarint(fields.length);
    for (const [tag, write] of fields) {
      const inner = new Writer(64);
      write(inner);
      this.uvarint(tag).uvarint(inner.length);
      for (const chunk of inner.finish()) this.raw(chunk);
    }
    return this;
  }

  private flushPart(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushedBytes += this.pos;
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
    if (this.buf.length < 64) this.buf = Buffer.allocUnsafe(256);
  }

  /** The written bytes as chunks; the writer must not be used afterwards. */
  finish(): Buffer[] {
    this.flushPart();
    return this.chunks;
  }

  /** The written bytes as one buffer (tests, small messages). */
  toBuffer(): Buffer {
    const chunks = this.finish();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }
}
