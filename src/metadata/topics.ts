/**
 * The topic catalogue: names, ids, partition counts and per-topic config overrides. Persisted as one JSON file in
 * the data directory (`topics.json`, kept in memory only in in-memory mode), saved after every change — or once after
 * a whole batch of changes (`batch`: a CreateTopics of 10,000 topics writes the file once).
 *
 * A save is as durable as the broker's mode promises an acknowledged write to be:
 * - durable mode (`log.flush.fsync`): written to `topics.json.tmp`, fsynced, renamed over `topics.json` and the
 *   directory fsynced before the change is answered;
 * - by default (a write is acknowledged once it reached the operating system): written to `topics.json.tmp` only,
 *   which survives the process crashing; a background run then renames it to `topics.json.syncing` (so that later
 *   saves write a new file), fsyncs it, renames it over `topics.json` and fsyncs the directory. `topics.json` is
 *   thus only ever replaced by a file already on disk: a machine losing power loses the latest changes, never the
 *   catalogue. A start reads the newest complete one of `.tmp`, `.syncing` and `topics.json`.
 */
import { randomBytes } from '../random.js';
import { close, fsync, open, readFileSync, rename, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { clientInput } from '../protocol/client-input.js';
import { nextTurn } from '../slices.js';
import { StorageError } from '../log/storage.js';

export interface TopicMeta {
  name: string;
  id: Buffer;
  partitions: number;
  /** Replicas each partition lists (nodes of the cluster; the data is stored once). Absent in older files: 1. */
  replicationFactor?: number;
  configs: Record<string, string>;
  internal: boolean;
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_NAME_LENGTH = 249;

/** Kafka's topic name rules; returns the reason a name is invalid, or null. */
export function invalidTopicName(name: string): string | null {
  if (name === '') return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_NAME_LENGTH) return `Topic name is illegal, it can't be longer than ${MAX_NAME_LENGTH} characters, topic name: ${clientInput(name)}`;
  if (!LEGAL_NAME.test(name)) return `Topic name "${clientInput(name)}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/** Random bytes for topic ids, drawn 4 KiB at a time: a CreateTopics of 10,000 topics costs 40 draws, not 10,000. */
const ID_POOL_BYTES = 4096;
let idPool: Buffer = Buffer.alloc(0);
let idPoolAt = 0;

/**
 * A random topic id as Kafka makes one (Uuid.randomUuid): never the zero id ("no id") nor the metadata topic's id 1,
 * and never one whose URL-safe base64 starts with '-' (it would read as an option on a command line).
 */
export function newTopicId(): Buffer {
  for (;;) {
    if (idPoolAt === idPool.length) {
      idPool = randomBytes(ID_POOL_BYTES);
      idPoolAt = 0;
    }
    const id = Buffer.from(idPool.subarray(idPoolAt, (idPoolAt += 16)));
    const reserved = id.subarray(0, 15).every((b) => b === 0) && id[15]! <= 1;
    if (!reserved && !id.toString('base64url').startsWith('-')) return id;
  }
}

type SavedTopic = Omit<TopicMeta, 'id'> & { id: string };

const CATALOGUE = 'topics.json';
/** What a client hears when a topic change is refused because it could not be stored (the broker's log says why). */
export const CATALOGUE_NOT_SAVED = 'The broker could not store the change (see its log); nothing was changed.';
/** Written by a save, not yet on disk for sure (default mode), or being written (durable mode). */
const WRITTEN = `${CATALOGUE}.tmp`;
/** Taken by the background run to be synced and renamed over the catalogue. */
const SYNCING = `${CATALOGUE}.syncing`;

/** Callback fs calls as promises (node:fs/promises would load its file handles, streams and readline at start). */
const renameAsync = promisify(rename);
const openAsync = promisify(open);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

/** The topics saved in a data directory, as a start reads them: the newest complete file, or null when there is none. */
export function readCatalogue(dataDir: string): { topics: SavedTopic[]; file: string } | null {
  for (const file of [WRITTEN, SYNCING, CATALOGUE]) {
    let text: string;
    try {
      text = readFileSync(join(dataDir, file), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    try {
      const topics = JSON.parse(text) as unknown;
      if (Array.isArray(topics)) return { topics: topics as SavedTopic[], file };
    } catch {
      // torn by a power loss before it was synced: the next older one stands
    }
    if (file === CATALOGUE) {
      throw Object.assign(new Error(`${join(dataDir, file)} is damaged (not a JSON array of topics): restore it from a backup, or move it `
        + 'aside to start without topics (their partition directories are kept until topics of those names are created)'), { code: 'SAMSA_DATA_DIR_DAMAGED' });
    }
  }
  return null;
}

/** fsync of a file, or of a directory (which makes a rename in it reach the disk). */
function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

async function syncPathAsync(path: string): Promise<void> {
  const fd = await openAsync(path, 'r');
  try { await fsyncAsync(fd); } finally { await closeAsync(fd); }
}

export class TopicStore {
  private readonly topics = new Map<string, TopicMeta>();
  /** Topics by id (hex), for the APIs that name topics by id (Fetch 13+, DeleteTopics 6+, KIP-848, share groups). */
  private readonly byId = new Map<string, TopicMeta>();
  private readonly file: string | null;
  private partitionTotal = 0;
  /** Nesting depth of `batch` calls; changes made inside are saved when the outermost one ends. */
  private batching = 0;
  private unsaved = false;
  /**
   * How to take back each change not saved yet, oldest first. A save that fails takes back those of the operation it
   * ends (from `undoFrom`), so memory never holds what the disk does not (a disk-full CreateTopics had left a topic
   * served that the next start did not have, with acknowledged writes in it); a start's deferred changes stand.
   */
  private undo: Array<() => void> = [];
  private undoFrom = 0;
  /** Default mode: the background run syncing the last save, while there is one, and whether a save came since. */
  private syncing: Promise<void> | null = null;
  private savedMeanwhile = false;

  /**
   * `durable`: every save reaches the disk before it returns (durable mode); else only the operating system, and
   * `onSyncError` hears of a background sync that failed (the next save tries again).
   */
  constructor(private readonly dataDir: string | null, private readonly durable = false, private readonly onSyncError: (err: Error) => void = () => {}) {
    this.file = dataDir ? join(dataDir, CATALOGUE) : null;
    const saved = dataDir ? readCatalogue(dataDir) : null;
    if (saved) {
      for (const t of saved.topics) this.topics.set(t.name, { ...t, id: Buffer.from(t.id, 'hex') });
      // What a crash left before the catalogue: made the catalogue now, the older leftover removed.
      if (saved.file !== CATALOGUE) {
        const from = join(dataDir!, saved.file);
        syncPath(from);
        renameSync(from, this.file!);
        syncPath(dataDir!);
      }
      for (const leftover of [WRITTEN, SYNCING]) rmSync(join(dataDir!, leftover), { force: true });
    }
    for (const t of this.topics.values()) {
      this.partitionTotal += t.partitions;
      this.byId.set(t.id.toString('hex'), t);
    }
  }

  /** Partitions of every topic, internal ones included. */
  get totalPartitions(): number {
    return this.partitionTotal;
  }

  /** Runs `changes`, saving the catalogue once at the end (also when they throw, for what they did). */
  batch<T>(changes: () => T): T {
    if (this.batching === 0) this.undoFrom = this.undo.length;
    try {
      return this.deferSave(changes);
    } finally {
      this.saveDeferred();
    }
  }

  /**
   * Runs `changes` without saving the catalogue: `saveDeferred()`, or any later change, saves it. For the internal
   * topics a start creates, whose catalogue entries are made again by the next start if lost (their data is in their
   * directories, found by name), so that a first start does not wait for its two fsyncs before listening.
   */
  deferSave<T>(changes: () => T): T {
    this.batching++;
    try {
      return changes();
    } finally {
      this.batching--;
    }
  }

  /** Saves what `deferSave` left unsaved, if anything. */
  saveDeferred(): void {
    if (this.batching === 0 && this.unsaved) this.save();
  }

  get(name: string): TopicMeta | undefined {
    return this.topics.get(name);
  }

  /** The topic with this id (16 bytes); undefined for an unknown id or the zero id. */
  getById(id: Buffer): TopicMeta | undefined {
    return this.byId.get(id.toString('hex'));
  }

  list(): TopicMeta[] {
    return [...this.topics.values()];
  }

  create(name: string, partitions: number, configs: Record<string, string>, internal = false, replicationFactor = 1): TopicMeta {
    const topic: TopicMeta = { name, id: newTopicId(), partitions, replicationFactor, configs: { ...configs }, internal };
    const replaced = this.topics.get(name);
    this.change(() => {
      this.remove(topic);
      if (replaced) this.put(replaced);
    });
    if (replaced) this.remove(replaced);
    this.put(topic);
    this.save();
    return topic;
  }

  delete(name: string): void {
    const topic = this.topics.get(name);
    if (!topic) return;
    this.change(() => this.put(topic));
    this.remove(topic);
    this.save();
  }

  update(name: string, change: Partial<Pick<TopicMeta, 'partitions' | 'configs'>>): void {
    const topic = this.topics.get(name);
    if (!topic) return;
    const before = { partitions: topic.partitions, configs: topic.configs };
    this.change(() => {
      this.partitionTotal += before.partitions - topic.partitions;
      Object.assign(topic, before);
    });
    if (change.partitions !== undefined) this.partitionTotal += change.partitions - topic.partitions;
    Object.assign(topic, change);
    this.save();
  }

  private put(topic: TopicMeta): void {
    this.topics.set(topic.name, topic);
    this.byId.set(topic.id.toString('hex'), topic);
    this.partitionTotal += topic.partitions;
  }

  private remove(topic: TopicMeta): void {
    this.topics.delete(topic.name);
    this.byId.delete(topic.id.toString('hex'));
    this.partitionTotal -= topic.partitions;
  }

  /** Records how to take a change back (a change outside `batch` is an operation of its own). */
  private change(undo: () => void): void {
    if (this.batching === 0) this.undoFrom = this.undo.length;
    this.undo.push(undo);
  }

  /** Resolves once every save so far is on disk (default mode's background sync done). */
  async flush(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  private save(): void {
    if (!this.file) {
      this.undo.length = 0;
      return;
    }
    if (this.batching > 0) {
      this.unsaved = true;
      return;
    }
    this.unsaved = false;
    const data = JSON.stringify(this.list().map((t) => ({ ...t, id: t.id.toString('hex') })), null, 1);
    const written = join(this.dataDir!, WRITTEN);
    try {
      mkdirSync(this.dataDir!, { recursive: true });
      writeFileSync(written, data);
      if (this.durable) {
        syncPath(written);
        renameSync(written, this.file);
        syncPath(this.dataDir!);
      }
    } catch (err) {
      // Taken back: the operation fails whole (its request hears KAFKA_STORAGE_ERROR). The file it may have half
      // written is older than the catalogue at the next start only if it does not parse (see readCatalogue).
      for (const undo of this.undo.splice(this.undoFrom).reverse()) undo();
      try {
        rmSync(written, { force: true });
      } catch {
        // left torn: a start skips a catalogue file that does not parse (see readCatalogue)
      }
      throw new StorageError(`cannot save the topic catalogue ${this.file}`, err);
    }
    this.undo.length = 0;
    this.undoFrom = 0;
    if (!this.durable) {
      this.savedMeanwhile = true;
      // From the next turn of the event loop: the change is answered first.
      this.syncing ??= nextTurn().then(() => this.syncInBackground()).finally(() => { this.syncing = null; });
    }
  }

  /** Default mode: the latest written catalogue onto the disk, off the event loop, until no save came meanwhile. */
  private async syncInBackground(): Promise<void> {
    const dir = this.dataDir!;
    while (this.savedMeanwhile) {
      this.savedMeanwhile = false;
      try {
        // Renamed first: a save from now on writes a new file, never this one while it is synced and moved.
        await renameAsync(join(dir, WRITTEN), join(dir, SYNCING));
      } catch (err) {
        // None: the last save wrote into the file the previous rename was moving, and that round synced it.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        this.onSyncError(err as Error);
        return;
      }
      try {
        await syncPathAsync(join(dir, SYNCING));
        await renameAsync(join(dir, SYNCING), this.file!);
        await syncPathAsync(dir);
      } catch (err) {
        this.onSyncError(err as Error);
        return;
      }
    }
  }
}
