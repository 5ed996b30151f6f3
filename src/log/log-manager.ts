/**
 * Opens, creates and deletes partition logs: `<dataDir>/<topic>-<partition>/` on disk, or memory directories when
 * `dataDir` is null. Runs the background work (flush.ms, segment.ms rolls, retention, compaction) on a timer that
 * never keeps the process alive. A compaction pass runs in turns of at most CLEANER_TURN_MS, one per event-loop
 * iteration, so produce and fetch keep being served while a large log is cleaned (one pass per log at a time).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PartitionLog } from './partition-log.js';
import { FsDir, MemoryDir, MemoryQuota, OpenFiles, type LogDir } from './storage.js';
import type { TopicConfigInput } from './config.js';
import { compaction, type CompactionStats } from './cleaner.js';

/** Longest stretch a compaction pass holds the event loop. */
const CLEANER_TURN_MS = 2;

export interface LogManagerOptions {
  /** Null: keep everything in memory. */
  dataDir: string | null;
  logger?: Logger;
  /** Durable mode for every partition: acks=-1 waits for fdatasync (group commit). */
  fsync?: boolean;
  /** How often the background work runs; 0 disables the timer (tests call `maintain`). Default 1000 ms. */
  maintenanceIntervalMs?: number;
  /** In-memory mode: a byte budget standing in for a disk's size. */
  memoryQuota?: MemoryQuota;
  /** Most segment and index files open at once; the others are reopened on demand (default DEFAULT_MAX_OPEN_FILES). */
  maxOpenFiles?: number;
  now?: () => number;
}

export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly memoryDirs = new Map<string, MemoryDir>();
  private readonly quota: MemoryQuota;
  /** The descriptors of every partition's files, least recently used closed first. */
  readonly openFiles: OpenFiles;
  private timer: NodeJS.Timeout | null = null;
  /** Compaction passes under way, by partition; each resolves when its pass ends (or stops at close). */
  private readonly cleaning = new Map<string, Promise<void>>();
  private closing = false;

  constructor(private readonly opts: LogManagerOptions) {
    this.quota = opts.memoryQuota ?? new MemoryQuota();
    this.openFiles = new OpenFiles(opts.maxOpenFiles);
  }

  private key(topic: string, partition: number): string {
    return `${topic}-${partition}`;
  }

  private dir(name: string): LogDir {
    if (this.opts.dataDir !== null) return new FsDir(join(this.opts.dataDir, name), this.openFiles);
    let d = this.memoryDirs.get(name);
    if (!d) this.memoryDirs.set(name, (d = new MemoryDir(this.quota)));
    return d;
  }

  /** Opens the partition's log (recovering it) or, when already open, applies `config` to it. */
  open(topic: string, partition: number, config: TopicConfigInput = {}): PartitionLog {
    const name = this.key(topic, partition);
    const existing = this.logs.get(name);
    if (existing) {
      existing.updateConfig(config);
      return existing;
    }
    const log = PartitionLog.open(this.dir(name), config, {
      fsync: this.opts.fsync,
      now: this.opts.now,
      warn: (msg, details) => this.opts.logger?.warn({ partition: name, ...details }, msg),
    });
    this.logs.set(name, log);
    this.startTimer();
    return log;
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(this.key(topic, partition));
  }

  /** Deletes the partition's log and its files. */
  delete(topic: string, partition: number): void {
    const name = this.key(topic, partition);
    const log = this.logs.get(name);
    this.logs.delete(name);
    if (log) log.delete();
    else this.dir(name).destroy();
    this.memoryDirs.delete(name);
  }

  entries(): IterableIterator<[string, PartitionLog]> {
    return this.logs.entries();
  }

  /**
   * One round of background work over every log: retention now, compaction started in the background (see
   * `cleaned()`). Errors are logged per partition, never thrown.
   */
  maintain(now = (this.opts.now ?? Date.now)()): void {
    for (const [name, log] of this.logs) {
      try {
        const deleted = log.enforceRetention(now);
        if (deleted) this.opts.logger?.debug({ partition: name, deleted, logStartOffset: log.logStartOffset }, 'retention deleted segments');
        if (log.config.compactPolicy && !this.cleaning.has(name) && !this.closing) this.startCleaning(name, log, now);
      } catch (err) {
        this.opts.logger?.error({ partition: name, err }, 'log maintenance failed');
      }
    }
  }

  /** Resolves when the compaction passes under way have ended. */
  async cleaned(): Promise<void> {
    await Promise.all(this.cleaning.values());
  }

  private startCleaning(name: string, log: PartitionLog, now: number): void {
    const pass = compaction(log, now);
    const done = (stats: CompactionStats | null) => {
      this.cleaning.delete(name);
      if (stats) this.opts.logger?.debug({ partition: name, ...stats }, 'compacted');
    };
    this.cleaning.set(name, new Promise<void>((resolve) => {
      const turn = (): void => {
        try {
          const until = performance.now() + CLEANER_TURN_MS;
          do {
            if (this.closing) {
              pass.return(null); // runs the pass's cleanup
              done(null);
              return resolve();
            }
            const step = pass.next();
            if (step.done) {
              done(step.value);
              return resolve();
            }
          } while (performance.now() < until);
          setImmediate(turn);
        } catch (err) {
          this.opts.logger?.error({ partition: name, err }, 'compaction failed');
          done(null);
          resolve();
        }
      };
      turn();
    }));
  }

  private startTimer(): void {
    const every = this.opts.maintenanceIntervalMs ?? 1000;
    if (this.timer || every <= 0) return;
    this.timer = setInterval(() => this.maintain(), every);
    this.timer.unref();
  }

  /** Flushes and closes every log (each leaves its clean-shutdown marker). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.closing = true;
    await this.cleaned();
    const logs = [...this.logs.values()];
    this.logs.clear();
    const results = await Promise.allSettled(logs.map((l) => l.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
