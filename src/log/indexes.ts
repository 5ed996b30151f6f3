/**
 * Sparse segment indexes, Kafka's formats: `.index` entries are (relative offset int32, file position int32), one
 * every `index.interval.bytes` of log; `.timeindex` entries are (max timestamp so far int64, relative offset int32),
 * written with them when the timestamp grew. No checksums.
 *
 * Lookups use the in-memory copy (8-20 bytes per 4 KiB of log, under 5 MiB for a full 1 GiB segment). The files,
 * for tools that read Kafka's layout, are written when the segment is sealed (rolled) or closed, not per entry: an
 * append then touches one file, not three, and keeps one descriptor busy per active partition. A file is created
 * with its first entries (a segment under `index.interval.bytes` has none, as an empty index; file creation is the
 * slowest part of making a partition). Every start rebuilds them from the log while it walks the batch headers
 * anyway (producer state needs that walk), so a damaged, stale or missing index can never mislead a read.
 */
import { readInt64 } from '../protocol/reader.js';
import { writeInt64 } from '../protocol/writer.js';
import type { LogDir, LogFile } from './storage.js';

const EMPTY = Buffer.alloc(0);

abstract class SparseIndex {
  /** Grown on the first entry: most segments of a broker with many partitions are small or empty. */
  protected entries = EMPTY;
  protected count = 0;
  /** Entries already in the file; the others are written by `flush`. */
  private written = 0;
  private file: LogFile | null = null;
  private closed = false;
  /** The file missed a write: stop writing it and remove it on close, so the next start rebuilds it. */
  private broken = false;
  private rebuilding = false;

  constructor(private readonly dir: LogDir, private readonly name: string, protected readonly entrySize: number) {}

  /** The index file, opened (created when missing) on first need; null once closed. Throws StorageError. */
  private openFile(): LogFile | null {
    if (this.closed) return null;
    return (this.file ??= this.dir.open(this.name));
  }

  get length(): number {
    return this.count;
  }

  /** Clears the entries and holds file writes until `endRebuild` writes them all at once (recovery). */
  beginRebuild(): void {
    this.count = 0;
    this.rebuilding = true;
  }

  endRebuild(): void {
    this.rebuilding = false;
    if (this.closed) return;
    try {
      if (this.count === 0 && !this.file) {
        this.dir.remove(this.name); // a stale one, if any: no entries means no file
      } else {
        const file = this.openFile()!;
        file.truncate(0);
        file.append(this.entries.subarray(0, this.count * this.entrySize));
      }
      this.written = this.count;
      this.broken = false;
    } catch {
      this.broken = true;
    }
  }

  protected push(entry: Buffer): void {
    this.reserve(this.count + 1);
    entry.copy(this.entries, this.count * this.entrySize, 0, this.entrySize);
    this.count++;
  }

  /** Writes the entries made since the last write (on roll and close). */
  flush(): void {
    if (this.closed || this.broken || this.rebuilding || this.written >= this.count) return;
    try {
      this.openFile()!.append(this.entries.subarray(this.written * this.entrySize, this.count * this.entrySize));
      this.written = this.count;
    } catch {
      this.broken = true;
    }
  }

  private reserve(n: number): void {
    if (n * this.entrySize <= this.entries.length) return;
    const grown = Buffer.alloc(Math.max(n * this.entrySize, this.entries.length * 2, this.entrySize * 16));
    this.entries.copy(grown);
    this.entries = grown;
  }

  /** Index of the last entry whose key is <= `key` (keys are non-decreasing), or -1. */
  protected floor(key: number, keyAt: (i: number) => number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= key) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Keeps the first `n` entries. */
  protected keep(n: number): void {
    if (n >= this.count) return;
    this.count = n;
    this.rewrite();
  }

  reset(): void {
    this.count = 0;
    this.rewrite();
  }

  /** Drops written entries beyond `count` from the file. */
  private rewrite(): void {
    if (this.written <= this.count) return;
    try {
      this.openFile()?.truncate(this.count * this.entrySize);
      this.written = this.count;
    } catch {
      this.broken = true;
    }
  }

  /** Closes the file, first writing the entries not yet in it unless the index is about to be removed. */
  close(write = true): void {
    if (write) this.flush();
    this.file?.close();
    this.file = null;
    this.closed = true;
    if (this.broken) {
      try { this.dir.remove(this.name); } catch { /* rebuilt next start anyway */ }
    }
  }

  remove(): void {
    this.close(false);
    this.dir.remove(this.name);
  }
}

/** Entry assembly space, shared: every use is synchronous. */
const scratch = Buffer.alloc(12);

export class OffsetIndex extends SparseIndex {

  constructor(dir: LogDir, name: string, private readonly baseOffset: number) {
    super(dir, name, 8);
  }

  relOffsetAt(i: number): number { return this.entries.readInt32BE(i * 8); }
  positionAt(i: number): number { return this.entries.readInt32BE(i * 8 + 4); }
  lastPosition(): number { return this.count ? this.positionAt(this.count - 1) : 0; }

  add(offset: number, position: number): void {
    scratch.writeInt32BE(offset - this.baseOffset, 0);
    scratch.writeInt32BE(position, 4);
    this.push(scratch);
  }

  /** File position of a batch at or before the one holding `offset` (0 when none is indexed). */
  lookup(offset: number): number {
    const i = this.floor(offset - this.baseOffset, (k) => this.relOffsetAt(k));
    return i < 0 ? 0 : this.positionAt(i);
  }

  /** Drops entries for batches at or after file position `position`. */
  truncateToPosition(position: number): void {
    let n = this.count;
    while (n > 0 && this.positionAt(n - 1) >= position) n--;
    this.keep(n);
  }
}

export class TimeIndex extends SparseIndex {

  constructor(dir: LogDir, name: string, private readonly baseOffset: number) {
    super(dir, name, 12);
  }

  timestampAt(i: number): number { return readInt64(this.entries, i * 12); }
  offsetAt(i: number): number { return this.baseOffset + this.entries.readInt32BE(i * 12 + 8); }
  lastTimestamp(): number { return this.count ? this.timestampAt(this.count - 1) : -1; }

  /** Records that every batch up to the one at `offset` has timestamps <= `maxTimestamp`; kept only when it grew. */
  maybeAdd(maxTimestamp: number, offset: number): void {
    if (maxTimestamp <= this.lastTimestamp()) return;
    writeInt64(scratch, 0, maxTimestamp);
    scratch.writeInt32BE(offset - this.baseOffset, 8);
    this.push(scratch);
  }

  /**
   * Offset of a batch from which a scan for the first timestamp >= `ts` may start: the one named by the last entry
   * whose timestamp is still below `ts` (every batch before it is older), else the segment start.
   */
  lookup(ts: number): number {
    const i = this.floor(ts - 1, (k) => this.timestampAt(k));
    return i < 0 ? this.baseOffset : this.offsetAt(i);
  }

  truncateToOffset(offset: number): void {
    let n = this.count;
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--;
    this.keep(n);
  }
}
