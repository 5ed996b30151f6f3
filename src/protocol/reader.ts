/**
 * Reads Kafka's primitive types from one request or response body. Codecs do no I/O: the server hands a whole frame.
 *
 * Reading past the end throws one `DecodeError`, so generated codecs read freely and a truncated or malformed frame
 * surfaces as a single, catchable error (the connection answers or closes; the broker never crashes).
 * `compact` selects the KIP-482 flexible encodings (unsigned-varint lengths, +1 so that 0 means null).
 */
import { nameErrorClasses } from '../error-names.js';

export class DecodeError extends Error {
  readonly code = 'SAMSA_DECODE_ERROR';
}

const TWO_32 = 4294967296;
/** Kafka's longest string (its int16 length; Kafka refuses longer compact strings too). */
const MAX_STRING_BYTES = 0x7fff;

/**
 * int64 as a JS number: exact below 2^53, which offsets, timestamps and producer ids stay under here. Beyond, the
 * nearest double: 2^63-1 (Long.MAX_VALUE, a client's "no limit") reads as 2^63, which writeInt64 writes back as 2^63-1.
 */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

/**
 * A zigzag-encoded varlong's value from its unsigned one: the sign is the first byte's low bit, as the unsigned value
 * past 2^53 (the nearest double) has lost it.
 */
export const unzigzag = (unsigned: number, negative: boolean): number => (negative ? -(unsigned + 1) / 2 : unsigned / 2);

export class Reader {
  offset: number;

  constructor(readonly buf: Buffer, offset = 0, readonly end = buf.length) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private take(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) throw new DecodeError(`need ${n} bytes at ${at}, have ${this.end - at}`);
    this.offset = at + n;
    return at;
  }

  int8(): number { return this.buf.readInt8(this.take(1)); }
  int16(): number { return this.buf.readInt16BE(this.take(2)); }
  uint16(): number { return this.buf.readUInt16BE(this.take(2)); }
  int32(): number { return this.buf.readInt32BE(this.take(4)); }
  uint32(): number { return this.buf.readUInt32BE(this.take(4)); }
  bool(): boolean { return this.buf[this.take(1)] !== 0; }
  float64(): number { return this.buf.readDoubleBE(this.take(8)); }

  /** See readInt64. */
  int64(): number {
    return readInt64(this.buf, this.take(8));
  }

  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buf[this.take(1)];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new DecodeError('varint longer than 5 bytes');
  }

  /** Zigzag-encoded signed varint (record fields). */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zigzag varlong; exact below 2^53. */
  varlong(): number {
    let value = 0;
    let negative = false;
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.buf[this.take(1)];
      if (shift === 0) negative = (byte & 1) === 1;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return unzigzag(value, negative);
    }
    throw new DecodeError('varlong longer than 10 bytes');
  }

  uuid(): Buffer { return this.raw(16); }

  /** A view (no copy) of the next n bytes. */
  raw(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  /** Length of a string/bytes/array: -1 for null. */
  private length(compact: boolean): number {
    return compact ? this.uvarint() - 1 : -1;
  }

  nullableString(compact: boolean): string | null {
    const n = compact ? this.length(true) : this.int16();
    if (n < 0) return null;
    if (n > MAX_STRING_BYTES) throw new DecodeError(`a string of ${n} bytes (at most ${MAX_STRING_BYTES})`);
    const at = this.take(n);
    const s = this.buf.toString('utf8', at, at + n);
    // Invalid UTF-8 reads as U+FFFD, 3 bytes each when written again: a string stored or echoed back must still fit.
    if (n > MAX_STRING_BYTES / 3 && Buffer.byteLength(s) > MAX_STRING_BYTES) throw new DecodeError(`a string of ${n} bytes of invalid UTF-8`);
    return s;
  }

  string(compact: boolean): string {
    const s = this.nullableString(compact);
    if (s === null) throw new DecodeError('null where a string is required');
    return s;
  }

  nullableBytes(compact: boolean): Buffer | null {
    const n = compact ? this.length(true) : this.int32();
    return n < 0 ? null : this.raw(n);
  }

  bytes(compact: boolean): Buffer {
    return this.nullableBytes(compact) ?? Buffer.alloc(0);
  }

  nullableArray<T>(compact: boolean, item: () => T): T[] | null {
    const n = compact ? this.length(true) : this.int32();
    if (n < 0) return null;
    // Each element takes at least one byte: refuse counts the frame cannot hold before allocating.
    if (n > this.remaining) throw new DecodeError(`array of ${n} elements in ${this.remaining} bytes`);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item();
    return out;
  }

  array<T>(compact: boolean, item: () => T): T[] {
    return this.nullableArray(compact, item) ?? [];
  }

  /** A tagged-field section: known tags go to `onTag`, unknown ones are skipped as KIP-482 requires. */
  taggedFields(onTag?: (tag: number, size: number) => boolean): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      const end = this.offset + size;
      if (!onTag?.(tag, size)) this.take(size);
      else if (this.offset !== end) throw new DecodeError(`tagged field ${tag} is ${size} bytes, read ${this.offset - end + size}`);
    }
  }
}

nameErrorClasses({ DecodeError });
