/**
 * The topic catalogue: names, ids, partition counts and per-topic config overrides. Persisted as one JSON file in
 * the data directory, replaced atomically (write, fsync, rename, fsync of the directory) after every change — or
 * once after a whole batch of changes (`batch`: a CreateTopics of 10,000 topics writes the file once); kept in
 * memory only in in-memory mode.
 */
import { randomBytes } from '../random.js';
import { existsSync, readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { clientInput } from '../protocol/client-input.js';

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

export class TopicStore {
  private readonly topics = new Map<string, TopicMeta>();
  /** Topics by id (hex), for the APIs that name topics by id (Fetch 13+, DeleteTopics 6+, KIP-848, share groups). */
  private readonly byId = new Map<string, TopicMeta>();
  private readonly file: string | null;
  private partitionTotal = 0;
  /** Nesting depth of `batch` calls; changes made inside are saved when the outermost one ends. */
  private batching = 0;
  private unsaved = false;

  constructor(dataDir: string | null) {
    this.file = dataDir ? join(dataDir, 'topics.json') : null;
    if (this.file && existsSync(this.file)) {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as Array<Omit<TopicMeta, 'id'> & { id: string }>;
      for (const t of saved) this.topics.set(t.name, { ...t, id: Buffer.from(t.id, 'hex') });
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
    if (replaced) this.byId.delete(replaced.id.toString('hex'));
    this.partitionTotal += partitions - (replaced?.partitions ?? 0);
    this.topics.set(name, topic);
    this.byId.set(topic.id.toString('hex'), topic);
    this.save();
    return topic;
  }

  delete(name: string): void {
    const topic = this.topics.get(name);
    if (topic) this.byId.delete(topic.id.toString('hex'));
    this.partitionTotal -= topic?.partitions ?? 0;
    this.topics.delete(name);
    this.save();
  }

  update(name: string, change: Partial<Pick<TopicMeta, 'partitions' | 'configs'>>): void {
    const topic = this.topics.get(name);
    if (!topic) return;
    if (change.partitions !== undefined) this.partitionTotal += change.partitions - topic.partitions;
    Object.assign(topic, change);
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    if (this.batching > 0) {
      this.unsaved = true;
      return;
    }
    this.unsaved = false;
    const data = JSON.stringify(this.list().map((t) => ({ ...t, id: t.id.toString('hex') })), null, 1);
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    // The rename itself reaches the disk with the directory.
    const dirFd = openSync(join(this.file, '..'), 'r');
    try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
  }
}
