/**
 * Opens, creates and deletes partition logs: `<dataDir>/<topic>-<partition>/` on disk, or memory directories when
 * `dataDir` is null. A log is opened on its first use (`get`), and at start only when its directory holds data: a
 * partition never used costs its directory (made in the background: `makeDirectories`) and no object, which with
 * thousands of idle partitions is most of a broker's memory and of a CreateTopics' time. Runs the background work
 * on one clock timer (never keeping the process alive) with Kafka's cadences: flush.ms syncs and segment.ms rolls
 * at every tick, retention every log.retention.check.interval.ms, and the cleaner per compacted log: again at the
 * next tick after a pass that cleaned something, else after log.cleaner.backoff.ms. A compaction pass runs in turns
 * of at most CLEANER_TURN_MS, one per event-loop iteration, so produce and fetch keep being served while a large log
 * is cleaned (one pass per log at a time).
 */
import { mkdir, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PartitionLog } from './partition-log.js';
import { FsDir, MemoryDir, removeDirectory, MemoryQuota, OpenFiles, StorageError, type LogDir } from './storage.js';
import type { TopicConfigInput } from './config.js';
import { compaction, type CompactionStats } from './cleaner.js';
import { ReadPool } from './read-buffers.js';
import { monotonicMs, realClock, type Clock, type TimerHandle } from '../clock.js';
import { nextTurn } from '../slices.js';

/** What overviews read of a log (metrics, DescribeLogDirs, the console): an unopened one answers them without opening. */
export type LogFigures = Pick<PartitionLog, 'logStartOffset' | 'logEndOffset' | 'highWatermark' | 'lastStableOffset' | 'size' | 'isClosed'>;

/** The figures of a log not opened yet: empty from offset 0 (see `openStored`). */
const UNOPENED: LogFigures = Object.freeze({ logStartOffset: 0, logEndOffset: 0, highWatermark: 0, lastStableOffset: 0, size: 0, isClosed: false });

/** fs.mkdir as a promise: node:fs/promises would load readline, watchers and directory streams at start with it. */
const makeDirectory = promisify(mkdir);

/** Longest stretch a compaction pass holds the event loop. */
const CLEANER_TURN_MS = 2;

export interface LogManagerOptions {
  /** Null: keep everything in memory. */
  dataDir: string | null;
  logger?: Logger;
  /** Durable mode for every partition: acks=-1 waits for fdatasync (group commit). */
  fsync?: boolean;
  /** The tick of the background work (flush.ms, segment.ms); 0 disables the timer (tests call `maintain`). Default 1000 ms. */
  maintenanceIntervalMs?: number;
  /** log.retention.check.interval.ms: how often retention deletes segments. Default 300000 ms. */
  retentionCheckIntervalMs?: number;
  /** log.cleaner.backoff.ms: how long a compacted log with nothing to clean waits before the next check. Default 15000 ms. */
  cleanerBackoffMs?: number;
  /**
   * log.flush.offset.checkpoint.interval.ms: how often each log that moved is synced and its recovery point recorded
   * (see PartitionLog.checkpointRecoveryPoint). Default 60000 ms.
   */
  recoveryPointIntervalMs?: number;
  /** producer.id.expiration.ms (default 1 day), looked for every producer.id.expiration.check.interval.ms (10 min). */
  producerIdExpirationMs?: number;
  producerIdExpirationCheckMs?: number;
  /** In-memory mode: a byte budget standing in for a disk's size. */
  memoryQuota?: MemoryQuota;
  /** Time for the timer and the logs (a ManualClock in tests). Default: real time. */
  clock?: Clock;
  /** Overrides `clock.now` (tests driving `maintain` by hand). */
  /** Most segment and index files open at once; the others are reopened on demand (default DEFAULT_MAX_OPEN_FILES). */
  maxOpenFiles?: number;
  now?: () => number;
  /**
   * The config of a partition the broker's catalogue holds, undefined when there is no such partition: what lets
   * `get` open a log on its first use. Without it, `get` finds only the logs opened with `open`.
   */
  partitionConfig?: (topic: string, partition: number) => TopicConfigInput | undefined;
}

export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly memoryDirs = new Map<string, MemoryDir>();
  private readonly quota: MemoryQuota;
  private readonly clock: Clock;
  private readonly now: () => number;
  private timer: TimerHandle | null = null;
  /** The descriptors of every partition's files, least recently used closed first. */
  readonly openFiles: OpenFiles;
  /** Read space Fetch responses borrow and the socket gives back (see read-buffers.ts). */
  readonly readPool = new ReadPool();
  /** Compaction passes under way, by partition; each resolves when its pass ends (or stops at close). */
  private readonly cleaning = new Map<string, Promise<void>>();
  /** When each compacted log is next looked at by the cleaner (absent: at the next tick). */
  private readonly nextCleanerCheck = new Map<string, number>();
  private nextRetentionCheck = 0;
  private nextRecoveryPoint = 0;
  private nextProducerExpiry = 0;
  private closing = false;
  /** New partitions whose directories `makeDirectories` has still to make, by topic: the next partition and the end. */
  private readonly dirsToMake: Array<{ topic: string; next: number; end: number; wanted: () => boolean }> = [];
  /** The background run making them, while there is one. */
  private makingDirs: Promise<void> | null = null;
  /**
   * The partitions whose directories `makeDirs` made, by topic, one byte each: empty until their log opens (which
   * then needs no listing). Cleared at the open and at deletion.
   */
  private readonly madeEmpty = new Map<string, Uint8Array>();
  /**
   * Partition directories of no partition in the catalogue: what a deletion cut short by a crash (or a lost
   * catalogue) left. A topic or partition created with such a name starts empty, so they are removed first
   * (`clearLeftovers`); until then they are kept, as a lost catalogue may be restored.
   */
  private readonly leftovers = new Set<string>();

  constructor(private readonly opts: LogManagerOptions) {
    this.quota = opts.memoryQuota ?? new MemoryQuota();
    this.clock = opts.clock ?? realClock;
    this.now = opts.now ?? (() => this.clock.now());
    this.openFiles = new OpenFiles(opts.maxOpenFiles);
  }

  private key(topic: string, partition: number): string {
    return `${topic}-${partition}`;
  }

  private dir(name: string, knownEmpty = false): LogDir {
    if (this.opts.dataDir !== null) return new FsDir(join(this.opts.dataDir, name), this.openFiles, knownEmpty);
    let d = this.memoryDirs.get(name);
    if (!d) this.memoryDirs.set(name, (d = new MemoryDir(this.quota)));
    return d;
  }

  /**
   * At start: opens (recovering them) the logs of the partitions (known to `partitionConfig`) whose directories hold
   * data — segments, a log start or cleaner offset — so that retention, the cleaner and the transaction coordinator
   * see them as before. The others hold nothing to recover, expire or clean: they wait for their first use (`get`).
   * Walks the data directory, not the catalogue: a partition without a directory costs nothing.
   */
  openStored(): void {
    if (this.opts.dataDir === null) return;
    let names: string[];
    try {
      names = readdirSync(this.opts.dataDir);
    } catch {
      return; // (not made yet)
    }
    for (const name of names) {
      const { topic, partition } = LogManager.partitionOf(name);
      if (this.key(topic, partition) !== name) continue;
      const config = this.opts.partitionConfig?.(topic, partition);
      if (config === undefined) {
        if (Number.isSafeInteger(partition) && partition >= 0) this.leftovers.add(name);
        continue;
      }
      try {
        if (PartitionLog.holdsData(readdirSync(join(this.opts.dataDir, name)))) this.open(topic, partition, config);
      } catch (err) {
        // One partition that cannot be read does not keep the others from being served: it answers
        // KAFKA_STORAGE_ERROR (its first use tries again, see `get`).
        if (!(err instanceof StorageError) && !(err as NodeJS.ErrnoException).code) throw err;
        this.opts.logger?.error({ partition: name, err }, 'cannot open partition log');
      }
    }
    if (this.leftovers.size > 0) {
      this.opts.logger?.warn({ directories: this.leftovers.size, examples: [...this.leftovers].slice(0, 5) },
        'partition directories of no topic in the catalogue (a deletion cut short, or a lost topics.json): kept until a topic of that name is created');
    }
  }

  /** Removes what `openStored` found left over in the directories of partitions `from` to `end - 1` of a new topic. */
  clearLeftovers(topic: string, from: number, end: number): void {
    if (this.leftovers.size === 0 || this.opts.dataDir === null) return;
    for (let partition = from; partition < end; partition++) {
      const name = this.key(topic, partition);
      if (!this.leftovers.has(name)) continue;
      try {
        removeDirectory(join(this.opts.dataDir, name));
      } catch (err) {
        throw new StorageError(`cannot remove the leftover directory ${name}`, err);
      }
      this.leftovers.delete(name);
      this.opts.logger?.info({ partition: name }, 'removed the leftover files of a deleted partition');
    }
  }

  /**
   * Makes the directories of a new topic's (or grown topic's) partitions `from` to `end - 1` in the background,
   * one at a time on the thread pool: CreateTopics answers without waiting for them, a first write finds its
   * directory made (or makes it itself, if first), and other I/O keeps the rest of the pool. `wanted` says whether
   * the topic still exists when its turn comes.
   */
  makeDirectories(topic: string, from: number, end: number, wanted: () => boolean): void {
    if (this.opts.dataDir === null || from >= end) return;
    this.dirsToMake.push({ topic, next: from, end, wanted });
    // From the next turn of the event loop: the request that made the partitions is answered first.
    this.makingDirs ??= nextTurn().then(() => this.makeDirs()).finally(() => { this.makingDirs = null; });
  }

  private async makeDirs(): Promise<void> {
    while (this.dirsToMake.length > 0 && !this.closing) {
      const job = this.dirsToMake[0];
      if (job.next >= job.end || !job.wanted()) {
        this.dirsToMake.shift();
        continue;
      }
      const partition = job.next++;
      const name = this.key(job.topic, partition);
      if (this.logs.has(name)) continue;
      try {
        await makeDirectory(join(this.opts.dataDir!, name)); // (not recursive: a data directory removed meanwhile stays so)
        if (!this.logs.has(name) && job.wanted()) this.markMadeEmpty(job.topic, partition, job.end);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        // Out of space or permissions: the first writes will say so; one warning, not one per partition.
        this.opts.logger?.warn({ partition: name, err }, 'cannot make partition directories ahead of their first write');
        this.dirsToMake.length = 0;
      }
    }
  }

  private markMadeEmpty(topic: string, partition: number, end: number): void {
    let made = this.madeEmpty.get(topic);
    if (!made || made.length <= partition) {
      const grown = new Uint8Array(Math.max(end, partition + 1));
      if (made) grown.set(made);
      this.madeEmpty.set(topic, (made = grown));
    }
    made[partition] = 1;
  }

  /** Whether `makeDirs` made the partition's directory and nothing used it since; forgets it either way. */
  private takeMadeEmpty(topic: string, partition: number): boolean {
    const made = this.madeEmpty.get(topic);
    if (!made || made[partition] !== 1) return false;
    made[partition] = 0;
    return true;
  }

  /** Opens the partition's log (recovering it) or, when already open, applies `config` to it. */
  open(topic: string, partition: number, config: TopicConfigInput = {}): PartitionLog {
    const name = this.key(topic, partition);
    const existing = this.logs.get(name);
    if (existing) {
      existing.updateConfig(config);
      return existing;
    }
    const log = PartitionLog.open(this.dir(name, this.takeMadeEmpty(topic, partition)), config, {
      fsync: this.opts.fsync,
      now: this.now,
      warn: (msg, details) => this.opts.logger?.warn({ partition: name, ...details }, msg),
    });
    this.logs.set(name, log);
    if (log.verifiedBytes > 0) this.opts.logger?.debug({ partition: name, verifiedBytes: log.verifiedBytes }, 'checked CRCs after an unclean stop');
    this.startTimer();
    return log;
  }

  /**
   * The partition's log, opened now when this is its first use (and `partitionConfig` knows the partition).
   * Undefined for a partition that does not exist, after `close`, or when its files cannot be opened (logged).
   */
  get(topic: string, partition: number): PartitionLog | undefined {
    const log = this.logs.get(this.key(topic, partition));
    if (log || this.closing) return log;
    const config = this.opts.partitionConfig?.(topic, partition);
    if (config === undefined) return undefined;
    try {
      return this.open(topic, partition, config);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      this.opts.logger?.error({ partition: this.key(topic, partition), err }, 'cannot open partition log');
      return undefined;
    }
  }

  /** The partition's log if something has opened it (an unopened one is empty: see `openStored`). */
  opened(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(this.key(topic, partition));
  }

  /** The partition's offsets and size, without opening its log; undefined for a partition that does not exist. */
  figures(topic: string, partition: number): LogFigures | undefined {
    return this.logs.get(this.key(topic, partition)) ?? (this.opts.partitionConfig?.(topic, partition) && UNOPENED);
  }

  /** Deletes the partition's log and its files. */
  delete(topic: string, partition: number): void {
    const name = this.key(topic, partition);
    const log = this.logs.get(name);
    this.logs.delete(name);
    this.takeMadeEmpty(topic, partition);
    try {
      if (log) log.delete();
      else if (this.opts.dataDir !== null) removeDirectory(join(this.opts.dataDir, name));
      else this.memoryDirs.get(name)?.destroy();
    } catch (err) {
      // The catalogue no longer has it: what is left is removed before a partition of that name is made again.
      this.leftovers.add(name);
      this.opts.logger?.error({ partition: name, err }, 'cannot remove a deleted partition\'s files');
    }
    this.memoryDirs.delete(name);
    this.nextCleanerCheck.delete(name);
  }

  entries(): IterableIterator<[string, PartitionLog]> {
    return this.logs.entries();
  }

  values(): IterableIterator<PartitionLog> {
    return this.logs.values();
  }

  /** The topic and partition of a name from `entries` (`<topic>-<partition>`: the partition follows the last '-'). */
  static partitionOf(name: string): { topic: string; partition: number } {
    const dash = name.lastIndexOf('-');
    return { topic: name.slice(0, dash), partition: Number(name.slice(dash + 1)) };
  }

  /**
   * Every background task over every log, now, whatever their schedules: segment.ms rolls and flush.ms syncs,
   * retention, and a compaction pass started in the background (see `cleaned()`). Errors are logged per partition,
   * never thrown.
   */
  maintain(now = this.now()): void {
    this.runTasks(now, true, () => true);
  }

  /** The timer's tick: per-log timers always, retention and the cleaner when their intervals say so. */
  private tick(): void {
    this.readPool.trim();
    const now = this.now();
    const retention = now >= this.nextRetentionCheck;
    if (retention) this.nextRetentionCheck = now + (this.opts.retentionCheckIntervalMs ?? 300_000);
    if (now >= this.nextRecoveryPoint) {
      this.nextRecoveryPoint = now + (this.opts.recoveryPointIntervalMs ?? 60_000);
      this.checkpointRecoveryPoints();
    }
    if (now >= this.nextProducerExpiry) {
      this.nextProducerExpiry = now + (this.opts.producerIdExpirationCheckMs ?? 600_000);
      const before = now - (this.opts.producerIdExpirationMs ?? 86_400_000);
      for (const log of this.logs.values()) log.producers.expire(before);
    }
    this.runTasks(now, retention, (name) => now >= (this.nextCleanerCheck.get(name) ?? now));
  }

  private runTasks(now: number, retention: boolean, cleanerDue: (name: string) => boolean): void {
    for (const [name, log] of this.logs) {
      try {
        const deleted = retention ? log.enforceRetention(now) : (log.maintainSegments(now), 0);
        if (deleted) this.opts.logger?.debug({ partition: name, deleted, logStartOffset: log.logStartOffset }, 'retention deleted segments');
        if (log.config.compactPolicy && !this.cleaning.has(name) && !this.closing && cleanerDue(name)) {
          // Only closed segments are cleaned: a log that is its active segment alone is an idle look, without a pass.
          if (log.segments.length > 1) this.startCleaning(name, log, now);
          else this.backOffCleaner(name);
        }
      } catch (err) {
        this.opts.logger?.error({ partition: name, err }, 'log maintenance failed');
      }
    }
  }

  /** Records every log's recovery point (in memory, there is nothing to recover). Resolves when all are written. */
  async checkpointRecoveryPoints(): Promise<void> {
    if (this.opts.dataDir === null) return;
    await Promise.all([...this.logs].map(([name, log]) => log.checkpointRecoveryPoint().catch((err: unknown) => {
      this.opts.logger?.warn({ partition: name, err }, 'recovery point checkpoint failed');
    })));
  }

  /** Resolves when the compaction passes under way have ended. */
  async cleaned(): Promise<void> {
    await Promise.all(this.cleaning.values());
  }

  private backOffCleaner(name: string): void {
    this.nextCleanerCheck.set(name, this.now() + (this.opts.cleanerBackoffMs ?? 15_000));
  }

  private startCleaning(name: string, log: PartitionLog, now: number): void {
    const pass = compaction(log, now);
    // Registered before the first turn runs: a pass with nothing to do ends within it, and must not stay registered.
    let resolve!: () => void;
    this.cleaning.set(name, new Promise<void>((r) => { resolve = r; }));
    const done = (stats: CompactionStats | null) => {
      this.cleaning.delete(name);
      // Kafka's cleaner looks again at once after cleaning something, else backs off.
      if (stats) this.nextCleanerCheck.set(name, now);
      else this.backOffCleaner(name);
      if (stats) this.opts.logger?.debug({ partition: name, cleanedTo: log.cleanedTo, ...stats }, 'compacted');
      resolve();
    };
    const turn = (): void => {
      try {
        const until = monotonicMs() + CLEANER_TURN_MS;
        do {
          if (this.closing) {
            pass.return(null); // runs the pass's cleanup
            return done(null);
          }
          const step = pass.next();
          if (step.done) return done(step.value);
        } while (monotonicMs() < until);
        setImmediate(turn);
      } catch (err) {
        this.opts.logger?.error({ partition: name, err }, 'compaction failed');
        done(null);
      }
    };
    turn();
  }

  private startTimer(): void {
    const every = this.opts.maintenanceIntervalMs ?? 1000;
    if (this.timer || every <= 0) return;
    this.nextRetentionCheck = this.now() + (this.opts.retentionCheckIntervalMs ?? 300_000);
    this.nextRecoveryPoint = this.now() + (this.opts.recoveryPointIntervalMs ?? 60_000);
    this.nextProducerExpiry = this.now() + (this.opts.producerIdExpirationCheckMs ?? 600_000);
    this.timer = this.clock.setInterval(() => this.tick(), every);
  }

  /** Flushes and closes every log (each leaves its clean-shutdown marker). */
  async close(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    this.closing = true;
    await Promise.all([this.cleaned(), this.makingDirs]);
    const logs = [...this.logs.values()];
    this.logs.clear();
    const results = await Promise.allSettled(logs.map((l) => l.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
