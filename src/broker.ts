/**
 * The broker: configuration, the topic catalogue, the partition logs, the coordinators and the handler table.
 * Everything a request handler may touch hangs off this object (handlers receive it in their context).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { BrokerConfig } from './config.js';
import { TopicStore, type TopicMeta } from './metadata/topics.js';
import { effectiveTopicConfig } from './metadata/configs.js';
import { LogManager, PartitionKeyValueLog, StorageError, type PartitionLog } from './log/index.js';
import { BatchError, decodeBatch, encodeControlBatch, parseBatches } from './protocol/record-batch.js';
import type { RunningRegistry } from './registry/index.js';
import { ErrorCode } from './protocol/generated/errors.js';
import type { Handler } from './handlers/handler.js';
import { HANDLERS } from './handlers/index.js';
import { createGroupCoordinator, type GroupCoordinator } from './coordinator/group/index.js';
import { TransactionCoordinator } from './coordinator/txn/transaction-coordinator.js';
import { realClock, type Clock } from './clock.js';

/** Longest stretch CreateTopics/CreatePartitions spend creating partition logs before letting other work run. */
const OPEN_SLICE_MS = 10;

/** A topic a CreateTopics request creates, its name, count and configs already checked. */
export interface NewTopic { name: string; partitions: number; configs: Record<string, string> }

/** Internal compacted topics: coordinators and the registry keep their state only as records in these. */
export const INTERNAL_TOPICS = { offsets: '__consumer_offsets', transactions: '__transaction_state', schemas: '_schemas' } as const;

export interface AppendOutcome {
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage?: string;
}

export class Broker {
  readonly handlers: ReadonlyMap<number, Handler> = new Map(HANDLERS.map((h) => [h.api.key, h]));
  readonly topics: TopicStore;
  readonly logs: LogManager;
  /** Consumer groups and committed offsets. */
  readonly groups: GroupCoordinator;
  /** Producer ids and transactions. */
  readonly transactions: TransactionCoordinator;
  readonly dataDir: string | null;
  readonly clusterId = 'samsa-cluster';
  /** Emits 'append' after any partition grows, so long-polling fetches wake up. */
  readonly appends = new EventEmitter();
  /** The port clients reach us on, set once listening. */
  port = 0;
  /** The built-in Schema Registry, when enabled. */
  registry: RunningRegistry | null = null;

  /** Time for every coordinator, timeout and log task (a ManualClock in tests). */
  readonly clock: Clock;
  private closing = false;
  /** When the current slice of partition-log creation must yield (see openPartitionsGradually). */
  private sliceEnd = 0;

  constructor(readonly config: BrokerConfig, readonly logger: Logger, clock: Clock = realClock) {
    this.clock = clock;
    this.appends.setMaxListeners(0);
    this.dataDir = config.inMemory ? null : resolve(config.dataDir);
    if (this.dataDir) mkdirSync(this.dataDir, { recursive: true });
    this.topics = new TopicStore(this.dataDir);
    this.logs = new LogManager({ dataDir: this.dataDir, logger, fsync: config.bool('log.flush.fsync'), now: () => clock.now(), maxOpenFiles: config.int('log.max.open.files') });
    for (const topic of this.topics.list()) this.openPartitions(topic, 0);
    this.groups = createGroupCoordinator(this, this.internalLog(INTERNAL_TOPICS.offsets));
    this.transactions = new TransactionCoordinator({
      log: this.internalLog(INTERNAL_TOPICS.transactions),
      logger,
      maxTimeoutMs: config.int('transaction.max.timeout.ms'),
      partitionExists: (topic, partition) => this.partition(topic, partition) !== undefined,
      writeMarker: (topic, partition, producerId, epoch, commit) => this.writeMarker(topic, partition, producerId, epoch, commit),
      commitOffsets: (groupId, offsets) => this.groups.commitOffsets(groupId, offsets),
    });
  }

  /** Finishes what a crash interrupted (transactions caught between prepare and complete). */
  async recover(): Promise<void> {
    await this.transactions.recover();
  }

  /** The KeyValueLog over an internal topic's single partition, creating the topic on first start. */
  internalLog(name: string): PartitionKeyValueLog {
    if (!this.topics.get(name)) this.createTopic(name, 1, { 'cleanup.policy': 'compact' }, true);
    return new PartitionKeyValueLog(this.logs.get(name, 0)!);
  }

  /**
   * Produce's path into a partition: validation, idempotence and the append happen in the log (which throws
   * BatchError or StorageError with the Kafka error code, having stored nothing); waiting fetches are woken.
   * `waitForSync` (acks=-1) also waits for fsync in durable mode.
   */
  async appendRecords(topic: string, partition: number, records: Buffer | null, waitForSync: boolean): Promise<AppendOutcome> {
    const fail = (errorCode: number, errorMessage?: string): AppendOutcome => ({ errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage });
    const log = this.partition(topic, partition);
    if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (!records || records.length === 0) return fail(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
    let schemaProblem: string | null;
    try {
      schemaProblem = await this.checkSchemas(topic, records);
    } catch (err) {
      // Records that cannot be decoded (their CRC can be right): refused like the log refuses them, not a crash.
      if (err instanceof BatchError) return fail(err.errorCode, err.message);
      throw err;
    }
    if (schemaProblem) {
      this.logger.info({ topic, partition, reason: schemaProblem }, 'produce refused by schema validation');
      return fail(ErrorCode.INVALID_RECORD, schemaProblem);
    }
    try {
      const result = log.append(records);
      if (!result.duplicate) this.appends.emit('append');
      if (waitForSync) await log.flushed();
      return { errorCode: ErrorCode.NONE, baseOffset: result.baseOffset, logAppendTimeMs: result.logAppendTime, logStartOffset: result.logStartOffset };
    } catch (err) {
      if (err instanceof BatchError || err instanceof StorageError) {
        this.logger.debug({ topic, partition, err: err.message }, 'produce refused');
        return fail(err.errorCode, err.message);
      }
      throw err;
    }
  }

  /**
   * Broker-side schema validation (opt-in per topic, Confluent's config names): every record's key/value must
   * carry the id of a schema registered under the topic's subject. Only this path decodes records on produce.
   */
  private async checkSchemas(topic: string, records: Buffer): Promise<string | null> {
    const configs = this.topics.get(topic)!.configs;
    const checkKey = configs['confluent.key.schema.validation'] === 'true';
    const checkValue = configs['confluent.value.schema.validation'] === 'true';
    if (!checkKey && !checkValue) return null;
    const { validateRecordSchema } = await import('./registry/index.js');
    const registry = this.registry;
    if (!registry) return 'schema validation is enabled for this topic but the Schema Registry is disabled';
    const batches = parseBatches(records);
    if (batches instanceof BatchError) return null; // the log refuses it with the right code
    for (const b of batches) {
      for (const r of decodeBatch(records, b.position).records) {
        const problem = (checkKey ? validateRecordSchema(registry, topic, true, r.key) : null)
          ?? (checkValue ? validateRecordSchema(registry, topic, false, r.value) : null);
        if (problem) return problem;
      }
    }
    return null;
  }

  private async writeMarker(topic: string, partition: number, producerId: number, epoch: number, commit: boolean): Promise<void> {
    const log = this.partition(topic, partition)!;
    log.appendInternal(encodeControlBatch(commit, producerId, epoch));
    this.appends.emit('append');
    await log.flushed();
  }

  private openPartitions(topic: TopicMeta, from: number): void {
    const config = this.topicConfig(topic);
    for (let p = from; p < topic.partitions; p++) this.logs.open(topic.name, p, config);
  }

  /** A topic's effective configs: its overrides, else the broker's `log.*` settings, else Kafka's defaults. */
  topicConfig(topic: TopicMeta): Record<string, string> {
    return effectiveTopicConfig(topic.configs, this.config.settings);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    const meta = this.topics.get(topic);
    if (!meta || partition < 0 || partition >= meta.partitions) return undefined;
    return this.logs.get(topic, partition);
  }

  createTopic(name: string, partitions: number, configs: Record<string, string> = {}, internal = false): TopicMeta {
    const topic = this.topics.create(name, partitions, configs, internal);
    this.openPartitions(topic, 0);
    this.logger[internal ? 'debug' : 'info']({ topic: name, partitions }, 'topic created');
    return topic;
  }

  /**
   * CreateTopics: the catalogue is saved once for all of them, then their partition logs are created a slice of the
   * event loop at a time, so a request for thousands of partitions does not stall other clients (a partition
   * answers UNKNOWN_TOPIC_OR_PARTITION, which clients retry, until its log is open). Returns, by topic name, why
   * some of its logs could not be created.
   */
  async createTopics(specs: readonly NewTopic[]): Promise<Map<string, string>> {
    const created = this.topics.batch(() => specs.map((t) => this.topics.create(t.name, t.partitions, t.configs)));
    const failed = new Map<string, string>();
    for (const topic of created) {
      const problem = await this.openPartitionsGradually(topic, 0);
      if (problem) failed.set(topic.name, problem);
      this.logger.info({ topic: topic.name, partitions: topic.partitions }, 'topic created');
    }
    return failed;
  }

  /**
   * Why creating a topic of `topicPartitions` partitions, or growing one to that, is refused, or null: the broker
   * would pass `max.partitions.per.topic`, or `max.partitions` once `adding` more (and `pending` more asked by the
   * same request) are counted. Kafka has no such limits (only a create.topic.policy plugin can refuse); here every
   * partition costs memory and files whatever its traffic.
   */
  partitionLimitProblem(topicPartitions: number, adding: number, pending = 0): string | null {
    const perTopic = this.config.int('max.partitions.per.topic');
    if (topicPartitions > perTopic) return `${topicPartitions} partitions exceed the limit of ${perTopic} partitions per topic (max.partitions.per.topic).`;
    const max = this.config.int('max.partitions');
    const total = this.topics.totalPartitions + pending;
    if (total + adding > max) return `${adding} more partitions would bring the broker to ${total + adding}, over its limit of ${max} (max.partitions).`;
    return null;
  }

  /** Auto-creation (Metadata, Produce) when `auto.create.topics.enable` and the partition limits allow it; returns the topic or undefined. */
  autoCreateTopic(name: string): TopicMeta | undefined {
    const existing = this.topics.get(name);
    if (existing || !this.config.bool('auto.create.topics.enable')) return existing;
    const partitions = this.config.int('num.partitions');
    const problem = this.partitionLimitProblem(partitions, partitions);
    if (problem) {
      this.logger.warn({ topic: name, reason: problem }, 'topic not auto-created');
      return undefined;
    }
    return this.createTopic(name, partitions);
  }

  deleteTopic(name: string): void {
    const topic = this.topics.get(name);
    if (!topic) return;
    this.topics.delete(name);
    for (let p = 0; p < topic.partitions; p++) this.logs.delete(name, p);
    void this.groups.deleteTopicOffsets(name); // log failures are logged by the coordinator, never thrown
    this.logger.info({ topic: name }, 'topic deleted');
  }

  /** CreatePartitions: grows topics to the counts given, saving the catalogue once, then opening logs as createTopics does. */
  async addPartitions(changes: ReadonlyArray<{ name: string; count: number }>): Promise<Map<string, string>> {
    const grown = this.topics.batch(() => changes.map(({ name, count }) => {
      const topic = this.topics.get(name)!;
      const before = topic.partitions;
      this.topics.update(name, { partitions: count });
      return { topic, before };
    }));
    const failed = new Map<string, string>();
    for (const { topic, before } of grown) {
      const problem = await this.openPartitionsGradually(topic, before);
      if (problem) failed.set(topic.name, problem);
    }
    return failed;
  }

  /**
   * Opens the topic's logs from partition `from` on, yielding to other work every OPEN_SLICE_MS. Stops when the
   * topic is deleted or the broker closes meanwhile. Returns why a log could not be created, or null.
   */
  private async openPartitionsGradually(topic: TopicMeta, from: number): Promise<string | null> {
    let config = this.topicConfig(topic);
    for (let p = from; p < topic.partitions; p++) {
      if (performance.now() > this.sliceEnd) {
        // Shared by every request creating logs, so many one-partition topics yield as one wide topic does.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.closing || this.topics.get(topic.name) !== topic) return null;
        config = this.topicConfig(topic); // AlterConfigs may have run meanwhile
        this.sliceEnd = performance.now() + OPEN_SLICE_MS;
      }
      try {
        this.logs.open(topic.name, p, config);
      } catch (err) {
        this.logger.error({ topic: topic.name, partition: p, err }, 'cannot create partition log');
        return `Partition ${p} could not be created: ${(err as Error).message}`;
      }
    }
    return null;
  }

  setTopicConfigs(name: string, configs: Record<string, string>): void {
    const topic = this.topics.get(name)!;
    this.topics.update(name, { configs });
    this.pushConfig(topic);
  }

  private pushConfig(topic: TopicMeta): void {
    const effective = this.topicConfig(topic);
    for (let p = 0; p < topic.partitions; p++) this.logs.get(topic.name, p)?.updateConfig(effective);
  }

  /** Replaces the broker's dynamic settings and pushes the new topic defaults to every log. */
  setBrokerConfigs(settings: Record<string, string>): void {
    this.config.dynamic.clear();
    for (const [k, v] of Object.entries(settings)) this.config.dynamic.set(k, v);
    for (const topic of this.topics.list()) this.pushConfig(topic);
  }

  /**
   * Starts the built-in Schema Registry when enabled, over the `_schemas` topic; returns its URL. Loaded on demand,
   * so a broker without it never pays for the schema libraries.
   */
  async startRegistry(): Promise<string | null> {
    const port = this.config.registryPort;
    if (port === 0) return null;
    const { startRegistry } = await import('./registry/index.js');
    this.registry = await startRegistry({
      host: this.config.host === '' ? '127.0.0.1' : this.config.host,
      port: port === -1 ? 0 : port,
      store: this.internalLog(INTERNAL_TOPICS.schemas),
      logger: this.logger.child({ component: 'registry' }),
    });
    return `http://${this.config.advertisedHost}:${this.registry.port}`;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.registry?.close();
    this.groups.close();
    this.transactions.close();
    await this.logs.close();
  }
}
