/**
 * Kafka record batches v2 (magic 2), as a view over their bytes.
 *
 * The produce/fetch path decodes no record: `parseBatches` validates what a client sent (lengths, magic, CRC32C),
 * `checkRecords` walks the record framing without allocating (compressed batches are inflated first, within a bound,
 * as Kafka's LogValidator inflates them), the log patches the base offset (and, under LogAppendTime, the timestamp) in
 * place and stores the bytes as they came. Records are decoded only on rare paths: compaction, transaction markers,
 * schema validation, internal topics — `decodeBatch` / `encodeBatch` serve those.
 *
 * Layout (big-endian):
 *   0 baseOffset int64 | 8 batchLength int32 (bytes after this field) | 12 partitionLeaderEpoch int32 | 16 magic int8
 *   17 crc uint32 (CRC32C of bytes 21..end) | 21 attributes int16 | 23 lastOffsetDelta int32 | 27 baseTimestamp int64
 *   35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16 | 53 baseSequence int32 | 57 recordCount int32
 *   61 records...
 * Attributes: bits 0-2 compression, bit 3 timestamp type (1 = LogAppendTime), bit 4 transactional, bit 5 control.
 */
import { requirePackage } from '../require-package.js';
import { crc32c } from './crc32c.js';
import { DecodeError, Reader, readInt64, unzigzag } from './reader.js';
import { Writer, writeInt64 } from './writer.js';
import { ErrorCode } from './generated/errors.js';
import { zstdCompress, zstdDecompress, ZstdTooLarge } from './zstd.js';
import { nameErrorClasses } from '../error-names.js';

export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes before `batchLength` starts counting. */
export const LOG_OVERHEAD = 12;

const F = {
  baseOffset: 0, batchLength: 8, leaderEpoch: 12, magic: 16, crc: 17, attributes: 21, lastOffsetDelta: 23,
  baseTimestamp: 27, maxTimestamp: 35, producerId: 43, producerEpoch: 51, baseSequence: 53, recordCount: 57,
} as const;

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionCode = (typeof Compression)[keyof typeof Compression];

export const TimestampType = { createTime: 0, logAppendTime: 1 } as const;

export interface BatchHeader {
  /** Where the batch starts in the buffer it was read from. */
  position: number;
  /** Whole batch size in bytes (batchLength + 12). */
  size: number;
  baseOffset: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  timestampType: number;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** A batch that cannot be accepted or read, with the Kafka error code a broker answers with. */
export class BatchError extends Error {
  readonly code = 'SAMSA_BATCH_ERROR';
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}


/** Reads the header at `pos` without any check; the caller guarantees 61 bytes are there. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  const attributes = buf.readInt16BE(pos + F.attributes);
  return {
    position: pos,
    size: buf.readInt32BE(pos + F.batchLength) + LOG_OVERHEAD,
    baseOffset: readInt64(buf, pos + F.baseOffset),
    partitionLeaderEpoch: buf.readInt32BE(pos + F.leaderEpoch),
    magic: buf.readInt8(pos + F.magic),
    crc: buf.readUInt32BE(pos + F.crc),
    attributes,
    compression: attributes & COMPRESSION_MASK,
    timestampType: attributes & TIMESTAMP_TYPE_BIT ? TimestampType.logAppendTime : TimestampType.createTime,
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    lastOffsetDelta: buf.readInt32BE(pos + F.lastOffsetDelta),
    baseTimestamp: readInt64(buf, pos + F.baseTimestamp),
    maxTimestamp: readInt64(buf, pos + F.maxTimestamp),
    producerId: readInt64(buf, pos + F.producerId),
    producerEpoch: buf.readInt16BE(pos + F.producerEpoch),
    baseSequence: buf.readInt32BE(pos + F.baseSequence),
    recordCount: buf.readInt32BE(pos + F.recordCount),
  };
}

/** Offset of the last record the batch covers (compaction may leave fewer records, never a different range). */
export const lastOffsetOf = (h: Pick<BatchHeader, 'baseOffset' | 'lastOffsetDelta'>): number => h.baseOffset + h.lastOffsetDelta;

/**
 * Checks the batch at `pos` (which must not reach past `end`) and returns its header, or the reason it is invalid.
 * `strict` adds the checks a freshly produced batch must pass (Kafka's LogValidator): a consistent record count and
 * no compression codec we cannot read. Stored batches may have fewer records than offsets after compaction.
 */
export function checkBatchAt(buf: Buffer, pos: number, end: number, strict: boolean): BatchHeader | BatchError {
  const left = end - pos;
  if (left < LOG_OVERHEAD + 5) return new BatchError(ErrorCode.CORRUPT_MESSAGE, `truncated batch header at ${pos}`);
  const magic = buf.readInt8(pos + F.magic);
  if (magic !== 2) {
    // Magic 0/1 message sets are older formats we do not store; anything else is garbage.
    if (magic === 0 || magic === 1) return new BatchError(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format v${magic} is not supported, use v2`);
    return new BatchError(ErrorCode.CORRUPT_MESSAGE, `unknown magic ${magic} at ${pos}`);
  }
  const size = buf.readInt32BE(pos + F.batchLength) + LOG_OVERHEAD;
  if (size < BATCH_HEADER_SIZE) return new BatchError(ErrorCode.CORRUPT_MESSAGE, `batch length ${size - LOG_OVERHEAD} below the header size`);
  if (size > left) return new BatchError(ErrorCode.CORRUPT_MESSAGE, `batch of ${size} bytes at ${pos} overruns the ${left} available`);
  const crc = buf.readUInt32BE(pos + F.crc);
  if (crc32c(buf.subarray(pos + F.attributes, pos + size)) !== crc) return new BatchError(ErrorCode.CORRUPT_MESSAGE, `CRC mismatch in batch at ${pos}`);
  const h = readBatchHeader(buf, pos);
  if (h.lastOffsetDelta < 0 || h.recordCount < 0) return new BatchError(ErrorCode.CORRUPT_MESSAGE, `negative record count or offset delta at ${pos}`);
  if (strict) {
    if (h.recordCount === 0 || h.recordCount !== h.lastOffsetDelta + 1) {
      return new BatchError(ErrorCode.INVALID_RECORD, `record count ${h.recordCount} does not match last offset delta ${h.lastOffsetDelta}`);
    }
    if (h.compression > Compression.zstd) return new BatchError(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${h.compression}`);
  }
  return h;
}

/**
 * Splits a produce request's `records` into batches and validates each one. Returns the headers, or the first
 * error: nothing of a partition's data is stored when one of its batches is bad. Control batches may only be
 * written by the broker itself.
 */
export function parseBatches(records: Buffer): BatchHeader[] | BatchError {
  const batches: BatchHeader[] = [];
  let pos = 0;
  while (pos < records.length) {
    const h = checkBatchAt(records, pos, records.length, true);
    if (h instanceof BatchError) return h;
    if (h.isControl) return new BatchError(ErrorCode.INVALID_RECORD, 'clients may not write control batches');
    batches.push(h);
    pos += h.size;
  }
  if (batches.length === 0) return new BatchError(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
  return batches;
}

/** Sets the base offset (outside the CRC, so no recomputation). */
export function setBaseOffset(buf: Buffer, pos: number, offset: number): void {
  writeInt64(buf, pos + F.baseOffset, offset);
}

/** Stamps the leader epoch (outside the CRC too), as a leader does on append. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + F.leaderEpoch);
}

/**
 * LogAppendTime: the broker's clock replaces the batch timestamp. Kafka sets the timestamp-type bit and
 * maxTimestamp (consumers then read every record's timestamp as maxTimestamp), which changes the CRC.
 */
export function setLogAppendTime(buf: Buffer, pos: number, size: number, timestamp: number): void {
  buf.writeInt16BE(buf.readInt16BE(pos + F.attributes) | TIMESTAMP_TYPE_BIT, pos + F.attributes);
  writeMaxTimestamp(buf, pos, size, timestamp);
}

/**
 * Makes maxTimestamp `timestamp` (Kafka's LogValidator stores the records' own maximum, not the client's), with the
 * CRC over it; nothing is written when it already is.
 */
export function setMaxTimestamp(buf: Buffer, pos: number, size: number, timestamp: number): void {
  if (readInt64(buf, pos + F.maxTimestamp) !== timestamp) writeMaxTimestamp(buf, pos, size, timestamp);
}

function writeMaxTimestamp(buf: Buffer, pos: number, size: number, timestamp: number): void {
  writeInt64(buf, pos + F.maxTimestamp, timestamp);
  buf.writeUInt32BE(crc32c(buf.subarray(pos + F.attributes, pos + size)), pos + F.crc);
}

// ---- compression (native codecs load on first use to keep broker start fast) ----

/**
 * How far a compressed batch may inflate: this many times max.message.bytes (which Kafka applies to the compressed
 * size). Kafka streams records out of the codec and has no such cap; we decompress into one buffer, so a bomb (32 KB of
 * zstd claiming 1 GiB) must stop at a bound. 32x leaves room for well-compressed real batches (a Java producer with a
 * 1 MiB batch.size and a good ratio) and a Java producer that still hits it splits the batch on MESSAGE_TOO_LARGE.
 */
export const INFLATION_FACTOR = 32;
export const inflatedLimit = (maxMessageBytes: number): number => Math.max(1, maxMessageBytes) * INFLATION_FACTOR;
/** The bound when no topic config is at hand (Kafka's default max.message.bytes). */
export const DEFAULT_INFLATED_LIMIT = inflatedLimit(1048588);

const tooLarge = (limit: number) => new BatchError(ErrorCode.MESSAGE_TOO_LARGE, `records inflate beyond ${limit} bytes (${INFLATION_FACTOR} x max.message.bytes)`);

/** `decompress` never allocates more than `limit` (+ a codec's small working buffers) and throws `tooLarge` past it. */
interface Codec { compress(b: Buffer): Buffer; decompress(b: Buffer, limit: number): Buffer }
const codecs = new Map<number, Codec>();

// Java clients frame snappy the xerial way: a 16-byte header then [int32 length][raw snappy block]...;
// librdkafka and kafkajs may send raw snappy. We read both and write xerial, which every client reads.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
const XERIAL_BLOCK = 32 * 1024;

/**
 * A raw snappy block starts with its uncompressed length (an unsigned varint, up to 32 bits). Snappy cannot expand
 * more than ~21x (a 3-byte copy yields at most 64 bytes), so a larger claim is corrupt, not merely large.
 */
function snappyLength(b: Buffer): number {
  let n = 0;
  for (let i = 0; i < 5 && i < b.length; i++) {
    n += (b[i] & 0x7f) * 2 ** (7 * i);
    if (b[i] >= 0x80) continue;
    if (n > 32 * b.length) throw new Error(`snappy block of ${b.length} bytes claims ${n}`);
    return n;
  }
  throw new Error('bad snappy length preamble');
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/**
 * The most an LZ4 frame can inflate to, from its block headers alone: each compressed block holds at most the
 * frame's block maximum, a stored block exactly its size. Real frames fill their blocks, so this is close to exact.
 */
function lz4Bound(b: Buffer): number {
  let total = 0;
  for (let i = 0; i < b.length;) {
    if (i + 7 > b.length || b.readUInt32LE(i) !== LZ4_MAGIC) throw new Error('bad LZ4 frame header');
    const flags = b[i + 4];
    const blockMax = LZ4_BLOCK_MAX[(b[i + 5] >> 4) & 7];
    if (flags >> 6 !== 1 || blockMax === 0) throw new Error('bad LZ4 frame descriptor');
    i += 7 + (flags & 0x08 ? 8 : 0) + (flags & 0x01 ? 4 : 0);
    const blockChecksum = flags & 0x10 ? 4 : 0;
    for (;;) {
      if (i + 4 > b.length) throw new Error('truncated LZ4 frame');
      const word = b.readUInt32LE(i);
      i += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (size > blockMax) throw new Error('LZ4 block larger than the frame allows');
      total += word & 0x80000000 ? size : blockMax;
      i += size + blockChecksum;
    }
    i += flags & 0x04 ? 4 : 0;
  }
  return total;
}

function loadCodec(code: number): Codec {
  switch (code) {
    case Compression.gzip: {
      // Loaded with the codec, not imported: a broker that never sees gzip does not load zlib.
      const { gunzipSync, gzipSync } = process.getBuiltinModule('node:zlib');
      // zlib stops as soon as the output passes maxOutputLength (RangeError ERR_BUFFER_TOO_LARGE).
      return {
        compress: (b) => gzipSync(b),
        decompress(b, limit) {
          try {
            return gunzipSync(b, { maxOutputLength: limit, chunkSize: 64 * 1024 });
          } catch (err) {
            if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
            throw err;
          }
        },
      };
    }
    case Compression.snappy: {
      const snappy = requirePackage<{ compressSync(b: Buffer): Buffer; uncompressSync(b: Buffer, o?: object): Buffer }>('snappy');
      // Each raw block declares its inflated length up front: summed and checked before anything is allocated.
      const raw = (b: Buffer) => snappy.uncompressSync(b, { asBuffer: true }) as Buffer;
      return {
        compress(b) {
          const parts: Buffer[] = [XERIAL_HEADER];
          for (let i = 0; i < b.length; i += XERIAL_BLOCK) {
            const block = snappy.compressSync(b.subarray(i, i + XERIAL_BLOCK));
            const len = Buffer.allocUnsafe(4);
            len.writeInt32BE(block.length);
            parts.push(len, block);
          }
          return Buffer.concat(parts);
        },
        decompress(b, limit) {
          if (b.length < 16 || !b.subarray(0, 8).equals(XERIAL_MAGIC)) {
            if (snappyLength(b) > limit) throw tooLarge(limit);
            return raw(b);
          }
          const blocks: Buffer[] = [];
          let total = 0;
          for (let i = 16; i < b.length;) {
            const n = i + 4 <= b.length ? b.readInt32BE(i) : -1;
            if (n < 0 || i + 4 + n > b.length) throw new Error('truncated xerial snappy block');
            const block = b.subarray(i + 4, i + 4 + n);
            total += snappyLength(block);
            if (total > limit) throw tooLarge(limit);
            blocks.push(block);
            i += 4 + n;
          }
          return Buffer.concat(blocks.map(raw), total);
        },
      };
    }
    case Compression.lz4: {
      // Magic v2 uses the standard LZ4 frame format (the broken v0/v1 header checksum is not our concern).
      const lz4 = requirePackage<{ compressFrameSync(b: Buffer): Buffer; decompressFrameSync(b: Buffer): Buffer }>('lz4-napi');
      return {
        compress: (b) => lz4.compressFrameSync(b),
        decompress(b, limit) {
          if (lz4Bound(b) > limit) throw tooLarge(limit);
          return lz4.decompressFrameSync(b);
        },
      };
    }
    case Compression.zstd: {
      return {
        compress: zstdCompress,
        decompress(b, limit) {
          try {
            return zstdDecompress(b, limit);
          } catch (err) {
            if (err instanceof ZstdTooLarge) throw tooLarge(limit);
            throw err;
          }
        },
      };
    }
    default:
      throw new BatchError(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${code}`);
  }
}

function codec(code: number): Codec {
  let c = codecs.get(code);
  if (!c) codecs.set(code, (c = loadCodec(code)));
  return c;
}

export function compress(code: number, data: Buffer): Buffer {
  return code === Compression.none ? data : codec(code).compress(data);
}

/** Inflates a batch's records, refusing (MESSAGE_TOO_LARGE) before more than `limit` bytes are allocated. */
export function decompress(code: number, data: Buffer, limit = DEFAULT_INFLATED_LIMIT): Buffer {
  if (code === Compression.none) return data;
  try {
    return codec(code).decompress(data, limit);
  } catch (err) {
    if (err instanceof BatchError) throw err;
    throw new BatchError(ErrorCode.CORRUPT_MESSAGE, `cannot decompress (codec ${code}): ${(err as Error).message}`);
  }
}

// ---- record framing, checked on every produce (Kafka's LogValidator walks every record it appends) ----

// The scan below keeps its position here: no objects per record, so checking costs no allocation.
let scanAt = 0;
/** A record's timestamp when it has none (Kafka's RecordBatch.NO_TIMESTAMP). */
const NO_TIMESTAMP = -1;

/** A zigzag varint of at most 5 bytes whose value fits an int32; NaN when longer, out of range or cut off. */
function scanVarint(b: Buffer, end: number): number {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    if (scanAt >= end) return NaN;
    const byte = b[scanAt++];
    if (i === 4 && byte > 0x0f) return NaN;
    v |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) return (v >>> 1) ^ -(v & 1);
  }
  return NaN;
}

/**
 * A zigzag varlong (at most 10 bytes, the 10th holding only the top bit) as a number: exact within ±2^52, the
 * nearest double beyond (with the right sign: the first byte's low bit); NaN when malformed.
 */
function scanVarlong(b: Buffer, end: number): number {
  const negative = scanAt < end && (b[scanAt] & 1) === 1;
  let v = 0;
  for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
    if (scanAt >= end) return NaN;
    const byte = b[scanAt++];
    v += (byte & 0x7f) * scale;
    if (byte < 0x80) return i < 9 || byte <= 1 ? unzigzag(v, negative) : NaN;
  }
  return NaN;
}

/** Skips a length-prefixed byte field (-1 = null, when `nullable`); returns its length, or NaN when malformed. */
function skipBytes(b: Buffer, end: number, nullable: boolean): number {
  const n = scanVarint(b, end);
  if (!(n >= (nullable ? -1 : 0)) || (n > 0 && scanAt + n > end)) return NaN;
  if (n > 0) scanAt += n;
  return n;
}

export interface RecordsScan {
  /** Some record has a null key (refused on compacted topics). */
  nullKey: boolean;
  /** The records' timestamps (base timestamp + delta), -1 (NO_TIMESTAMP) ones left out: Infinity and -1 when none. */
  minTimestamp: number;
  maxTimestamp: number;
}

/**
 * Walks the records in `b[start, end)` without decoding them: exactly `count` records, each with a length that fits,
 * canonical varints, offset deltas 0, 1, 2..., key/value/header lengths inside the record, nothing left over. Returns
 * what the caller needs to know, or the problem (Kafka's InvalidRecordException: INVALID_RECORD).
 */
export function scanRecords(b: Buffer, start: number, end: number, count: number, baseTimestamp = 0): RecordsScan | BatchError {
  const bad = (i: number, what: string) => new BatchError(ErrorCode.INVALID_RECORD, `record ${i}: ${what}`);
  // The smallest record takes 7 bytes (length + attributes, timestamp, offset, key, value, header count).
  if (count > (end - start) / 7) return new BatchError(ErrorCode.INVALID_RECORD, `record count ${count} exceeds what ${end - start} bytes can hold`);
  let nullKey = false;
  let minTimestamp = Infinity;
  let maxTimestamp = NO_TIMESTAMP;
  scanAt = start;
  for (let i = 0; i < count; i++) {
    const length = scanVarint(b, end);
    if (!(length >= 6) || scanAt + length > end) return bad(i, `invalid record length ${length}`);
    const recordEnd = scanAt + length;
    scanAt++; // attributes: unused in v2
    const timestampDelta = scanVarlong(b, recordEnd);
    if (Number.isNaN(timestampDelta)) return bad(i, 'invalid timestamp delta');
    const timestamp = baseTimestamp + timestampDelta;
    if (timestamp !== NO_TIMESTAMP) {
      if (timestamp < minTimestamp) minTimestamp = timestamp;
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    }
    if (scanVarint(b, recordEnd) !== i) return bad(i, 'offset delta out of sequence');
    const key = skipBytes(b, recordEnd, true);
    if (Number.isNaN(key)) return bad(i, 'invalid key length');
    if (key < 0) nullKey = true;
    if (Number.isNaN(skipBytes(b, recordEnd, true))) return bad(i, 'invalid value length');
    const headers = scanVarint(b, recordEnd);
    if (!(headers >= 0)) return bad(i, `invalid header count ${headers}`);
    for (let h = 0; h < headers; h++) {
      if (Number.isNaN(skipBytes(b, recordEnd, false)) || Number.isNaN(skipBytes(b, recordEnd, true))) return bad(i, `invalid header ${h}`);
    }
    if (scanAt !== recordEnd) return bad(i, `record length ${length} does not match its fields`);
  }
  if (scanAt !== end) return new BatchError(ErrorCode.INVALID_RECORD, `${end - scanAt} bytes left after the ${count} records the batch declares`);
  return { nullKey, minTimestamp, maxTimestamp };
}

/**
 * Checks the records of a produced batch (header already validated): compressed ones are inflated within `limit`
 * first. Throws BatchError.
 */
export function checkRecords(buf: Buffer, h: BatchHeader, limit: number): RecordsScan {
  const start = h.position + BATCH_HEADER_SIZE;
  const end = h.position + h.size;
  let scan: RecordsScan | BatchError;
  if (h.compression === Compression.none) scan = scanRecords(buf, start, end, h.recordCount, h.baseTimestamp);
  else {
    const body = decompress(h.compression, buf.subarray(start, end), limit);
    scan = scanRecords(body, 0, body.length, h.recordCount, h.baseTimestamp);
  }
  if (scan instanceof BatchError) throw scan;
  return scan;
}

// ---- records ----

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  /** Absolute offset: batch base offset + offset delta. */
  offset: number;
  /** Absolute timestamp (the batch maxTimestamp for every record under LogAppendTime). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
}

/**
 * Decodes the records of the one whole batch in `buf` (from `pos`). Throws BatchError (CORRUPT_MESSAGE) when the
 * records do not parse, MESSAGE_TOO_LARGE when they would inflate past `limit`. Keys and values are views into the (decompressed) bytes.
 */
export function decodeBatch(buf: Buffer, pos = 0, limit = DEFAULT_INFLATED_LIMIT): DecodedBatch {
  const header = readBatchHeader(buf, pos);
  const body = decompress(header.compression, buf.subarray(pos + BATCH_HEADER_SIZE, pos + header.size), limit);
  const r = new Reader(body);
  const records: DecodedRecord[] = [];
  const logAppend = header.timestampType === TimestampType.logAppendTime;
  try {
    for (let i = 0; i < header.recordCount; i++) {
      const length = r.varint();
      const end = r.offset + length;
      r.int8(); // record attributes: unused
      const timestampDelta = r.varlong();
      const offsetDelta = r.varint();
      const key = bytesOrNull(r);
      const value = bytesOrNull(r);
      const headers: RecordHeader[] = [];
      for (let n = r.varint(); n > 0; n--) {
        const hk = bytesOrNull(r);
        headers.push({ key: hk ? hk.toString('utf8') : '', value: bytesOrNull(r) });
      }
      if (r.offset !== end) throw new DecodeError(`record length ${length} does not match its fields`);
      records.push({
        offset: header.baseOffset + offsetDelta,
        timestamp: logAppend ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
        key, value, headers,
      });
    }
  } catch (err) {
    if (err instanceof DecodeError) throw new BatchError(ErrorCode.CORRUPT_MESSAGE, `malformed records: ${err.message}`);
    throw err;
  }
  return { header, records };
}

function bytesOrNull(r: Reader): Buffer | null {
  const n = r.varint();
  return n < 0 ? null : r.raw(n);
}

export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  /** Default: the batch's base timestamp (or now). */
  timestamp?: number;
  /** Absolute offset, to keep offsets when rewriting (compaction); default: consecutive from baseOffset. */
  offset?: number;
}

export interface BatchOptions {
  baseOffset?: number;
  compression?: number;
  timestampType?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Keep a batch's original offset range when records were removed (compaction). */
  lastOffsetDelta?: number;
  /** Default: the smallest record timestamp. */
  baseTimestamp?: number;
  /** Default: the largest record timestamp. */
  maxTimestamp?: number;
}

/** Builds one batch v2 with a valid CRC. Used for internal topics, control batches, compaction and tests. */
export function encodeBatch(records: readonly RecordInput[], opts: BatchOptions = {}): Buffer {
  const baseOffset = opts.baseOffset ?? 0;
  const now = Date.now();
  const stamps = records.map((r) => r.timestamp ?? opts.baseTimestamp ?? now);
  const baseTimestamp = opts.baseTimestamp ?? (stamps.length ? Math.min(...stamps) : now);
  const maxTimestamp = opts.maxTimestamp ?? (stamps.length ? Math.max(...stamps) : baseTimestamp);
  const body = new Writer(256);
  let lastDelta = -1;
  records.forEach((rec, i) => {
    const offsetDelta = rec.offset !== undefined ? rec.offset - baseOffset : i;
    lastDelta = Math.max(lastDelta, offsetDelta);
    const w = new Writer(64);
    w.int8(0).varlong(stamps[i] - baseTimestamp).varint(offsetDelta);
    writeBytes(w, rec.key);
    writeBytes(w, rec.value);
    const headers = rec.headers ?? [];
    w.varint(headers.length);
    for (const h of headers) {
      writeBytes(w, Buffer.from(h.key, 'utf8'));
      writeBytes(w, h.value);
    }
    const encoded = w.toBuffer();
    body.varint(encoded.length).raw(encoded);
  });
  const compression = opts.compression ?? Compression.none;
  const payload = compress(compression, body.toBuffer());
  const size = BATCH_HEADER_SIZE + payload.length;
  const buf = Buffer.allocUnsafe(size);
  let attributes = compression;
  if (opts.timestampType === TimestampType.logAppendTime) attributes |= TIMESTAMP_TYPE_BIT;
  if (opts.isTransactional) attributes |= TRANSACTIONAL_BIT;
  if (opts.isControl) attributes |= CONTROL_BIT;
  writeInt64(buf, F.baseOffset, baseOffset);
  buf.writeInt32BE(size - LOG_OVERHEAD, F.batchLength);
  buf.writeInt32BE(opts.partitionLeaderEpoch ?? -1, F.leaderEpoch);
  buf.writeInt8(2, F.magic);
  buf.writeInt16BE(attributes, F.attributes);
  buf.writeInt32BE(opts.lastOffsetDelta ?? Math.max(lastDelta, 0), F.lastOffsetDelta);
  writeInt64(buf, F.baseTimestamp, baseTimestamp);
  writeInt64(buf, F.maxTimestamp, maxTimestamp);
  writeInt64(buf, F.producerId, opts.producerId ?? -1);
  buf.writeInt16BE(opts.producerEpoch ?? -1, F.producerEpoch);
  buf.writeInt32BE(opts.baseSequence ?? -1, F.baseSequence);
  buf.writeInt32BE(records.length, F.recordCount);
  payload.copy(buf, BATCH_HEADER_SIZE);
  buf.writeUInt32BE(crc32c(buf.subarray(F.attributes)), F.crc);
  return buf;
}

function writeBytes(w: Writer, b: Buffer | null): void {
  if (b === null) w.varint(-1);
  else w.varint(b.length).raw(b);
}

// ---- control batches (transaction markers) ----

export const ControlType = { abort: 0, commit: 1 } as const;

/** A COMMIT or ABORT marker: key = version int16 + type int16, value = version int16 + coordinatorEpoch int32. */
export function encodeControlBatch(commit: boolean, producerId: number, producerEpoch: number, coordinatorEpoch = 0, timestamp = Date.now()): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? ControlType.commit : ControlType.abort, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return encodeBatch([{ key, value, timestamp }], { isControl: true, isTransactional: true, producerId, producerEpoch });
}

/**
 * For a control batch: true = COMMIT, false = ABORT, null = another control type (or unreadable). Control batches are
 * never compressed, so this reads the first record's key straight from the bytes.
 */
export function controlType(buf: Buffer, pos: number): boolean | null {
  try {
    const { records } = decodeBatch(buf, pos);
    const key = records[0]?.key;
    if (!key || key.length < 4) return null;
    const type = key.readInt16BE(2);
    return type === ControlType.commit ? true : type === ControlType.abort ? false : null;
  } catch {
    return null;
  }
}

nameErrorClasses({ BatchError });
