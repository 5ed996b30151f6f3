/**
 * The log of one partition: an ordered list of segments, the last one active.
 *
 * Appends are synchronous (`writeSync`: the bytes have reached the OS when `append` returns, Kafka's default
 * durability, which survives a process crash). Durable mode adds fsync with group commit: `flushed()` resolves once
 * an fdatasync covering every append made so far has completed, and all the appends waiting meanwhile share it.
 *
 * One replica, so the high watermark is the log end offset. The log start offset advances with retention and
 * DeleteRecords (kept in a `log-start-offset` file). Every start walks the batch headers of all segments to rebuild
 * the indexes and the producer state; after an unclean stop (no `clean-shutdown` marker) it verifies the CRCs too
 * and truncates at the first invalid batch, keeping the valid prefix — the CRCs of the batches below the recovery
 * point (`recovery-point`: synced to disk before it was written, Kafka's recovery-point checkpoint) excepted.
 */
import {
  BATCH_HEADER_SIZE, BatchError, checkBatchAt, checkRecords, controlType, decodeBatch, inflatedLimit, parseBatches, readBatchHeader,
  setBaseOffset, setLogAppendTime, setMaxTimestamp, TimestampType, setPartitionLeaderEpoch, type BatchHeader,
} from '../protocol/record-batch.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ProducerState, type AbortedTransaction, type ProducerBatch } from './producer-state.js';
import { sharedLogConfig, type LogConfig, type TopicConfigInput } from './config.js';
import { Segment, parseSegmentName, segmentName, type WalkedBatch } from './segment.js';
import type { LogDir, LogFile } from './storage.js';
import { DELETED_SUFFIX, StorageError } from './storage.js';
import type { ReadArena } from './read-buffers.js';

export const CLEAN_SHUTDOWN_FILE = 'clean-shutdown';
/**
 * The clean-shutdown marker's name while the log is open: renamed from it at start, back to it by a clean close.
 * A rename costs a fraction of creating or removing a file, which with thousands of partitions is most of a
 * start's or a stop's time.
 */
const OPEN_MARKER_FILE = 'running';
const LOG_START_FILE = 'log-start-offset';
const CLEANED_TO_FILE = 'cleaner-offset';
/**
 * The recovery point: every batch below this offset was synced to disk before the file was written (by
 * `checkpointRecoveryPoint`, periodically), so a start after an unclean stop checks the CRCs from there on only. A
 * missing, torn or unreadable file, or one naming more offsets than the segments hold, means all are checked.
 */
export const RECOVERY_POINT_FILE = 'recovery-point';

/** The recovery point written: digits and a newline (a torn write lacks the newline, and reads as none). */
function readRecoveryPoint(b: Buffer | null): number {
  const text = b?.toString('latin1') ?? '';
  return /^\d{1,16}\n$/.test(text) ? Number(text.slice(0, -1)) : 0;
}
/** The leader epoch stamped on every batch: one broker, one steady epoch. */

function readNumber(b: Buffer | null): number {
  const n = Number(b?.toString('utf8').trim() ?? '0');
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export interface AppendResult {
  /** Offset of the first record appended (or of the original append, for a duplicate). */
  baseOffset: number;
  lastOffset: number;
  /** The broker time written under LogAppendTime, else -1. */
  logAppendTime: number;
  logStartOffset: number;
  /** An idempotent producer's retry of a batch already stored: nothing was written. */
  duplicate: boolean;
}

export interface PartitionLogOptions {
  /** Durable mode for every append (the broker's `--fsync`), on top of `flush.messages`/`flush.ms`. */
  fsync?: boolean;
  /** Clock, for tests. */
  now?: () => number;
  /** Called with recovery findings (truncations). */
  warn?: (msg: string, details: Record<string, unknown>) => void;
}

interface SyncWaiter { seq: number; resolve: () => void; reject: (err: unknown) => void }

export class PartitionLog {
  config: LogConfig;
  producers = new ProducerState();
  /** Segments in offset order; the last one takes appends. */
  segments: Segment[] = [];
  private startOffset = 0;
  private readonly now: () => number;
  private readonly fsync: boolean;
  // Group commit: appends are numbered; a sync covers every append numbered up to when it started.
  private writeSeq = 0;
  private syncedSeq = 0;
  private syncing = false;
  /** Callers of `sync` not answered yet (made on first use: thousands of idle partitions need none). */
  private waiters: SyncWaiter[] | null = null;
  /** Files written since their last sync (made on first write: thousands of idle partitions need none). */
  private dirty: Set<LogFile> | null = null;
  private unflushedMessages = 0;
  private lastFlush: number;
  /** Offsets below this have been compacted (gaps allowed); persisted in `cleaner-offset`. */
  cleanedTo = 0;
  private closed = false;
  /** Whether the directory holds OPEN_MARKER_FILE (a clean close renames it rather than creating a marker). */
  private openMarker = false;
  /** The leader epoch stamped on appended batches (the cluster bumps it when the partition's leader moves). */
  leaderEpoch = 0;
  /** Told after every change a waiting Fetch may care about (see `watch`). */
  private watchers: Set<() => void> | null = null;
  /** What RECOVERY_POINT_FILE holds; null after a clean start, until it is next needed (a start reads no more than it must). */
  private recoveryPoint: number | null = 0;
  /** Counts lowerings of the recovery point: a checkpoint whose sync saw one writes nothing. */
  private recoveryLowered = 0;
  /** Bytes of batches whose CRCs the start checked (after an unclean stop: those from the recovery point on). */
  verifiedBytes = 0;

  private constructor(readonly dir: LogDir, config: TopicConfigInput, opts: PartitionLogOptions) {
    this.config = sharedLogConfig(config);
    this.now = opts.now ?? Date.now;
    this.fsync = opts.fsync ?? false;
    this.lastFlush = this.now();
  }

  /**
   * Whether a directory holding these files has anything to load: segments, or a log start or cleaner offset.
   * Without them a log is empty from offset 0 whatever else is there (markers, a recovery point), with nothing to
   * recover, expire or clean, so its opening can wait for its first use.
   */
  static holdsData(names: readonly string[]): boolean {
    return names.some((n) => n === LOG_START_FILE || n === CLEANED_TO_FILE || parseSegmentName(n) !== null);
  }

  /** Opens (or creates) the log in `dir`, recovering it. Throws StorageError when the files cannot be opened. */
  static open(dir: LogDir, config: TopicConfigInput = {}, opts: PartitionLogOptions = {}): PartitionLog {
    const log = new PartitionLog(dir, config, opts);
    log.load(opts.warn ?? (() => {})); // (not kept: a closure per partition adds up over thousands)
    return log;
  }

  private load(warn: NonNullable<PartitionLogOptions['warn']>): void {
    // One listing answers what exists: a partition's start costs few syscalls when thousands start together.
    const names = new Set(this.dir.list());
    const clean = names.has(CLEAN_SHUTDOWN_FILE);
    if (clean) this.dir.rename(CLEAN_SHUTDOWN_FILE, OPEN_MARKER_FILE); // from now on, a crash is an unclean stop
    this.openMarker = clean || names.has(OPEN_MARKER_FILE);
    for (const name of names) if (name.endsWith('.tmp') || name.endsWith('.cleaned') || name.endsWith(DELETED_SUFFIX)) this.dir.remove(name);
    this.cleanedTo = names.has(CLEANED_TO_FILE) ? readNumber(this.dir.readFile(CLEANED_TO_FILE)) : 0;
    const bases = [...names].map(parseSegmentName).filter((b): b is number => b !== null).sort((a, b) => a - b);
    const checkpoint = names.has(LOG_START_FILE) ? readNumber(this.dir.readFile(LOG_START_FILE)) : 0;
    // After an unclean stop, CRCs are checked from the recovery point on (Infinity: none, after a clean stop).
    const verifyFrom = clean ? Infinity : bases.length > 0 && names.has(RECOVERY_POINT_FILE) ? readRecoveryPoint(this.dir.readFile(RECOVERY_POINT_FILE)) : 0;
    this.recoveryPoint = clean ? null : verifyFrom;
    this.loadSegments(bases, verifyFrom, warn);
    const loadedEnd = this.segments.length > 0 ? this.segments[this.segments.length - 1].nextOffset : 0;
    if (verifyFrom > 0 && verifyFrom !== Infinity && loadedEnd < verifyFrom) {
      // The recovery point names offsets the segments do not hold: it cannot be trusted, so every CRC is checked.
      warn('recovery point beyond the log end: checking every batch', { recoveryPoint: verifyFrom, logEndOffset: loadedEnd });
      const kept = this.segments.map((seg) => seg.baseOffset);
      for (const seg of this.segments) seg.close();
      this.segments = [];
      this.producers = new ProducerState();
      this.recoveryPoint = 0;
      this.loadSegments(kept, 0, warn);
    }
    // Empty segments other than the active one (a tail truncated to nothing) serve no purpose.
    while (this.segments.length > 1 && this.segments[this.segments.length - 1].size === 0) this.segments.pop()!.remove();
    // A partition without segment files (new, or never written): its first file is created by its first append.
    if (this.segments.length === 0) this.segments.push(this.newSegment(checkpoint, true));
    this.segments = this.segments.slice(); // a push leaves room for 16 more: 150 bytes per idle partition
    // segment.ms keeps counting across restarts: from the first batch's timestamp (as Kafka does), never from the
    // future. While running, a new segment's clock starts at its first append, so old producer timestamps do not
    // roll a segment per batch.
    for (const seg of this.segments) {
      if (seg.size === 0) continue;
      const first = readBatchHeader(seg.log.read(0, BATCH_HEADER_SIZE)).maxTimestamp;
      seg.rollStart = first >= 0 ? Math.min(this.now(), first) : this.now();
      seg.lastAppendMs = this.now();
    }
    const first = this.segments[0].baseOffset;
    this.startOffset = Math.min(Math.max(checkpoint, first), this.logEndOffset);
    this.producers.truncateHead(this.startOffset);
  }

  /** Opens and recovers the segments at `bases` (see `load`), CRCs checked for batches from offset `verifyFrom` on. */
  private loadSegments(bases: readonly number[], verifyFrom: number, warn: NonNullable<PartitionLogOptions['warn']>): void {
    let broken = false;
    for (const base of bases) {
      const seg = this.newSegment(base);
      const prev = this.segments[this.segments.length - 1];
      if (!broken && prev && base < prev.nextOffset && prev.nextOffset <= this.cleanedTo) {
        seg.remove(); // merged into the segment before it by compaction, which a crash stopped from removing it
        continue;
      }
      if (broken || (prev && (base < prev.nextOffset || (base > prev.nextOffset && prev.nextOffset >= this.cleanedTo)))) {
        // Everything after the first invalid batch goes: offsets must stay contiguous with what precedes them.
        warn('removing segment after an invalid one', { baseOffset: base });
        seg.remove();
        broken = true;
        continue;
      }
      const error = seg.recover(verifyFrom === Infinity ? false : verifyFrom, (b) => {
        if (b.header.baseOffset + b.header.lastOffsetDelta >= verifyFrom) this.verifiedBytes += b.header.size;
        this.applyProducer(b, seg);
      });
      this.segments.push(seg);
      if (error !== null) {
        warn('truncated an invalid log tail', { baseOffset: base, position: seg.size, reason: error });
        broken = true;
      }
    }
  }

  private newSegment(base: number, isNew = false): Segment {
    return new Segment(this.dir, base, this, isNew);
  }

  /** Records how far compaction has gone (see `cleanedTo`). */
  setCleanedTo(offset: number): void {
    this.cleanedTo = offset;
    this.dir.writeFile(CLEANED_TO_FILE, Buffer.from(String(offset)));
  }

  /**
   * Swaps in rewritten segments (compaction): `cleanedFile` holds the new bytes of the `count` segments from `index`
   * on and becomes the first one's log file; the others go after the rename (a crash in between leaves them
   * overlapping it, below the cleaner offset, where `load` drops them).
   */
  replaceSegments(index: number, count: number, cleanedFile: string): Segment {
    const old = this.segments.slice(index, index + count);
    for (const seg of old) {
      this.dirty?.delete(seg.log);
      seg.close();
    }
    this.dir.rename(cleanedFile, segmentName(old[0].baseOffset, '.log'));
    const seg = this.newSegment(old[0].baseOffset);
    // The rewritten bytes are not synced yet: below the recovery point until the next checkpoint syncs them.
    this.lowerRecoveryPoint(old[0].baseOffset);
    (this.dirty ??= new Set()).add(seg.log);
    this.writeSeq++;
    seg.recover(false, () => {});
    seg.rollStart = old[0].rollStart;
    seg.lastAppendMs = Math.max(...old.map((o) => o.lastAppendMs));
    for (const merged of old.slice(1)) merged.remove();
    this.segments.splice(index, count, seg);
    return seg;
  }

  /** Drops a closed segment left empty by compaction (never the first nor the active one). */
  dropEmptySegment(index: number): void {
    if (index === 0 || index === this.segments.length - 1 || this.segments[index].size > 0) return;
    this.removeSegment(this.segments.splice(index, 1)[0]);
  }

  /** Closed (or deleted): no more appends, and background work on it stops. */
  get isClosed(): boolean {
    return this.closed;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  /** One replica: everything appended is replicated, so the high watermark is the log end offset. */
  get highWatermark(): number {
    return this.active.nextOffset;
  }

  /** The first offset of a still-open transaction, else the high watermark. */
  get lastStableOffset(): number {
    return this.producers.lastStableOffset(this.highWatermark);
  }

  /** Total bytes in the segment files. */
  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** Whether acks=-1 produce must wait for `flushed()`. */
  get durable(): boolean {
    return this.fsync || this.config.flushMessages <= 1;
  }

  updateConfig(config: TopicConfigInput): void {
    this.config = sharedLogConfig(config);
  }

  /**
   * Calls `fn` (synchronously: it should only take note) after each change a waiting Fetch may care about: an
   * append or transaction marker (high watermark, last stable offset), a new log start, a truncation, deletion.
   * Returns the function that stops watching.
   */
  watch(fn: () => void): () => void {
    (this.watchers ??= new Set()).add(fn);
    return () => { this.watchers?.delete(fn); };
  }

  /** Tells the watchers; also called from outside when the partition's leadership moves. */
  changed(): void {
    if (this.watchers) for (const fn of this.watchers) fn();
  }

  // ---- append ----

  /**
   * Appends the batches a client produced (`records` as received; `batches` from `parseBatches`). Applies the
   * topic's policies (max.message.bytes, timestamps, record framing, keys on compacted topics) and the idempotent
   * producer checks, assigns offsets by patching each batch in place, and writes them all with one syscall.
   * Throws BatchError (with its Kafka error code) for refused data, StorageError for I/O failures: either way
   * nothing was stored.
   */
  append(records: Buffer, batches: readonly BatchHeader[] = this.parseOrThrow(records)): AppendResult {
    const now = this.now();
    const cfg = this.config;
    if (records.length > cfg.segmentBytes) {
      throw new BatchError(ErrorCode.RECORD_LIST_TOO_LARGE, `${records.length} bytes exceed segment.bytes ${cfg.segmentBytes}`);
    }
    batches = this.validate(records, batches, now);
    for (const b of batches) {
      const check = this.producers.check(this.producerBatch(b, 0, null));
      if (check.kind === 'error') throw new BatchError(check.errorCode, check.message);
      if (check.kind === 'duplicate' && batches.length === 1) {
        // Kafka answers a retry with the stored batch's timestamp as its log append time, under CreateTime too.
        return { baseOffset: check.baseOffset, lastOffset: check.baseOffset + b.lastOffsetDelta, logAppendTime: check.maxTimestamp, logStartOffset: this.startOffset, duplicate: true };
      }
    }
    return this.write(records, batches, now, cfg.logAppendTime);
  }

  /**
   * Every record's framing and timestamp, as Kafka's LogValidator checks them (compressed batches inflated within a
   * bound). Under CreateTime a batch's maxTimestamp becomes its records' maximum, as Kafka stores it whatever the
   * client wrote (retention, the time index and ListOffsets read it). Returns the headers as they will be stored;
   * `write` puts a changed maxTimestamp into the bytes.
   */
  private validate(records: Buffer, batches: readonly BatchHeader[], now: number): readonly BatchHeader[] {
    const cfg = this.config;
    let stamped: BatchHeader[] | null = null;
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i];
      if (b.size > cfg.maxMessageBytes) throw new BatchError(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${b.size} bytes exceeds max.message.bytes ${cfg.maxMessageBytes}`);
      const scan = checkRecords(records, b, inflatedLimit(cfg.maxMessageBytes));
      if (scan.nullKey && cfg.compactPolicy) throw new BatchError(ErrorCode.INVALID_RECORD, 'compacted topic cannot accept a record without a key');
      // Only the broker stamps LogAppendTime (Kafka refuses the type from a producer, whatever the topic's).
      if (b.timestampType === TimestampType.logAppendTime) throw new BatchError(ErrorCode.INVALID_TIMESTAMP, 'a producer may not set the LogAppendTime timestamp type');
      if (cfg.logAppendTime) continue;
      // The earliest and latest record stand for all: the allowed range is one interval (NO_TIMESTAMP records pass).
      const outOfRange = scan.minTimestamp === Infinity ? undefined : [scan.minTimestamp, scan.maxTimestamp].find((t) => now - t > cfg.timestampBeforeMaxMs || t - now > cfg.timestampAfterMaxMs);
      if (outOfRange !== undefined) {
        throw new BatchError(ErrorCode.INVALID_TIMESTAMP, `timestamp ${outOfRange} is out of range: at most ${cfg.timestampBeforeMaxMs} ms behind and ${cfg.timestampAfterMaxMs} ms ahead of the broker's clock (message.timestamp.before/after.max.ms)`);
      }
      // Past 2^53 neither side is exact: such a header is kept as it came.
      const exact = Number.isSafeInteger(scan.maxTimestamp) && Number.isSafeInteger(b.maxTimestamp);
      if (exact && b.maxTimestamp !== scan.maxTimestamp) (stamped ??= [...batches])[i] = { ...b, maxTimestamp: scan.maxTimestamp };
    }
    return stamped ?? batches;
  }

  /**
   * Appends batches the broker built itself (transaction markers, internal topics): checked for integrity only.
   * Control batches are allowed here.
   */
  appendInternal(records: Buffer): AppendResult {
    const batches: BatchHeader[] = [];
    for (let pos = 0; pos < records.length;) {
      const h = checkBatchAt(records, pos, records.length, false);
      if (h instanceof BatchError) throw h;
      batches.push(h);
      pos += h.size;
    }
    return this.write(records, batches, this.now(), false);
  }

  /**
   * Null when `append` can write at once; else (a new partition's first segment file does not exist yet) a promise
   * resolving once it has been created on the thread pool: file creation is most of a first write's cost, and
   * thousands of new partitions written together keep the event loop that long. Callers awaiting it resume in
   * the order they asked, so their appends stay in order.
   */
  prepareAppend(): Promise<void> | null {
    return this.closed ? null : this.active.log.create();
  }

  private parseOrThrow(records: Buffer): BatchHeader[] {
    const parsed = parseBatches(records);
    if (parsed instanceof BatchError) throw parsed;
    return parsed;
  }

  private write(records: Buffer, batches: readonly BatchHeader[], now: number, logAppendTime: boolean): AppendResult {
    if (this.closed) throw new StorageError('log is closed');
    const first = this.logEndOffset;
    let next = first;
    for (const b of batches) next += b.lastOffsetDelta + 1;
    this.maybeRoll(now, records.length, next - 1);
    next = first;
    const placed = batches.map((b) => {
      // Written only now, once the request passed every check: a refused one leaves the caller's bytes as they came.
      if (!logAppendTime) setMaxTimestamp(records, b.position, b.size, b.maxTimestamp);
      setBaseOffset(records, b.position, next);
      setPartitionLeaderEpoch(records, b.position, this.leaderEpoch);
      if (logAppendTime) setLogAppendTime(records, b.position, b.size, now);
      const h = { ...b, baseOffset: next, partitionLeaderEpoch: this.leaderEpoch, maxTimestamp: logAppendTime ? now : b.maxTimestamp };
      next += b.lastOffsetDelta + 1;
      return h;
    });
    const seg = this.active;
    if (seg.size === 0) seg.rollStart = now;
    seg.append(records, placed); // throws StorageError with nothing changed
    seg.lastAppendMs = now;
    for (const h of placed) {
      const marker = h.isControl ? controlType(records, h.position) : null;
      this.producers.apply(this.producerBatch(h, h.baseOffset, marker), now);
      this.unflushedMessages += h.recordCount;
    }
    this.writeSeq++;
    (this.dirty ??= new Set()).add(seg.log);
    if (this.unflushedMessages >= this.config.flushMessages && !this.durable) void this.sync().catch(() => {});
    this.changed();
    return { baseOffset: first, lastOffset: next - 1, logAppendTime: logAppendTime ? now : -1, logStartOffset: this.startOffset, duplicate: false };
  }

  private producerBatch(h: BatchHeader, baseOffset: number, commitMarker: boolean | null): ProducerBatch {
    return {
      baseOffset, lastOffset: baseOffset + h.lastOffsetDelta, producerId: h.producerId, producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence, recordCount: h.recordCount, maxTimestamp: h.maxTimestamp, isTransactional: h.isTransactional,
      commitMarker: h.isControl ? commitMarker : null,
    };
  }

  /** Producer state replay while walking stored batches (control batches need their record read). */
  private applyProducer({ header: h, buf, at }: WalkedBatch, seg: Segment): void {
    if (h.producerId < 0) return;
    let marker: boolean | null = null;
    if (h.isControl) marker = at + h.size <= buf.length ? controlType(buf, at) : controlType(seg.log.read(h.position, h.size), 0);
    if (h.isControl && marker === null) return; // an unknown control type carries no transaction outcome
    this.producers.apply(this.producerBatch(h, h.baseOffset, marker), this.now());
  }

  private maybeRoll(now: number, bytes: number, lastOffset: number): void {
    const seg = this.active;
    if (seg.size === 0) return;
    if (seg.size + bytes > this.config.segmentBytes || now - seg.rollStart >= this.rollMs || !seg.fits(lastOffset)) this.roll();
  }

  /** segment.ms, or max.compaction.lag.ms when shorter on a compacted log: the active segment is never cleaned (Kafka's maxSegmentMs). */
  private get rollMs(): number {
    const cfg = this.config;
    return cfg.compactPolicy && cfg.maxCompactionLagMs > 0 ? Math.min(cfg.segmentMs, cfg.maxCompactionLagMs) : cfg.segmentMs;
  }

  /** Closes the active segment and starts a new one at the log end offset. */
  roll(): void {
    const seg = this.active;
    if (seg.size === 0) return;
    seg.seal();
    this.segments.push(this.newSegment(seg.nextOffset));
  }

  // ---- durability ----

  /**
   * Resolves when everything appended so far is on disk (fdatasync), sharing one sync among all callers waiting
   * at the same time (group commit). Rejects with StorageError when the sync fails.
   */
  sync(): Promise<void> {
    const seq = this.writeSeq;
    if (seq <= this.syncedSeq) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      (this.waiters ??= []).push({ seq, resolve, reject });
      if (!this.syncing) this.startSync();
    });
  }

  /** What acks=-1 waits for: a sync in durable mode, nothing otherwise. */
  flushed(): Promise<void> {
    return this.durable ? this.sync() : Promise.resolve();
  }

  private startSync(): void {
    this.syncing = true;
    const seq = this.writeSeq;
    const files = this.dirty ? [...this.dirty] : [];
    this.dirty?.clear();
    this.unflushedMessages = 0;
    this.lastFlush = this.now();
    Promise.all(files.map((f) => f.sync())).then(
      () => {
        this.syncedSeq = Math.max(this.syncedSeq, seq);
        this.settleWaiters((w) => w.seq <= seq, null);
      },
      (err) => {
        for (const f of files) (this.dirty ??= new Set()).add(f);
        this.settleWaiters((w) => w.seq <= seq, err);
      },
    ).finally(() => {
      this.syncing = false;
      if (this.waiters) this.startSync();
    });
  }

  private settleWaiters(done: (w: SyncWaiter) => boolean, err: unknown): void {
    const left: SyncWaiter[] = [];
    for (const w of this.waiters ?? []) {
      if (!done(w)) left.push(w);
      else if (err) w.reject(err);
      else w.resolve();
    }
    this.waiters = left.length ? left : null;
  }

  // ---- read ----

  /**
   * Whole batches from the one holding `offset`, stopping before the batch that starts at `upTo` (the high
   * watermark, or the last stable offset for read_committed) and within `maxBytes` — except that the first batch is
   * returned whatever its size (KIP-74) unless `minOneBatch` is false (a Fetch's later partitions). The buffers are
   * fresh copies; concatenated they are the record set.
   */
  read(offset: number, maxBytes: number, upTo = this.highWatermark, minOneBatch = true): Buffer[] {
    const out: Buffer[] = [];
    this.eachRange(offset, maxBytes, upTo, minOneBatch, (seg, pos, budget, end, atLeastOne) => {
      const got = seg.readFrom(pos, budget, end, atLeastOne);
      if (got) out.push(got.data);
      return got && { bytes: got.data.length, end: got.end };
    });
    return out;
  }

  /**
   * How many bytes `read` would return, from the batch headers (a long poll's re-check: nothing is read twice); with
   * `partial`, a batch that does not fit counts for the rest of `maxBytes`, as Kafka measures a parked fetch.
   */
  bytesAvailable(offset: number, maxBytes: number, upTo = this.highWatermark, partial = false): number {
    return this.eachRange(offset, maxBytes, upTo, true, (seg, pos, budget, end, atLeastOne) => seg.measureFrom(pos, budget, end, atLeastOne, partial));
  }

  /** The segments' ranges a read from `offset` covers, in turn, each within what is left of `maxBytes`; returns the total. */
  private eachRange(offset: number, maxBytes: number, upTo: number, minOneBatch: boolean,
    take: (seg: Segment, pos: number, budget: number, upTo: number, atLeastOne: boolean) => { bytes: number; end: number } | null): number {
    upTo = Math.min(upTo, this.highWatermark);
    if (offset < this.startOffset || offset >= upTo) return 0;
    let bytes = 0;
    for (let i = this.segmentIndexFor(offset); i < this.segments.length && bytes < maxBytes; i++) {
      const seg = this.segments[i];
      const pos = seg.locate(offset);
      if (pos < 0) continue;
      const got = take(seg, pos, maxBytes - bytes, upTo, minOneBatch && bytes === 0);
      if (!got) break;
      bytes += got.bytes;
      if (got.end < seg.size) break;
      offset = seg.nextOffset;
    }
    return bytes;
  }

  /**
   * Fetch's `read`: the same batches, read into `arena` (pooled space the response lends to the socket) with one
   * vectored read per segment, large ranges off the event loop. Returns the slices and their total size.
   */
  async readInto(arena: ReadArena, offset: number, maxBytes: number, upTo = this.highWatermark, minOneBatch = true): Promise<{ data: Buffer[]; bytes: number }> {
    const data: Buffer[] = [];
    let bytes = 0;
    upTo = Math.min(upTo, this.highWatermark);
    if (offset < this.startOffset || offset >= upTo) return { data, bytes };
    for (let i = this.segmentIndexFor(offset); i < this.segments.length && bytes < maxBytes; i++) {
      const seg = this.segments[i];
      const pos = seg.locate(offset);
      if (pos < 0) continue;
      let got;
      try {
        got = await seg.readInto(arena, pos, maxBytes - bytes, upTo, minOneBatch && bytes === 0);
      } catch (err) {
        if (this.closed) break; // deleted while reading: nothing more to give
        throw err;
      }
      if (!got) break;
      data.push(...got.data);
      bytes += got.bytes;
      if (got.end < seg.size || this.segments[i] !== seg) break; // (segments may have moved during the read)
      offset = seg.nextOffset;
    }
    return { data, bytes };
  }

  /** Index of the last segment whose base offset is <= `offset` (0 when before them all). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Aborted transactions overlapping [from, upTo), for read_committed fetches. */
  abortedTransactions(from: number, upTo: number): AbortedTransaction[] {
    return this.producers.abortedTransactions(from, upTo);
  }

  /**
   * ListOffsets by time: the first record (at or after the log start offset) whose timestamp is >= `ts`, found
   * through the time index, then the batch headers, then that batch's records. Undefined when there is none.
   */
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | undefined {
    for (const seg of this.segments) {
      if (seg.maxTimestamp < ts || seg.nextOffset <= this.startOffset) continue;
      const pos = seg.locate(Math.max(seg.timeIndex.lookup(ts), this.startOffset));
      if (pos < 0) continue;
      let found: { offset: number; timestamp: number } | undefined;
      seg.walk(pos, false, ({ header, buf, at }) => {
        if (header.maxTimestamp < ts) return true;
        found = this.firstRecordAtOrAfter(buf, at, header, ts);
        return found === undefined;
      }, true);
      if (found) return found;
    }
    return undefined;
  }

  /** ListOffsets MAX_TIMESTAMP (KIP-734): the first record carrying the log's largest timestamp; undefined when empty. */
  offsetOfMaxTimestamp(): { offset: number; timestamp: number } | undefined {
    let max = -1;
    for (const seg of this.segments) if (seg.nextOffset > this.startOffset && seg.maxTimestamp > max) max = seg.maxTimestamp;
    return max < 0 ? undefined : this.offsetForTimestamp(max);
  }

  /** Transaction markers count, as in Kafka: its time search walks every batch, and a marker may be the answer. */
  private firstRecordAtOrAfter(buf: Buffer, at: number, header: BatchHeader, ts: number): { offset: number; timestamp: number } | undefined {
    try {
      const r = decodeBatch(buf, at).records.find((rec) => rec.timestamp >= ts && rec.offset >= this.startOffset);
      return r && { offset: r.offset, timestamp: r.timestamp };
    } catch {
      // Unreadable records (a codec we cannot load): the batch is the best answer we have.
      return { offset: Math.max(header.baseOffset, this.startOffset), timestamp: header.maxTimestamp };
    }
  }

  // ---- removal ----

  /** DeleteRecords: makes `offset` (capped at the high watermark) the log start offset; frees whole segments below it. */
  deleteRecordsBefore(offset: number): void {
    offset = Math.min(offset, this.highWatermark);
    if (offset <= this.startOffset) return;
    this.setStartOffset(offset);
    this.deleteSegmentsWhile((seg, next) => next !== undefined && next.baseOffset <= offset);
    this.changed();
  }

  private setStartOffset(offset: number): void {
    this.startOffset = offset;
    this.dir.writeFile(LOG_START_FILE, Buffer.from(String(offset)));
    this.producers.truncateHead(offset);
  }

  /**
   * Deletes segments from the oldest while `predicate` holds (it sees the segment and the one after it). The active
   * segment may go too: a new empty one is rolled first, so the log end offset stays. Returns how many went.
   */
  deleteSegmentsWhile(predicate: (seg: Segment, next: Segment | undefined) => boolean): number {
    let n = 0;
    while (n < this.segments.length && predicate(this.segments[n], this.segments[n + 1])) n++;
    if (n === 0) return 0;
    if (n === this.segments.length) {
      if (this.active.size === 0) n--; // an empty active segment stays as it is
      else this.roll();
    }
    for (const seg of this.segments.splice(0, n)) this.removeSegment(seg);
    if (this.segments[0].baseOffset > this.startOffset) this.setStartOffset(this.segments[0].baseOffset);
    return n;
  }

  private removeSegment(seg: Segment): void {
    this.dirty?.delete(seg.log);
    seg.remove();
  }

  /**
   * Removes every batch from the one holding `offset` on (whole batches: the end offset may land below `offset`
   * when it falls inside a batch), then rebuilds the producer state.
   */
  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    while (this.segments.length > 1 && this.active.baseOffset >= offset) this.removeSegment(this.segments.pop()!);
    const seg = this.active;
    const pos = seg.locate(offset);
    if (pos >= 0) seg.truncateAt(pos);
    this.lowerRecoveryPoint(this.logEndOffset); // offsets from here on will be written again
    if (this.startOffset > this.logEndOffset) this.setStartOffset(this.logEndOffset);
    this.rebuildProducerState();
    this.changed();
  }

  /** Replays every stored batch header into a fresh producer state (after truncation or compaction). */
  rebuildProducerState(): void {
    this.producers = new ProducerState();
    for (const seg of this.segments) seg.walk(0, false, (b) => this.applyProducer(b, seg));
    this.producers.truncateHead(this.startOffset);
  }

  // ---- background work ----

  /** Per-log timers, run at every maintenance tick: `flush.ms` syncs and `segment.ms` (see rollMs) rolls of an idle active segment. */
  maintainSegments(now = this.now()): void {
    const cfg = this.config;
    if (this.dirty?.size && now - this.lastFlush >= cfg.flushMs) void this.sync().catch(() => {});
    if (this.active.size > 0 && now - this.active.rollStart >= this.rollMs) this.roll();
  }

  /**
   * Time/size retention for `cleanup.policy=delete`, after the per-log timers (a segment.ms roll lets an idle active
   * segment expire). Returns the number of segments deleted.
   */
  enforceRetention(now = this.now()): number {
    const cfg = this.config;
    this.maintainSegments(now);
    if (!cfg.deletePolicy) return 0;
    let deleted = 0;
    if (cfg.retentionMs >= 0) deleted += this.deleteSegmentsWhile((seg, next) => (next !== undefined || seg.size > 0) && seg.retentionTimestamp < now - cfg.retentionMs);
    if (cfg.retentionBytes >= 0) {
      let excess = this.size - cfg.retentionBytes;
      deleted += this.deleteSegmentsWhile((seg, next) => {
        if (!next || excess - seg.size < 0) return false;
        excess -= seg.size;
        return true;
      });
    }
    return deleted;
  }

  // ---- lifecycle ----

  /**
   * Kafka's recovery-point checkpoint for this log: syncs what was appended so far, then records its end offset in
   * RECOVERY_POINT_FILE, so a start after an unclean stop checks the CRCs of what came after only. Writes nothing
   * when the log has not moved since the last one.
   */
  async checkpointRecoveryPoint(): Promise<void> {
    // Untouched since a clean start: the file on disk is as good as ever, and not read.
    if (this.closed || (this.recoveryPoint === null && this.writeSeq === 0 && this.recoveryLowered === 0)) return;
    this.recoveryPoint ??= this.readRecoveryPointFile();
    const end = this.logEndOffset;
    if (end === this.recoveryPoint) return;
    const lowered = this.recoveryLowered;
    await this.sync();
    if (this.closed || lowered !== this.recoveryLowered) return; // rewritten meanwhile: the next checkpoint decides
    this.writeRecoveryPoint(end);
  }

  private readRecoveryPointFile(): number {
    return readRecoveryPoint(this.dir.readFile(RECOVERY_POINT_FILE));
  }

  private writeRecoveryPoint(offset: number): void {
    this.dir.writeFile(RECOVERY_POINT_FILE, Buffer.from(`${offset}\n`));
    this.recoveryPoint = offset;
  }

  /** Offsets from `offset` on were (or are being) rewritten: the recovery point on disk must not cover them. */
  private lowerRecoveryPoint(offset: number): void {
    this.recoveryLowered++;
    this.recoveryPoint ??= this.readRecoveryPointFile();
    if (offset < this.recoveryPoint) this.writeRecoveryPoint(offset);
  }

  /** Writes everything to disk now (a blocking fsync of every segment written since the last sync). */
  async flush(): Promise<void> {
    await this.sync();
  }

  /** Flushes, then closes the files and leaves the clean-shutdown marker that lets the next start skip CRC checks. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sync();
    } finally {
      this.closed = true;
      for (const seg of this.segments) seg.close();
    }
    if (this.openMarker) this.dir.rename(OPEN_MARKER_FILE, CLEAN_SHUTDOWN_FILE);
    else if (this.size > 0) this.dir.writeFile(CLEAN_SHUTDOWN_FILE, Buffer.alloc(0)); // (an empty log has no CRC to skip)
  }

  /** Removes the partition's files (topic deletion). */
  delete(): void {
    this.closed = true;
    for (const seg of this.segments) seg.close();
    this.dir.destroy();
    this.changed();
  }
}
