/**
 * The files under a partition log, behind one small interface with two implementations: real files (synchronous
 * syscalls: an append has reached the OS when it returns; reads land in fresh Buffers, or for Fetch in pooled
 * slabs, vectored and off the event loop when large, so data lives in the page cache, not the heap) and memory (tests, `--in-memory`). Everything above this layer is shared, so both modes
 * behave the same, down to recovery and disk-full errors (the memory store takes an optional byte quota). Real
 * files hold a descriptor only while recently used (OpenFiles), so any number of partitions and segments fits
 * under the process's descriptor limit.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../protocol/generated/errors.js';
import { nameErrorClasses } from '../error-names.js';

/** An I/O failure (disk full, permissions, EIO): the broker answers KAFKA_STORAGE_ERROR and keeps serving. */
export class StorageError extends Error {
  readonly code = 'SAMSA_STORAGE_ERROR';
  readonly errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
  }
}

function storageError(what: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  return new StorageError(`${what}: ${(err as Error)?.message ?? String(err)}`, err);
}

export interface LogFile {
  readonly size: number;
  /** Writes all of `data` at the end, or nothing: a failed write is undone before the error is thrown. */
  append(data: Buffer): void;
  /** Copies up to `length` bytes from `position` into a fresh Buffer (shorter at the end of the file). */
  read(position: number, length: number): Buffer;
  /** Fills `into` from `position`; returns the bytes read. */
  readInto(into: Buffer, position: number): number;
  /** Fills the buffers of `into` in turn from `position` with one call; returns the bytes read. */
  readvSync(into: readonly Buffer[], position: number): number;
  /** `readvSync` off the event loop (the thread pool): for large ranges. The file stays open until it ends. */
  readv(into: readonly Buffer[], position: number): Promise<number>;
  truncate(size: number): void;
  /** fdatasync, off the main thread. */
  sync(): Promise<void>;
  /**
   * Creates a file that does not exist yet (see LogDir.open's `absent`) on the thread pool; null when there is
   * nothing to create. Resolves either way (an append creates it itself, or reports why it cannot); an append
   * made meanwhile creates it at once, which the background creation never undoes.
   */
  create(): Promise<void> | null;
  close(): void;
}

export interface LogDir {
  readonly path: string | null;
  list(): string[];
  /**
   * Opens (creating when missing) a file for reading and appending. `absent`: the caller knows there is no such
   * file (a new segment), so it is created, empty, only with the first write — a partition nobody writes to costs
   * a directory and nothing more.
   */
  open(name: string, absent?: boolean): LogFile;
  exists(name: string): boolean;
  /** A whole small file, or null when it does not exist. */
  readFile(name: string): Buffer | null;
  /** Replaces a small file atomically (write a temporary, then rename). */
  writeFile(name: string, data: Buffer): void;
  remove(name: string): void;
  /**
   * `remove` for a large file (a deleted segment), its cost off the event loop: renamed to `<name>.deleted` now,
   * unlinked on the thread pool (freeing a large file's blocks takes the kernel milliseconds). Kafka deletes
   * segments asynchronously too. What a crash leaves behind, the next start removes (DELETED_SUFFIX).
   */
  removeInBackground(name: string): void;
  /** Renames atomically, replacing `to`. */
  rename(from: string, to: string): void;
  /** Removes the directory and everything in it. */
  destroy(): void;
}

// ---- files ----

/** What `removeInBackground` renames a file to until it is unlinked. */
export const DELETED_SUFFIX = '.deleted';

/** `buffers` less their first `n` bytes (after a short vectored read). */
function skipBytes(buffers: readonly Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (n >= b.length) n -= b.length;
    else {
      out.push(n > 0 ? b.subarray(n) : b);
      n = 0;
    }
  }
  return out;
}

const outOfDescriptors = (err: unknown): boolean => ['EMFILE', 'ENFILE'].includes((err as NodeJS.ErrnoException)?.code ?? '');

/** File creations on the thread pool at once (its default size). */
const CONCURRENT_CREATIONS = 4;

/** Default cap on descriptors held by one broker's logs (`log.max.open.files`). */
export const DEFAULT_MAX_OPEN_FILES = 1000;

/**
 * The open descriptors of segment and index files, least recently used first, at most `max` of them: a file is
 * opened on first use and closed when others push it out, so the number of partitions and segments is bounded by
 * the disk, not by the process's descriptor limit. (Kafka keeps every segment's files mapped or open and relies on
 * a high `ulimit -n`.) A descriptor with an fdatasync in flight is pinned: never closed under it; fdatasyncs wait
 * for one of `max / 2` slots, so a flush of every partition cannot pin more than half the cap. Should the process
 * run out of descriptors anyway (a cap above `ulimit -n`), the cap drops to what it could hold.
 */
export class OpenFiles {
  private readonly lru = new Set<FsFile>();
  /** The last file used: touching it again costs nothing (appends and reads come in runs on one file). */
  private last: FsFile | null = null;
  private syncsRunning = 0;
  private readonly syncQueue: Array<() => void> = [];
  private readonly syncEndWaiters: Array<() => void> = [];
  /** Descriptors opened, first opens and reopens alike (for tests and measurements). */
  opens = 0;
  /** File creations on the thread pool under way (see `creationSlot`), and those waiting for one. */
  private creations = 0;
  private readonly creationQueue: Array<() => void> = [];

  constructor(public max = DEFAULT_MAX_OPEN_FILES) {
    if (!(max >= 1)) this.max = 1;
  }

  /** Descriptors open now. */
  get size(): number {
    return this.lru.size;
  }

  /** Opens `file` (closing the least recently used ones over the cap); on EMFILE/ENFILE, frees more and retries. */
  open(file: FsFile, flags: number): number {
    this.evict(this.max - 1);
    return this.adopt(file, this.orFreeingSome(() => fs.openSync(file.path, flags, 0o644)));
  }

  /**
   * Resolves when a file creation off the event loop may start (call `creationDone` after): at most
   * CONCURRENT_CREATIONS at once, as each holds a descriptor outside the cap until adopted — thousands queued on the
   * thread pool would open them all before the event loop adopts (and evicts) any.
   */
  creationSlot(): Promise<void> {
    if (this.creations < CONCURRENT_CREATIONS) {
      this.creations++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.creationQueue.push(resolve));
  }

  creationDone(): void {
    const next = this.creationQueue.shift();
    if (next) next(); // the slot passes on as it is
    else this.creations--;
  }

  /** Takes `fd` (opened for `file` elsewhere: off the event loop) into the cache. */
  adopt(file: FsFile, fd: number): number {
    this.evict(this.max - 1);
    this.opens++;
    file.fd = fd;
    this.lru.add(file);
    this.last = file;
    return fd;
  }

  /**
   * Runs `use` (a call that takes a descriptor); when the process has run out of them (EMFILE/ENFILE: the cap is
   * above `ulimit -n`, or sockets took the rest), gives back half of the cached ones and runs it once more.
   */
  orFreeingSome<T>(use: () => T): T {
    try {
      return use();
    } catch (err) {
      if (!outOfDescriptors(err) || this.lru.size === 0) throw err;
      // The process's real limit is lower than the cap: the cap follows it down.
      this.max = Math.max(1, this.lru.size >> 1);
      this.evict(this.max);
      return use();
    }
  }

  /** Marks `file` (open) as the most recently used. */
  touch(file: FsFile): void {
    if (this.last === file) return;
    this.lru.delete(file);
    this.lru.add(file);
    this.last = file;
  }

  /** Closes `file`'s descriptor now. */
  release(file: FsFile): void {
    if (file.fd < 0) return;
    this.lru.delete(file);
    if (this.last === file) this.last = null;
    try { fs.closeSync(file.fd); } catch { /* already gone */ }
    file.fd = -1;
  }

  /** Resolves true when a running sync other than the caller's ends, false at once when there is none. */
  syncEnded(): Promise<boolean> {
    if (this.syncsRunning <= 1) return Promise.resolve(false);
    return new Promise((resolve) => this.syncEndWaiters.push(() => resolve(true)));
  }

  /** Runs `task` (an fdatasync) when one of the sync slots is free. */
  async withSyncSlot<T>(task: () => Promise<T>): Promise<T> {
    if (this.syncsRunning >= Math.max(1, this.max >> 1)) await new Promise<void>((resolve) => this.syncQueue.push(resolve));
    else this.syncsRunning++;
    try {
      return await task();
    } finally {
      for (const wake of this.syncEndWaiters.splice(0)) wake();
      const next = this.syncQueue.shift();
      if (next) next(); // the slot passes on as it is
      else this.syncsRunning--;
    }
  }

  /** Closes the least recently used unpinned descriptors until at most `keep` are open (pinned ones may stay over). */
  private evict(keep: number): void {
    let pinned = 0;
    while (this.lru.size > Math.max(keep, 0) && this.lru.size > pinned) {
      const oldest = this.lru.values().next().value as FsFile;
      if (oldest.pins > 0) {
        this.lru.delete(oldest); // to the back: it is in use
        this.lru.add(oldest);
        pinned++;
      } else {
        this.release(oldest);
      }
    }
  }
}

/**
 * `path` flattened in place. `join` returns a rope of slices of its inputs (a dozen small heap objects); kept by
 * every partition's directory and segment file, that was about 300 bytes per idle partition. Converting a string
 * to a number makes V8 flatten it (the trick of the flatstr package), at a fraction of a copy's cost.
 */
function flatPath(path: string): string {
  void Number(path);
  return path;
}

class FsFile implements LogFile {
  size: number;
  /** The descriptor while open (OpenFiles opens and closes it), else -1. */
  fd = -1;
  /** fdatasyncs in flight on `fd`: it stays open until they end. */
  pins = 0;
  private closed = false;
  /** Not created yet: the first write creates it (see LogDir.open). */
  private absent: boolean;
  /** The creation under way on the thread pool (see `create`). */
  private creating: Promise<void> | null = null;

  /** `dir`/`name`, joined when needed: a whole path per file adds up over thousands of idle partitions. */
  get path(): string {
    return `${this.dir}/${this.name}`;
  }

  constructor(private readonly dir: string, private readonly name: string, private readonly files: OpenFiles, absent: boolean) {
    this.absent = absent;
    if (absent) {
      this.size = 0;
      return;
    }
    try {
      this.size = fs.fstatSync(files.open(this, fs.constants.O_RDWR | fs.constants.O_CREAT)).size;
    } catch (err) {
      throw storageError(`cannot open ${this.path}`, err);
    }
  }

  /** The descriptor, reopened when it was closed for others (never created again: the file must still exist). */
  private handle(): number {
    if (this.fd >= 0) {
      this.files.touch(this);
      return this.fd;
    }
    if (this.closed) throw new StorageError(`${this.path} is closed`);
    if (this.absent) {
      // Truncating: whatever a file of this name holds is no part of a segment the log believes empty.
      const fd = this.files.open(this, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC);
      this.absent = false;
      return fd;
    }
    return this.files.open(this, fs.constants.O_RDWR);
  }

  append(data: Buffer): void {
    const start = this.size;
    let done = 0;
    let fd = -1;
    try {
      fd = this.handle();
      while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, start + done);
    } catch (err) {
      // Undo a partial write so the file ends on a whole batch; if even that fails, recovery trims the tail.
      if (done > 0) try { fs.ftruncateSync(fd, start); } catch { /* recovery will */ }
      throw storageError(`write to ${this.path} failed`, err);
    }
    this.size = start + data.length;
  }

  read(position: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.size - position));
    // allocUnsafeSlow: never a slice of Node's shared pool, so a retained read keeps only its own bytes alive.
    const buf = Buffer.allocUnsafeSlow(n);
    const got = this.readInto(buf, position);
    return got === n ? buf : buf.subarray(0, got);
  }

  readInto(into: Buffer, position: number): number {
    let got = 0;
    if (this.absent) return 0;
    try {
      const fd = this.handle();
      while (got < into.length) {
        const n = fs.readSync(fd, into, got, into.length - got, position + got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      throw storageError(`read from ${this.path} failed`, err);
    }
    return got;
  }

  readvSync(into: readonly Buffer[], position: number): number {
    let got = 0;
    if (this.absent) return 0;
    try {
      const fd = this.handle();
      for (let left = into; left.length > 0;) {
        const n = fs.readvSync(fd, left, position + got);
        if (n === 0) break;
        got += n;
        left = skipBytes(left, n);
      }
    } catch (err) {
      throw storageError(`read from ${this.path} failed`, err);
    }
    return got;
  }

  readv(into: readonly Buffer[], position: number): Promise<number> {
    if (this.absent) return Promise.resolve(0);
    let fd: number;
    try {
      fd = this.handle();
    } catch (err) {
      return Promise.reject(storageError(`read from ${this.path} failed`, err));
    }
    this.pins++; // neither the LRU nor a close (segment deleted meanwhile) takes the descriptor from under the read
    return new Promise((resolve, reject) => {
      let got = 0;
      const step = (left: Buffer[]): void => fs.readv(fd, left, position + got, (err, n) => {
        if (!err && n > 0 && (left = skipBytes(left, n), got += n, left.length > 0)) return step(left);
        this.unpin();
        if (err) reject(storageError(`read from ${this.path} failed`, err));
        else resolve(got);
      });
      step([...into]);
    });
  }

  private unpin(): void {
    if (--this.pins === 0 && this.closed) this.files.release(this);
  }

  truncate(size: number): void {
    if (this.absent && size === 0) return;
    try {
      fs.ftruncateSync(this.handle(), size);
    } catch (err) {
      throw storageError(`truncate of ${this.path} failed`, err);
    }
    this.size = size;
  }

  /** fdatasync, reopening the file when its descriptor was closed since the writes (Linux syncs the inode). */
  sync(): Promise<void> {
    return this.files.withSyncSlot(async () => {
      let fd = -1;
      while (fd < 0) {
        if (this.closed || this.absent) return; // closed: deleted, or closed after the log's last sync; absent: nothing written
        try {
          fd = this.handle();
        } catch (err) {
          // Out of descriptors with every cached one pinned by other syncs: wait for one of them to end.
          if (!outOfDescriptors(err) || !(await this.files.syncEnded())) throw storageError(`fdatasync of ${this.path} failed`, err);
        }
      }
      this.pins++;
      return new Promise<void>((resolve, reject) => {
        fs.fdatasync(fd, (err) => {
          // A segment deleted by retention may have closed meanwhile: its descriptor goes once the sync is done.
          this.unpin();
          if (err) reject(storageError(`fdatasync of ${this.path} failed`, err));
          else resolve();
        });
      });
    });
  }

  create(): Promise<void> | null {
    if (!this.absent || this.closed) return null;
    // O_EXCL: a file an append created meanwhile (or a stale one, which the append's O_TRUNC empties) is left alone.
    return (this.creating ??= this.files.creationSlot().then(() => new Promise<void>((resolve) => {
      if (!this.absent || this.closed) {
        this.files.creationDone();
        this.creating = null;
        return resolve();
      }
      fs.open(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644, (err, fd) => {
        this.files.creationDone();
        this.creating = null;
        if (!err && this.absent && !this.closed) {
          this.files.adopt(this, fd);
          this.absent = false;
        } else if (!err) {
          fs.close(fd, () => {});
        }
        resolve();
      });
    })));
  }

  close(): void {
    this.closed = true;
    if (this.pins === 0) this.files.release(this);
  }
}

export class FsDir implements LogDir {
  /** Created by this constructor and nothing written since: listing and reading it need no syscall. */
  private fresh: boolean;
  /** What the constructor found in a directory that existed, for the first `list` (a log's start lists it at once). */
  private found: string[] | null = null;

  /** `files`: the descriptor cache shared by the directories of one broker (a private one when not given). */
  readonly path: string;

  /** `knownEmpty`: the caller made the directory and nothing has written to it since (no listing needed). */
  constructor(path: string, private readonly files = new OpenFiles(), knownEmpty = false) {
    this.path = flatPath(path);
    this.fresh = knownEmpty;
    if (knownEmpty) return;
    try {
      // Listed first, made only when missing: one syscall for a directory made ahead (LogManager.makeDirectories),
      // where an mkdir would also take the parent directory's lock only to fail.
      this.found = files.orFreeingSome(() => fs.readdirSync(path));
      this.fresh = false;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(`cannot list ${path}`, err);
      try {
        this.fresh = fs.mkdirSync(path, { recursive: true }) !== undefined;
      } catch (mkdirErr) {
        throw storageError(`cannot create ${path}`, mkdirErr);
      }
    }
  }

  list(): string[] {
    if (this.fresh) return [];
    const found = this.found;
    this.found = null;
    return found ?? this.files.orFreeingSome(() => fs.readdirSync(this.path));
  }

  open(name: string, absent = false): LogFile {
    this.fresh = false;
    return new FsFile(this.path, name, this.files, absent);
  }

  exists(name: string): boolean {
    return !this.fresh && fs.existsSync(join(this.path, name));
  }

  readFile(name: string): Buffer | null {
    if (this.fresh) return null;
    try {
      return this.files.orFreeingSome(() => fs.readFileSync(join(this.path, name)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageError(`cannot read ${name}`, err);
    }
  }

  writeFile(name: string, data: Buffer): void {
    this.fresh = false;
    const tmp = join(this.path, `${name}.tmp`);
    try {
      this.files.orFreeingSome(() => fs.writeFileSync(tmp, data));
      fs.renameSync(tmp, join(this.path, name));
    } catch (err) {
      try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
      throw storageError(`cannot write ${name}`, err);
    }
  }

  remove(name: string): void {
    try {
      fs.rmSync(join(this.path, name), { force: true });
    } catch (err) {
      throw storageError(`cannot remove ${name}`, err);
    }
  }

  removeInBackground(name: string): void {
    const doomed = join(this.path, `${name}${DELETED_SUFFIX}`);
    try {
      fs.renameSync(join(this.path, name), doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // never written (or gone already)
      throw storageError(`cannot remove ${name}`, err);
    }
    fs.unlink(doomed, () => {}); // a failure leaves the file to the next start
  }

  rename(from: string, to: string): void {
    this.fresh = false;
    try {
      fs.renameSync(join(this.path, from), join(this.path, to));
    } catch (err) {
      throw storageError(`cannot rename ${from}`, err);
    }
  }

  destroy(): void {
    removeDirectory(this.path);
  }
}

/**
 * Removes a partition's directory and everything in it. A first segment file still being created on the thread pool
 * (FsFile.create) can appear while the directory is emptied, so the removal is tried again (a few ms) on ENOTEMPTY.
 */
export function removeDirectory(path: string): void {
  fs.rmSync(path, { recursive: true, force: true, maxRetries: 3, retryDelay: 5 });
}

// ---- memory ----

/** Byte budget shared by the files of one or more memory directories: the in-memory stand-in for a disk. */
export class MemoryQuota {
  used = 0;
  constructor(public capacity = Infinity) {}

  take(n: number): void {
    if (this.used + n > this.capacity) throw new StorageError('No space left on device (memory quota)');
    this.used += n;
  }
}

/** Slabs that new in-memory files take their first bytes from (see `firstSpace`). */
const SLAB_BYTES = 16 * 1024;
let slab: Buffer | null = null;
let slabAt = 0;

/**
 * Room for a new in-memory file's first append (at least 512 bytes, in 64-byte steps), cut from a 16 KiB slab shared
 * with other new files: a first write to each of thousands of partitions then touches a few fresh pages instead of a
 * 4 KiB allocation (and a page fault) each. Growing past it moves the file to a buffer of its own. A slab lives while
 * any file still holds its slice: at most 16 KiB for a file, where its own buffer took 4 KiB.
 */
function firstSpace(need: number): Buffer {
  const size = Math.max(512, (need + 63) & ~63);
  if (slab === null || slabAt + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabAt = 0;
  }
  return slab.subarray(slabAt, (slabAt += size));
}

class MemoryFile implements LogFile {
  private data: Buffer = Buffer.alloc(0);
  size = 0;

  constructor(private readonly quota: MemoryQuota) {}

  append(data: Buffer): void {
    this.quota.take(data.length);
    const need = this.size + data.length;
    if (need > this.data.length) {
      // Not zeroed (bytes past `size` are never read; `truncate` zeroes what it exposes): zeroing a new partition's
      // first 4 KiB was most of its first append's cost.
      const grown = this.data.length === 0 && need <= 4096 ? firstSpace(need) : Buffer.allocUnsafeSlow(Math.max(need, this.data.length * 2, 4096));
      this.data.copy(grown, 0, 0, this.size);
      this.data = grown;
    }
    data.copy(this.data, this.size);
    this.size = need;
  }

  read(position: number, length: number): Buffer {
    const n = Math.max(0, Math.min(length, this.size - position));
    return Buffer.from(this.data.subarray(position, position + n));
  }

  readInto(into: Buffer, position: number): number {
    if (position >= this.size) return 0;
    return this.data.copy(into, 0, position, Math.min(this.size, position + into.length));
  }

  readvSync(into: readonly Buffer[], position: number): number {
    let got = 0;
    for (const b of into) {
      const n = this.readInto(b, position + got);
      got += n;
      if (n < b.length) break;
    }
    return got;
  }

  async readv(into: readonly Buffer[], position: number): Promise<number> {
    return this.readvSync(into, position);
  }

  truncate(size: number): void {
    if (size < this.size) this.quota.used -= this.size - size;
    else this.quota.take(size - this.size);
    if (size > this.data.length) {
      const grown = Buffer.alloc(size);
      this.data.copy(grown, 0, 0, this.size);
      this.data = grown;
    } else if (size > this.size) {
      this.data.fill(0, this.size, size);
    }
    this.size = size;
  }

  release(): void {
    this.quota.used -= this.size;
    this.size = 0;
    this.data = Buffer.alloc(0);
  }

  async sync(): Promise<void> {}
  create(): null {
    return null;
  }
  close(): void {}

  /** Test hook: the raw bytes, as a file on disk would show them. */
  get bytes(): Buffer {
    return this.data.subarray(0, this.size);
  }
}

export class MemoryDir implements LogDir {
  readonly path = null;
  private readonly files = new Map<string, MemoryFile>();
  private readonly small = new Map<string, Buffer>();

  constructor(readonly quota = new MemoryQuota()) {}

  list(): string[] {
    return [...this.files.keys(), ...this.small.keys()];
  }

  open(name: string): LogFile {
    let f = this.files.get(name);
    if (!f) this.files.set(name, (f = new MemoryFile(this.quota)));
    return f;
  }

  exists(name: string): boolean {
    return this.files.has(name) || this.small.has(name);
  }

  readFile(name: string): Buffer | null {
    const s = this.small.get(name);
    if (s) return Buffer.from(s);
    const f = this.files.get(name);
    return f ? Buffer.from(f.bytes) : null;
  }

  writeFile(name: string, data: Buffer): void {
    this.quota.take(data.length);
    this.quota.used -= this.small.get(name)?.length ?? 0;
    this.small.set(name, Buffer.from(data));
  }

  remove(name: string): void {
    this.files.get(name)?.release();
    this.files.delete(name);
    this.quota.used -= this.small.get(name)?.length ?? 0;
    this.small.delete(name);
  }

  removeInBackground(name: string): void {
    this.remove(name);
  }

  rename(from: string, to: string): void {
    const f = this.files.get(from);
    const small = this.small.get(from);
    if (!f && !small) throw new StorageError(`cannot rename ${from}: no such file`);
    if (from === to) return;
    this.remove(to);
    if (f) {
      this.files.delete(from);
      this.files.set(to, f);
    } else {
      this.small.delete(from);
      this.small.set(to, small!);
    }
  }

  destroy(): void {
    for (const name of this.list()) this.remove(name);
  }
}

nameErrorClasses({ StorageError });
