/**
 * One segment of a partition log: `<20-digit base offset>.log` holding whole record batches exactly as stored
 * (offsets patched), with its sparse `.index` and `.timeindex`.
 */
import { BATCH_HEADER_SIZE, BatchError, LOG_OVERHEAD, checkBatchAt, readBatchHeader, type BatchHeader } from '../protocol/record-batch.js';
import { readInt64 } from '../protocol/reader.js';
import { OffsetIndex, TimeIndex } from './indexes.js';
import type { LogDir, LogFile } from './storage.js';
import { copyAt, firstBytes, type ReadArena } from './read-buffers.js';

const INT32_MAX = 2 ** 31 - 1;
/** Read size when walking headers: big enough to cover many small batches per syscall. */
const WALK_CHUNK = 256 * 1024;
const SMALL_BATCH = 16 * 1024;
// Header field positions needed when stepping from batch to batch.
const LENGTH_AT = 8;
const MAGIC_AT = 16;
const LAST_DELTA_AT = 23;
/** Header reads of every segment land here: each use is synchronous, and a per-segment buffer adds up over 10^5 segments. */
const scratch = Buffer.alloc(BATCH_HEADER_SIZE);

/** Reads at least this long go to the thread pool (a 16 MiB read from the page cache holds a thread ~5 ms). */
const ASYNC_READ_BYTES = 256 * 1024;
/** Where `measureFrom` reads batch headers (every use is synchronous). */
const headerChunk = Buffer.allocUnsafeSlow(64 * 1024);
/** Where `wholeBatches` copies a batch's offset and length when they straddle two slabs. */
const straddling = Buffer.alloc(LENGTH_AT + 4);

/** Bytes at the start of the first `length` bytes of `spans` that are whole batches starting below `upTo`. */
function wholeBatches(spans: readonly Buffer[], length: number, upTo: number): number {
  let end = 0;
  let span = 0;
  let spanStart = 0;
  while (end + BATCH_HEADER_SIZE <= length) {
    while (end >= spanStart + spans[span].length) spanStart += spans[span++].length;
    let head = spans[span];
    let at = end - spanStart;
    if (at + straddling.length > head.length) {
      copyAt(spans, end, straddling);
      head = straddling;
      at = 0;
    }
    const size = head.readInt32BE(at + LENGTH_AT) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE || end + size > length || readInt64(head, at) >= upTo) break;
    end += size;
  }
  return end;
}

/** The first segment's file names, one string each for every partition: most partitions (idle ones) have only it. */
const firstSegmentNames = new Map<string, string>();

export function segmentName(baseOffset: number, ext: string): string {
  if (baseOffset !== 0) return `${String(baseOffset).padStart(20, '0')}${ext}`;
  let name = firstSegmentNames.get(ext);
  if (name === undefined) firstSegmentNames.set(ext, (name = `${'0'.repeat(20)}${ext}`));
  return name;
}
export const parseSegmentName = (name: string): number | null => (/^\d{20}\.log$/.test(name) ? Number(name.slice(0, 20)) : null);

/**
 * Read space a caller keeps across many walks (the cleaner's pass, a slice at a time): one buffer grown to the
 * largest batch, instead of a fresh 256 KiB (and one per larger batch) per walk — off-heap churn that also brings
 * V8's full collections on sooner.
 */
export interface WalkSpace { space?: Buffer }

export interface WalkedBatch {
  header: BatchHeader;
  /** The bytes holding the batch (its header at least; the whole batch when asked for). Reused after the visit. */
  buf: Buffer;
  at: number;
}

export interface WalkEnd {
  /** File position where the walk stopped: the end, or the first invalid batch. */
  end: number;
  /** Why the batch at `end` was refused, or null at the end of the file or when stopped by the visitor. */
  error: string | null;
}

/** What a segment reads from its log (the PartitionLog itself), at each use. */
export interface SegmentPolicy {
  readonly config: { readonly indexIntervalBytes: number };
  /** Offsets below this were compacted: gaps between batches are expected there, and only there. */
  readonly cleanedTo: number;
}

export class Segment {
  readonly log: LogFile;
  /** Made on first use: thousands of idle partitions need none. */
  private indexes: { offset: OffsetIndex; time: TimeIndex } | null = null;
  /** One past the last offset stored here (baseOffset while empty). */
  nextOffset: number;
  maxTimestamp = -1;
  /**
   * Wall-clock time of the first append (or of the start that recovered it): segment.ms counts from here. Kafka
   * counts from the first batch's timestamp, which makes a producer with old timestamps roll on every append.
   */
  rollStart = -1;
  /**
   * When data was last appended here (or the start that recovered it): time retention's clock for a segment whose
   * records carry no timestamp (maxTimestamp below 0), as Kafka falls back on the file's modification time.
   */
  lastAppendMs = -1;
  private bytesSinceIndex = 0;

  /** The time retention.ms counts from. */
  get retentionTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastAppendMs;
  }

  /** `isNew`: no file holds this segment yet (a new partition's first): it is created with the first append. */
  constructor(private readonly dir: LogDir, readonly baseOffset: number, private readonly policy: SegmentPolicy, isNew = false) {
    this.log = dir.open(segmentName(baseOffset, '.log'), isNew);
    this.nextOffset = baseOffset;
  }

  get offsetIndex(): OffsetIndex {
    return (this.indexes ??= this.newIndexes()).offset;
  }

  get timeIndex(): TimeIndex {
    return (this.indexes ??= this.newIndexes()).time;
  }

  private newIndexes(): { offset: OffsetIndex; time: TimeIndex } {
    return {
      offset: new OffsetIndex(this.dir, segmentName(this.baseOffset, '.index'), this.baseOffset),
      time: new TimeIndex(this.dir, segmentName(this.baseOffset, '.timeindex'), this.baseOffset),
    };
  }

  get size(): number {
    return this.log.size;
  }

  /** Whether `count` more offsets still fit the indexes' 32-bit relative offsets. */
  fits(lastOffset: number): boolean {
    return lastOffset - this.baseOffset <= INT32_MAX;
  }

  /** Appends validated batches (positions relative to `data`) and indexes them. Throws StorageError, changing nothing. */
  append(data: Buffer, batches: readonly BatchHeader[]): void {
    const start = this.log.size;
    this.log.append(data);
    for (const b of batches) this.track(b.baseOffset, b.baseOffset + b.lastOffsetDelta, b.maxTimestamp, start + b.position, b.size);
  }

  /** Index bookkeeping for a batch now stored at `position`. */
  private track(baseOffset: number, lastOffset: number, maxTimestamp: number, position: number, size: number): void {
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    if (position > 0 && this.bytesSinceIndex >= this.policy.config.indexIntervalBytes) {
      this.offsetIndex.add(baseOffset, position);
      this.bytesSinceIndex = 0;
    }
    // A time entry with every batch indexed by offset or not: the time index stays as sparse as the timestamps allow.
    if (this.bytesSinceIndex === 0) this.timeIndex.maybeAdd(this.maxTimestamp, baseOffset);
    this.bytesSinceIndex += size;
    this.nextOffset = lastOffset + 1;
  }

  /** On roll: a last time entry so the index covers the whole segment, and the index files written. */
  seal(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAdd(this.maxTimestamp, this.lastBatchOffset());
    this.offsetIndex.flush();
    this.timeIndex.flush();
  }

  private lastBatchOffset(): number {
    let last = this.baseOffset;
    this.walk(this.offsetIndex.lastPosition(), false, ({ header }) => { last = header.baseOffset; });
    return last;
  }

  /**
   * Visits the batches from file position `from`, checking the structure (magic, lengths, offsets contiguous — or
   * increasing where compaction left gaps; the base offset is outside the CRC) and,
   * with `verify`, the CRC32C (then `buf` holds each whole batch) — of every batch, or, when `verify` is an offset,
   * of the batches whose last offset is at or after it (those before it are read header only). Stops at the first
   * invalid batch, at the end, or when the visitor returns false.
   */
  walk(from: number, verify: boolean | number, visit: (b: WalkedBatch) => boolean | void, wholeBatches = verify === true, reuse?: WalkSpace): WalkEnd {
    const verifyFrom = verify === true ? -1 : verify === false ? Infinity : verify;
    const size = this.log.size;
    // One buffer, refilled: visitors must copy what they keep beyond their call.
    const first = Math.min(WALK_CHUNK, Math.max(size - from, BATCH_HEADER_SIZE));
    let space = reuse?.space && reuse.space.length >= first ? reuse.space : Buffer.allocUnsafeSlow(first);
    let chunk: Buffer = space.subarray(0, 0);
    let chunkPos = 0;
    const fill = (at: number, length: number): Buffer => {
      if (length > space.length) space = Buffer.allocUnsafeSlow(length);
      if (reuse) reuse.space = space;
      return space.subarray(0, this.log.readInto(space.subarray(0, Math.min(length, size - at)), at));
    };
    let pos = from;
    let expected = from === 0 ? this.baseOffset : -1;
    let lastSize = 0;
    const cleanedTo = this.policy.cleanedTo;
    while (pos < size) {
      if (pos + BATCH_HEADER_SIZE > chunkPos + chunk.length) {
        // Header-only walks over big batches read just the headers; small batches come many per chunk.
        chunk = fill(pos, wholeBatches || lastSize < SMALL_BATCH ? WALK_CHUNK : BATCH_HEADER_SIZE);
        chunkPos = pos;
      }
      let at = pos - chunkPos;
      if (chunk.length - at < BATCH_HEADER_SIZE) return { end: pos, error: 'truncated batch header' };
      if (chunk.readInt8(at + MAGIC_AT) !== 2) return { end: pos, error: `bad magic ${chunk.readInt8(at + MAGIC_AT)}` };
      const batchSize = chunk.readInt32BE(at + LENGTH_AT) + LOG_OVERHEAD;
      if (batchSize < BATCH_HEADER_SIZE || pos + batchSize > size) return { end: pos, error: `bad batch length ${batchSize}` };
      const verifyThis = verifyFrom < 0 || (verifyFrom !== Infinity && readInt64(chunk, at) + chunk.readInt32BE(at + LAST_DELTA_AT) >= verifyFrom);
      if ((wholeBatches || verifyThis) && at + batchSize > chunk.length) {
        chunk = fill(pos, Math.max(WALK_CHUNK, batchSize));
        chunkPos = pos;
        at = 0;
      }
      let header: BatchHeader;
      if (verifyThis) {
        const checked = checkBatchAt(chunk, at, at + batchSize, false);
        if (checked instanceof BatchError) return { end: pos, error: checked.message };
        header = checked;
      } else {
        header = readBatchHeader(chunk, at);
        if (header.lastOffsetDelta < 0) return { end: pos, error: 'negative offset delta' };
      }
      const gap = expected >= 0 && header.baseOffset !== expected;
      if (header.baseOffset < Math.max(expected, this.baseOffset) || (gap && expected >= cleanedTo) || !this.fits(header.baseOffset + header.lastOffsetDelta)) {
        return { end: pos, error: `offset ${header.baseOffset} out of order` };
      }
      expected = header.baseOffset + header.lastOffsetDelta + 1;
      header.position = pos;
      if (visit({ header, buf: chunk, at }) === false) return { end: pos, error: null };
      pos += batchSize;
      lastSize = batchSize;
    }
    return { end: pos, error: null };
  }

  /**
   * Rebuilds the in-memory state and the indexes from the file; truncates an invalid tail (a torn write, garbage).
   * Returns the truncation reason, or null when the whole file was valid.
   */
  recover(verify: boolean | number, onBatch: (b: WalkedBatch) => void): string | null {
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.bytesSinceIndex = 0;
    this.offsetIndex.beginRebuild();
    this.timeIndex.beginRebuild();
    const { end, error } = this.walk(0, verify, (b) => {
      const h = b.header;
      this.track(h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp, h.position, h.size);
      onBatch(b);
    });
    if (end < this.log.size) this.log.truncate(end);
    this.offsetIndex.endRebuild();
    this.timeIndex.endRebuild();
    return error;
  }

  /** File position of the first batch whose last offset is >= `offset`, or -1 when none is here. */
  locate(offset: number): number {
    let pos = this.offsetIndex.lookup(offset);
    while (pos + BATCH_HEADER_SIZE <= this.log.size) {
      this.log.readInto(scratch, pos);
      if (readInt64(scratch, 0) + scratch.readInt32BE(LAST_DELTA_AT) >= offset) return pos;
      pos += scratch.readInt32BE(LENGTH_AT) + LOG_OVERHEAD;
    }
    return -1;
  }

  /**
   * Whole batches from file position `pos` that start below `upTo`, within `maxBytes` — or, with `atLeastOne`,
   * the first batch whatever its size (KIP-74). Returns the bytes (a fresh Buffer) and where they end.
   */
  readFrom(pos: number, maxBytes: number, upTo: number, atLeastOne: boolean): { data: Buffer; end: number } | null {
    const length = this.rangeToRead(pos, maxBytes, upTo, atLeastOne);
    if (length === 0) return null;
    const chunk = this.log.read(pos, length);
    const end = wholeBatches([chunk], chunk.length, upTo);
    return end === 0 ? null : { data: chunk.subarray(0, end), end: pos + end };
  }

  /**
   * `readFrom` into space of `arena` (pooled, see read-buffers.ts): the bytes as slices of its slabs. Ranges of
   * ASYNC_READ_BYTES or more are read on the thread pool, so a consumer reading a large backlog does not hold the
   * event loop (and the producers' acks) for the length of its read.
   */
  async readInto(arena: ReadArena, pos: number, maxBytes: number, upTo: number, atLeastOne: boolean): Promise<{ data: Buffer[]; bytes: number; end: number } | null> {
    const length = this.rangeToRead(pos, maxBytes, upTo, atLeastOne);
    if (length === 0) return null;
    const spans = arena.reserve(length);
    let got: number;
    try {
      got = length >= ASYNC_READ_BYTES ? await this.log.readv(spans, pos) : this.log.readvSync(spans, pos);
    } catch (err) {
      arena.unreserve(length);
      throw err;
    }
    const end = wholeBatches(spans, got, upTo);
    arena.unreserve(length - end);
    return end === 0 ? null : { data: firstBytes(spans, end), bytes: end, end: pos + end };
  }

  /**
   * What `readFrom` would return, measured from the batch headers alone: a long poll's re-check learns how many
   * bytes wait for it without reading them (headers come 64 KiB at a time into shared space: small batches cost one
   * read for many, a large one a read of 64 KiB, not of the batch). With `partial`, a batch that does not fit counts
   * for the rest of `maxBytes` (Kafka's DelayedFetch: the position difference, capped at the partition's max bytes).
   */
  measureFrom(pos: number, maxBytes: number, upTo: number, atLeastOne: boolean, partial = false): { bytes: number; end: number } | null {
    const size = this.log.size;
    let end = pos;
    let chunkAt = 0;
    let chunk = headerChunk.subarray(0, 0);
    while (end + BATCH_HEADER_SIZE <= size) {
      if (end + BATCH_HEADER_SIZE > chunkAt + chunk.length) {
        chunk = headerChunk.subarray(0, this.log.readInto(headerChunk.subarray(0, Math.min(headerChunk.length, size - end)), end));
        chunkAt = end;
        if (chunk.length < BATCH_HEADER_SIZE) break;
      }
      const at = end - chunkAt;
      const batchSize = chunk.readInt32BE(at + LENGTH_AT) + LOG_OVERHEAD;
      if (batchSize < BATCH_HEADER_SIZE || end + batchSize > size || readInt64(chunk, at) >= upTo) break;
      if (end + batchSize - pos > maxBytes && !(atLeastOne && end === pos)) {
        if (partial) return { bytes: maxBytes, end };
        break;
      }
      end += batchSize;
    }
    return end === pos ? null : { bytes: end - pos, end };
  }

  /** How many bytes from `pos` a read must take: `maxBytes` (or the first batch, whole, with `atLeastOne`), 0 for none. */
  private rangeToRead(pos: number, maxBytes: number, upTo: number, atLeastOne: boolean): number {
    if (pos + BATCH_HEADER_SIZE > this.log.size) return 0;
    this.log.readInto(scratch, pos);
    if (readInt64(scratch, 0) >= upTo) return 0;
    const firstSize = scratch.readInt32BE(LENGTH_AT) + LOG_OVERHEAD;
    if (firstSize > maxBytes && !atLeastOne) return 0;
    return Math.min(Math.max(maxBytes, firstSize), this.log.size - pos);
  }

  /** Reads the 61-byte header at a file position. */
  headerAt(pos: number): BatchHeader {
    this.log.readInto(scratch, pos);
    return { ...readBatchHeader(scratch, 0), position: pos };
  }

  /** Drops every batch at or after file position `pos`, then recomputes the state from what is left. */
  truncateAt(pos: number, onBatch: (b: WalkedBatch) => void = () => {}): void {
    this.log.truncate(pos);
    this.recover(false, onBatch);
  }

  close(): void {
    this.log.close();
    this.indexes?.offset.close();
    this.indexes?.time.close();
  }

  /** Closes and removes the segment's files. */
  remove(): void {
    this.log.close();
    this.offsetIndex.remove();
    this.timeIndex.remove();
    this.dir.removeInBackground(segmentName(this.baseOffset, '.log'));
  }
}
