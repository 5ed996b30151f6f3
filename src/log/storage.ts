/**
 * The files under a partition log, behind one small interface with two implementations: real files (synchronous
 * syscalls: an append has reached the OS when it returns, reads land in fresh Buffers so data lives in the page
 * cache, not the heap) and memory (tests, `--in-memory`). Everything above this layer is shared, so both modes
 * behave the same, down to recovery and disk-full errors (the memory store takes an optional byte quota).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../protocol/generated/errors.js';

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
  truncate(size: number): void;
  /** fdatasync, off the main thread. */
  sync(): Promise<void>;
  close(): void;
}

export interface LogDir {
  readonly path: string | null;
  list(): string[];
  /** Opens (creating when missing) a file for reading and appending. */
  open(name: string): LogFile;
  exists(name: string): boolean;
  /** A whole small file, or null when it does not exist. */
  readFile(name: string): Buffer | null;
  /** Replaces a small file atomically (write a temporary, then rename). */
  writeFile(name: string, data: Buffer): void;
  remove(name: string): void;
  /** Renames atomically, replacing `to`. */
  rename(from: string, to: string): void;
  /** Removes the directory and everything in it. */
  destroy(): void;
}

// ---- files ----

class FsFile implements LogFile {
  size: number;
  private fd: number;
  private syncing = 0;
  private closeWhenIdle = false;

  constructor(readonly path: string) {
    try {
      this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
      this.size = fs.fstatSync(this.fd).size;
    } catch (err) {
      throw storageError(`cannot open ${path}`, err);
    }
  }

  append(data: Buffer): void {
    const start = this.size;
    let done = 0;
    try {
      while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, start + done);
    } catch (err) {
      // Undo a partial write so the file ends on a whole batch; if even that fails, recovery trims the tail.
      try { fs.ftruncateSync(this.fd, start); } catch { /* recovery will */ }
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
    try {
      while (got < into.length) {
        const n = fs.readSync(this.fd, into, got, into.length - got, position + got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      throw storageError(`read from ${this.path} failed`, err);
    }
    return got;
  }

  truncate(size: number): void {
    try {
      fs.ftruncateSync(this.fd, size);
    } catch (err) {
      throw storageError(`truncate of ${this.path} failed`, err);
    }
    this.size = size;
  }

  sync(): Promise<void> {
    if (this.fd < 0) return Promise.resolve(); // closed: deleted, or closed after the log's last sync
    this.syncing++;
    return new Promise<void>((resolve, reject) => {
      fs.fdatasync(this.fd, (err) => {
        if (--this.syncing === 0 && this.closeWhenIdle) this.closeNow();
        if (err) reject(storageError(`fdatasync of ${this.path} failed`, err));
        else resolve();
      });
    });
  }

  close(): void {
    // A segment deleted by retention may still have a group-commit fdatasync in flight on its descriptor.
    if (this.syncing > 0) this.closeWhenIdle = true;
    else this.closeNow();
  }

  private closeNow(): void {
    if (this.fd < 0) return;
    try { fs.closeSync(this.fd); } catch { /* already gone */ }
    this.fd = -1;
  }
}

export class FsDir implements LogDir {
  constructor(readonly path: string) {
    try {
      fs.mkdirSync(path, { recursive: true });
    } catch (err) {
      throw storageError(`cannot create ${path}`, err);
    }
  }

  list(): string[] {
    return fs.readdirSync(this.path);
  }

  open(name: string): LogFile {
    return new FsFile(join(this.path, name));
  }

  exists(name: string): boolean {
    return fs.existsSync(join(this.path, name));
  }

  readFile(name: string): Buffer | null {
    try {
      return fs.readFileSync(join(this.path, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storageError(`cannot read ${name}`, err);
    }
  }

  writeFile(name: string, data: Buffer): void {
    const tmp = join(this.path, `${name}.tmp`);
    try {
      fs.writeFileSync(tmp, data);
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

  rename(from: string, to: string): void {
    try {
      fs.renameSync(join(this.path, from), join(this.path, to));
    } catch (err) {
      throw storageError(`cannot rename ${from}`, err);
    }
  }

  destroy(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
  }
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

class MemoryFile implements LogFile {
  private data = Buffer.alloc(0);
  size = 0;

  constructor(private readonly quota: MemoryQuota) {}

  append(data: Buffer): void {
    this.quota.take(data.length);
    const need = this.size + data.length;
    if (need > this.data.length) {
      const grown = Buffer.alloc(Math.max(need, this.data.length * 2, 4096));
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

  truncate(size: number): void {
    if (size < this.size) this.quota.used -= this.size - size;
    else this.quota.take(size - this.size);
    if (size > this.data.length) {
      const grown = Buffer.alloc(size);
      this.data.copy(grown, 0, 0, this.size);
      this.data = grown;
    } else {
      this.data.fill(0, size, this.size);
    }
    this.size = size;
  }

  release(): void {
    this.quota.used -= this.size;
    this.size = 0;
    this.data = Buffer.alloc(0);
  }

  async sync(): Promise<void> {}
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

  rename(from: string, to: string): void {
    const f = this.files.get(from);
    if (!f) throw new StorageError(`cannot rename ${from}: no such file`);
    if (from === to) return;
    this.remove(to);
    this.files.delete(from);
    this.files.set(to, f);
  }

  destroy(): void {
    for (const name of this.list()) this.remove(name);
  }
}
