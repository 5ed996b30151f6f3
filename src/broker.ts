/**
 * The broker: configuration, the topic catalogue, the partition logs, the coordinators and the handler table.
 * Everything a request handler may touch hangs off this object (handlers receive it in their context).
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { BrokerConfig } from './config.js';
import { TopicStore, type TopicMeta } from './metadata/topics.js';
import { Placement } from './metadata/placement.js';
import { passThrough, type Interceptor } from './server/pipeline.js';
import { RequestMetrics, TrafficMetrics } from './server/request-metrics.js';
import { effectiveTopicConfig } from './metadata/configs.js';
import { LogManager, PartitionKeyValueLog, StorageError, type PartitionLog } from './log/index.js';
import { BatchError, decodeBatch, encodeControlBatch, inflatedLimit, parseBatches, type BatchHeader } from './protocol/record-batch.js';
import type { RunningRegistry } from './registry/index.js';
import type { HttpHost } from './http/index.js';
import { ErrorCode } from './protocol/generated/errors.js';
import { createGroupCoordinator, type GroupCoordinator } from './coordinator/group/index.js';
import { createShareCoordinator, type ShareCoordinator } from './coordinator/share/index.js';
import { TransactionCoordinator, type OpenPartitionTxn } from './coordinator/txn/transaction-coordinator.js';
import { realClock, type Clock } from './clock.js';
import { lockDataDir, makeDataDir, type DataDirLock } from './log/data-dir-lock.js';
import { Authorizer, parseSuperUsers } from './security/authorizer.js';
import { Security } from './security/index.js';
import { eachInSlices } from './slices.js';

/** A topic a CreateTopics request creates, its name, count and configs already checked. */
export interface NewTopic { name: string; partitions: number; configs: Record<string, string>; replicationFactor?: number }

/** Internal compacted topics: coordinators and the registry keep their state only as records in these. */
export const INTERNAL_TOPICS = { offsets: '__consumer_offsets', transactions: '__transaction_state', schemas: '_schemas', acls: '__samsa_acls', users: '__samsa_users', shareState: '__share_group_state' } as const;
/**
 * Internal topics no client may read, over Kafka or the admin port: the SCRAM credentials (salts, stored and server
 * keys) and the ACLs. Kafka keeps these in its metadata log, out of every client's reach; here they answer as unknown.
 */
export const PRIVATE_TOPICS: ReadonlySet<string> = new Set([INTERNAL_TOPICS.users, INTERNAL_TOPICS.acls]);

/** Where clients reach a node on one listener (its advertised address). */
export interface Endpoint {
  listener: string;
  host: string;
  port: number;
}

/** A node of the cluster: its id and an endpoint per listener (the first one is the default). */
export interface ClusterNode {
  id: number;
  endpoints: Endpoint[];
}

/** The node's address on a listener, as Kafka answers Metadata with the endpoints of the listener asked on. */
export function endpointOf(node: ClusterNode, listener: string): Endpoint {
  return node.endpoints.find((e) => e.listener === listener) ?? node.endpoints[0];
}

export interface AppendOutcome {
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage?: string;
}

export class Broker {
  readonly topics: TopicStore;
  readonly logs: LogManager;
  /** Consumer groups and committed offsets. */
  readonly groups: GroupCoordinator;
  /** Producer ids and transactions. */
  readonly transactions: TransactionCoordinator;
  /** Share groups (KIP-932) and their share-partitions' in-flight state. */
  readonly shares: ShareCoordinator;
  readonly dataDir: string | null;
  readonly clusterId = 'samsa-cluster';
  /** The nodes clients reach, set once listening: `nodes` of them, ids from `node.id` up. */
  nodes: ClusterNode[] = [];
  /** Partition leaders and epochs, replicas, and the coordinator of each group and transactional id. */
  readonly placement: Placement;
  /** Who may do what (the request pipeline's authorize stage asks it); allows everything by default. */
  authorizer: Interceptor = passThrough;
  /** ACLs and the decisions handlers ask for (`authorizer.enabled`); null: everything is allowed, ACL APIs answer SECURITY_DISABLED. */
  readonly acls: Authorizer | null;
  /** Users (SCRAM credentials), the OAUTHBEARER validator, TLS material and principal mapping. */
  readonly security: Security;
  /** Faults a test injects (the pipeline's faults stage); none by default. */
  faults: Interceptor = passThrough;
  /** Requests, failures and latency per API key and version (the pipeline's measure stage). */
  readonly requestMetrics = new RequestMetrics();
  /** Bytes in and out per topic, connections per listener (the metrics endpoint exports them). */
  readonly traffic = new TrafficMetrics();
  /**
   * Long-polling Fetches, for tests and metrics: how many are parked now, and how many times a change to one of
   * their partitions made one re-read it. (Partition logs tell their own watchers of appends: `PartitionLog.watch`.)
   */
  readonly fetchWaits = { parked: 0, wakeups: 0 };
  /** The built-in Schema Registry, when enabled. */
  registry: RunningRegistry | null = null;
  /** The HTTP host every HTTP surface mounts on (`http.mount('/metrics', router)`), on `registry.port`. */
  http: HttpHost | null = null;
  /** The admin HTTP host (`admin.port`): health checks, and where operator and test-control surfaces mount. */
  admin: HttpHost | null = null;
  /** Told a topic's name after it is created, deleted or given partitions (the test kit's waits watch it). */
  readonly topicWatchers = new Set<(topic: string) => void>();
  /**
   * What the test kit's `reset()` runs after emptying topics, groups, transactions and schemas: each feature that keeps
   * state of its own (faults, stopped nodes, moved leaders, ACLs) registers how to return to a fresh broker's.
   */
  readonly resetHooks: Array<() => void | Promise<void>> = [];

  private dataDirLock: DataDirLock | null = null;
  /** Time for every coordinator, timeout and log task (a ManualClock in tests). */
  readonly clock: Clock;
  /**
   * Each topic's effective config, one object for all its partitions' logs (they then share one parsed LogConfig)
   * however late each is opened; replaced when the configs change (see pushConfig).
   */
  private readonly effectiveConfigs = new WeakMap<TopicMeta, Record<string, string>>();

  constructor(readonly config: BrokerConfig, readonly logger: Logger, clock: Clock = realClock) {
    this.clock = clock;
    this.placement = new Placement(Array.from({ length: config.int('nodes') }, (_, i) => config.nodeId + i));
    this.dataDir = config.inMemory ? null : resolve(config.dataDir);
    if (this.dataDir) {
      makeDataDir(this.dataDir);
      this.dataDirLock = lockDataDir(this.dataDir);
    }
    this.topics = new TopicStore(this.dataDir, config.bool('log.flush.fsync'), (err) => logger.warn({ err }, 'cannot sync the topic catalogue to disk (the next change tries again)'));
    this.logs = new LogManager({
      dataDir: this.dataDir, logger, fsync: config.bool('log.flush.fsync'), clock, maxOpenFiles: config.int('log.max.open.files'),
      retentionCheckIntervalMs: config.int('log.retention.check.interval.ms'), cleanerBackoffMs: config.int('log.cleaner.backoff.ms'),
      recoveryPointIntervalMs: config.int('log.flush.offset.checkpoint.interval.ms'),
      producerIdExpirationMs: config.int('producer.id.expiration.ms'), producerIdExpirationCheckMs: config.int('producer.id.expiration.check.interval.ms'),
      partitionConfig: (topic, partition) => {
        const meta = this.topics.get(topic);
        return meta && partition >= 0 && partition < meta.partitions ? this.logConfig(meta) : undefined;
      },
    });
    this.logs.openStored();
    // A first start creates the internal topics here; the catalogue is saved once for them all, after the listeners
    // are up (startBroker, else close). Nothing acknowledged depends on it: if it is lost, the next start makes the
    // same entries (with new ids) and finds their data in their directories.
    const internal = this.topics.deferSave(() => ({
      offsets: this.internalLog(INTERNAL_TOPICS.offsets),
      transactions: this.internalLog(INTERNAL_TOPICS.transactions),
      acls: config.bool('authorizer.enabled') ? this.internalLog(INTERNAL_TOPICS.acls) : null,
      users: this.internalLog(INTERNAL_TOPICS.users),
      shareState: this.internalLog(INTERNAL_TOPICS.shareState),
    }));
    this.groups = createGroupCoordinator(this, internal.offsets);
    this.shares = createShareCoordinator(this, internal.shareState);
    this.transactions = new TransactionCoordinator({
      log: internal.transactions,
      logger,
      maxTimeoutMs: config.int('transaction.max.timeout.ms'),
      idExpirationMs: config.int('transactional.id.expiration.ms'),
      clock,
      partitionExists: (topic, partition) => this.logs.figures(topic, partition) !== undefined,
      openPartitionTxns: () => this.openPartitionTxns(),
      writeMarker: (topic, partition, producerId, epoch, commit) => this.writeMarker(topic, partition, producerId, epoch, commit),
      commitOffsets: (groupId, offsets) => this.groups.commitOffsets(groupId, offsets),
    });
    this.acls = internal.acls
      ? new Authorizer(internal.acls, { superUsers: parseSuperUsers(config.get('super.users')), allowIfNoAcl: config.bool('allow.everyone.if.no.acl.found') }, logger.child({ component: 'authorizer' }))
      : null;
    this.security = new Security(config, internal.users, logger, clock, this.dataDir);
  }

  /** Finishes what a crash interrupted (transactions caught between prepare and complete). */
  async recover(): Promise<void> {
    await this.transactions.recover();
  }

  /** The KeyValueLog over an internal topic's single partition, creating the topic on first start. */
  internalLog(name: string): PartitionKeyValueLog {
    // 100 MiB segments, Kafka's offsets.topic.segment.bytes (and its transaction and share-state twins): compaction only
    // cleans closed segments, so with the 1 GiB default a busy group's superseded commits stayed (in memory, too) that long.
    if (!this.topics.get(name)) this.createTopic(name, 1, { 'cleanup.policy': 'compact', 'segment.bytes': String(100 * 1024 * 1024) }, true);
    return new PartitionKeyValueLog(this.logs.get(name, 0)!);
  }

  /**
   * Produce's path into a partition: validation, idempotence and the append happen in the log (which throws
   * BatchError or StorageError with the Kafka error code, having stored nothing); the log wakes fetches waiting on it.
   * `waitForSync` (acks=-1) also waits for fsync in durable mode.
   */
  async appendRecords(topic: string, partition: number, records: Buffer | null, waitForSync: boolean, transactionalId: string | null = null): Promise<AppendOutcome> {
    const fail = (errorCode: number, errorMessage?: string): AppendOutcome => ({ errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage });
    const log = this.partitionOrError(topic, partition);
    if (typeof log === 'number') return fail(log);
    // Kafka's: only its coordinators write their topics (they do not come through here).
    if (this.topics.get(topic)?.internal) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
    if (!records || records.length === 0) return fail(ErrorCode.CORRUPT_MESSAGE, 'empty record set');
    const batches = parseBatches(records);
    if (batches instanceof BatchError) return fail(batches.errorCode, batches.message);
    // Kafka's LogValidator: a v2 record set is one batch (an idempotent retry of [sent batch, new batch] would
    // otherwise store the sent one twice).
    if (batches.length > 1) return fail(ErrorCode.INVALID_RECORD, `${batches.length} record batches for one partition: a produce request carries one`);
    let schemaProblem: string | null;
    try {
      const checked = this.checkSchemas(topic, records, batches, inflatedLimit(log.config.maxMessageBytes));
      schemaProblem = checked && await checked;
    } catch (err) {
      // Records that cannot be decoded (their CRC can be right): refused like the log refuses them, not a crash.
      if (err instanceof BatchError) return fail(err.errorCode, err.message);
      throw err;
    }
    if (schemaProblem) {
      this.logger.info({ topic, partition, reason: schemaProblem }, 'produce refused by schema validation');
      return fail(ErrorCode.INVALID_RECORD, schemaProblem);
    }
    const created = log.prepareAppend(); // (a new partition's first file, off the event loop)
    if (created) await created;
    // KIP-890: a transactional batch only joins a transaction its coordinator has (checked after the awaits above,
    // so nothing can end the transaction between this check and the append). Not before Kafka 3.6 (emulated 2.x).
    for (const b of batches) {
      if (!b.isTransactional || !(this.config.release?.verifiesTransactions ?? true)) continue;
      const code = this.transactions.verifyPartition(transactionalId, b.producerId, b.producerEpoch, topic, partition);
      if (code !== ErrorCode.NONE) return fail(code, `partition is not in an ongoing transaction of producer ${b.producerId} epoch ${b.producerEpoch}`);
    }
    try {
      const result = log.append(records, batches);
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
   * carry the id of a schema registered under the topic's subject. Only this path decodes records on produce, never
   * inflating them past `limit`. Null (no promise to await) for a topic without it: the common produce stays synchronous.
   */
  private checkSchemas(topic: string, records: Buffer, batches: readonly BatchHeader[], limit: number): Promise<string | null> | null {
    const configs = this.topics.get(topic)!.configs;
    const checkKey = configs['confluent.key.schema.validation'] === 'true';
    const checkValue = configs['confluent.value.schema.validation'] === 'true';
    return checkKey || checkValue ? this.validateSchemas(topic, records, batches, limit, checkKey, checkValue) : null;
  }

  private async validateSchemas(topic: string, records: Buffer, batches: readonly BatchHeader[], limit: number, checkKey: boolean, checkValue: boolean): Promise<string | null> {
    const { validateRecordSchema } = await import('./registry/index.js');
    const registry = this.registry;
    if (!registry) return 'schema validation is enabled for this topic but the Schema Registry is disabled';
    for (const b of batches) {
      for (const r of decodeBatch(records, b.position, limit).records) {
        const problem = (checkKey ? validateRecordSchema(registry, topic, true, r.key) : null)
          ?? (checkValue ? validateRecordSchema(registry, topic, false, r.value) : null);
        if (problem) return problem;
      }
    }
    return null;
  }

  /** Transactions the partitions hold open, for the coordinator to find those nothing will end. */
  private openPartitionTxns(): OpenPartitionTxn[] {
    const open: OpenPartitionTxn[] = [];
    // The opened logs only (one not opened yet is empty): every second, thousands of idle partitions cost nothing.
    if (!this.anyOpenPartitionTxn()) return open;
    for (const [name, log] of this.logs.entries()) {
      if (!log.producers.hasOpenTransactions) continue;
      const { topic, partition } = LogManager.partitionOf(name);
      for (const t of log.producers.openTransactions()) open.push({ topic, partition, producerId: t.producerId, producerEpoch: t.producerEpoch });
    }
    return open;
  }

  /** Whether a partition holds a transaction open: asked every second, so without allocating (entries are pairs). */
  private anyOpenPartitionTxn(): boolean {
    for (const log of this.logs.values()) if (log.producers.hasOpenTransactions) return true;
    return false;
  }

  private async writeMarker(topic: string, partition: number, producerId: number, epoch: number, commit: boolean): Promise<void> {
    const log = this.partition(topic, partition)!;
    log.appendInternal(encodeControlBatch(commit, producerId, epoch, 0, this.clock.now()));
    await log.flushed();
  }

  /** A topic's effective configs: its overrides, else the broker's `log.*` settings, else Kafka's defaults. */
  topicConfig(topic: TopicMeta): Record<string, string> {
    return effectiveTopicConfig(topic.configs, this.config);
  }

  /** `topicConfig`, one object per topic for its logs (see effectiveConfigs). */
  private logConfig(topic: TopicMeta): Record<string, string> {
    let config = this.effectiveConfigs.get(topic);
    if (!config) this.effectiveConfigs.set(topic, (config = this.topicConfig(topic)));
    return config;
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    const meta = this.topics.get(topic);
    if (!meta || partition < 0 || partition >= meta.partitions) return undefined;
    return this.logs.get(topic, partition);
  }

  /** A topic as clients see it (the test kit's and the console's record views): none of a private topic. */
  clientTopic(name: string): TopicMeta | undefined {
    return PRIVATE_TOPICS.has(name) ? undefined : this.topics.get(name);
  }

  /** Every topic clients may see (the REST API, the console, metrics, configs): none of the private ones. */
  clientTopics(): TopicMeta[] {
    return this.topics.list().filter((t) => !PRIVATE_TOPICS.has(t.name));
  }

  /**
   * `partition` as clients reach it (Kafka requests, the REST API), or why there is none: UNKNOWN_TOPIC_OR_PARTITION
   * (also for a private topic, PRIVATE_TOPICS), or KAFKA_STORAGE_ERROR when its log cannot be opened (at its first use).
   */
  partitionOrError(topic: string, partition: number): PartitionLog | number {
    if (PRIVATE_TOPICS.has(topic)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return this.partition(topic, partition) ?? (this.logs.figures(topic, partition) ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }

  /**
   * Makes `nodeId` the partition's leader with a new leader epoch, which begins at the log end; fetches waiting on
   * the partition answer NOT_LEADER_OR_FOLLOWER so their clients refresh metadata. Returns the new epoch.
   */
  moveLeader(topic: string, partition: number, nodeId: number): number {
    const log = this.partition(topic, partition);
    if (!log) throw new Error(`no partition ${topic}-${partition}`);
    const epoch = this.placement.moveLeader(topic, partition, nodeId, log.logEndOffset);
    log.leaderEpoch = epoch;
    log.changed();
    this.logger.info({ topic, partition, leader: nodeId, leaderEpoch: epoch }, 'partition leader moved');
    return epoch;
  }

  /** A node by id (undefined before listening or for an unknown id). */
  node(id: number): ClusterNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  /** The nodes clients can reach now (Metadata lists only these): all but those the test kit stopped. */
  liveNodes(): ClusterNode[] {
    return this.nodes.filter((n) => this.placement.isLive(n.id));
  }

  /** The node a group's or transactional id's requests go to. */
  coordinatorNode(key: string): ClusterNode | undefined {
    return this.node(this.placement.coordinatorOf(key));
  }

  /** A change of the topic catalogue; one that cannot be saved is logged and thrown (as a StorageError), nothing changed. */
  private catalogueChange<T>(what: string, change: () => T): T {
    try {
      return change();
    } catch (err) {
      if (err instanceof StorageError) this.logger.error({ err }, `${what} refused`);
      throw err;
    }
  }

  createTopic(name: string, partitions: number, configs: Record<string, string> = {}, internal = false, replicationFactor = 1): TopicMeta {
    const topic = this.catalogueChange(`topic ${name}`, () => {
      this.logs.clearLeftovers(name, 0, partitions);
      return this.topics.create(name, partitions, configs, internal, replicationFactor);
    });
    this.makeDirectories(topic, 0);
    this.logger[internal ? 'debug' : 'info']({ topic: name, partitions }, 'topic created');
    for (const fn of this.topicWatchers) fn(name);
    return topic;
  }

  /**
   * CreateTopics: the catalogue is saved once for all of them and their directories are made in the background.
   * That is all a partition costs until its first use opens its log (see LogManager.get) and its first write makes
   * its files. Returns the names that exist already (created since they were checked), which are left as they are.
   */
  createTopics(specs: readonly NewTopic[]): Set<string> {
    const existing = new Set(specs.filter((t) => this.topics.get(t.name)).map((t) => t.name));
    const created = this.catalogueChange('topic creation', () => this.topics.batch(() => specs.filter((t) => !existing.has(t.name)).map((t) => {
      this.logs.clearLeftovers(t.name, 0, t.partitions);
      return this.topics.create(t.name, t.partitions, t.configs, false, t.replicationFactor);
    })));
    for (const topic of created) this.makeDirectories(topic, 0);
    // A line per topic, as Kafka logs, once the answer is out (on the next turn of the event loop: ~20 us a line);
    // for 10,000 of them (a write each) other requests run in between.
    setImmediate(() => void eachInSlices(created, (topic) => this.logger.info({ topic: topic.name, partitions: topic.partitions }, 'topic created')));
    return existing;
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
    try {
      return this.createTopic(name, partitions);
    } catch (err) {
      if (err instanceof StorageError) return undefined; // (logged)
      throw err;
    }
  }

  deleteTopic(name: string): void {
    const topic = this.topics.get(name);
    if (!topic) return;
    this.catalogueChange(`deletion of topic ${name}`, () => this.topics.delete(name));
    for (let p = 0; p < topic.partitions; p++) this.logs.delete(name, p);
    this.placement.forgetTopic(name);
    this.traffic.forgetTopic(name);
    void this.groups.deleteTopicOffsets(name); // log failures are logged by the coordinator, never thrown
    void this.shares.deleteTopicState(topic.id);
    this.logger.info({ topic: name }, 'topic deleted');
    for (const fn of this.topicWatchers) fn(name);
  }

  /** CreatePartitions: grows topics to the counts given, saving the catalogue once (the new logs open on first use, as createTopics'). */
  addPartitions(changes: ReadonlyArray<{ name: string; count: number }>): void {
    const grown = this.catalogueChange('partition creation', () => this.topics.batch(() => changes.map(({ name, count }) => {
      const topic = this.topics.get(name)!;
      const before = topic.partitions;
      this.logs.clearLeftovers(name, before, count);
      this.topics.update(name, { partitions: count });
      return { topic, before };
    })));
    for (const { topic, before } of grown) {
      this.makeDirectories(topic, before);
      for (const fn of this.topicWatchers) fn(topic.name);
    }
  }

  /** The directories of the topic's partitions from `from` on, made in the background (while the topic exists). */
  private makeDirectories(topic: TopicMeta, from: number): void {
    this.logs.makeDirectories(topic.name, from, topic.partitions, () => this.topics.get(topic.name) === topic);
  }

  setTopicConfigs(name: string, configs: Record<string, string>): void {
    const topic = this.topics.get(name)!;
    this.catalogueChange(`config change of topic ${name}`, () => this.topics.update(name, { configs }));
    this.pushConfig(topic);
  }

  private pushConfig(topic: TopicMeta): void {
    const effective = this.topicConfig(topic);
    this.effectiveConfigs.set(topic, effective); // for the logs opened from now on
    for (let p = 0; p < topic.partitions; p++) this.logs.opened(topic.name, p)?.updateConfig(effective);
  }

  /** Replaces the broker's dynamic settings (this broker's, or the cluster-wide defaults) and pushes the new topic defaults to every log. */
  setBrokerConfigs(settings: Record<string, string>, scope: 'per-broker' | 'cluster-wide' = 'per-broker'): void {
    const dynamic = scope === 'per-broker' ? this.config.dynamic : this.config.dynamicDefault;
    dynamic.clear();
    for (const [k, v] of Object.entries(settings)) dynamic.set(k, v);
    for (const topic of this.topics.list()) this.pushConfig(topic);
  }

  /** The names browsers may reach the HTTP ports by (besides localhost and IP addresses): the advertised and listening hosts. */
  private browserHosts(): ReadonlySet<string> {
    return new Set(['localhost', this.config.advertisedHost, this.config.host].filter((h) => h && !h.includes(':')));
  }

  /**
   * Starts the HTTP host on `registry.port` and mounts the built-in Schema Registry on it, over the `_schemas`
   * topic; returns its URL. Loaded on demand, so a broker without it never pays for the schema libraries.
   */
  async startRegistry(): Promise<string | null> {
    const port = this.config.registryPort;
    if (port === 0) return null;
    const [{ startHttpHost }, { startRegistry }] = await Promise.all([import('./http/index.js'), import('./registry/index.js')]);
    // Confluent's registry sends no CORS headers unless access.control.allow.origin names an origin (or *).
    const corsOrigin = this.config.get('access.control.allow.origin') || null;
    this.http = await startHttpHost({
      host: this.config.host, port: port === -1 ? 0 : port, logger: this.logger.child({ component: 'http' }), clock: this.clock,
      corsOrigin, sameOriginWrites: corsOrigin !== '*', browserHosts: this.browserHosts(),
      authenticate: this.config.get('registry.auth') === 'basic' ? (header) => this.security.checkBasicAuth(header) : undefined,
      tls: this.security.httpTlsOptions(),
    });
    this.registry = await startRegistry({
      http: this.http,
      store: this.internalLog(INTERNAL_TOPICS.schemas),
      clusterId: this.clusterId,
      logger: this.logger.child({ component: 'registry' }),
    });
    return `${this.http.scheme}://${this.config.advertisedHost}:${this.http.port}`;
  }

  /**
   * Starts the admin HTTP host when enabled, with `/healthz` (the process serves) and `/readyz` (recovery finished:
   * it starts after it), `/metrics` and the REST API at `/v3` (src/operator/); returns its URL.
   */
  async startAdmin(): Promise<string | null> {
    const port = this.config.adminPort;
    if (port === 0) return null;
    const { startHttpHost, Router } = await import('./http/index.js');
    this.admin = await startHttpHost({
      host: this.config.host, port: port === -1 ? 0 : port, logger: this.logger.child({ component: 'admin' }), clock: this.clock, tls: this.security.httpTlsOptions(),
      // The admin port steers the broker (reset, faults, offsets): no CORS, and no writes from other sites' pages.
      corsOrigin: null, sameOriginWrites: true, browserHosts: this.browserHosts(),
      authenticate: this.config.get('admin.auth') === 'basic' ? (header) => this.security.checkAdminAuth(header) : undefined,
      realm: 'Samsa admin', openPaths: new Set(['/healthz', '/readyz']),
    });
    this.admin.mount('/', new Router()
      .route('/healthz', { GET: () => ({ status: 'ok' }) })
      .route('/readyz', { GET: () => ({ status: 'ready' }) }));
    (await import('./operator/index.js')).mountOperator(this, this.admin);
    if (this.config.bool('authorizer.enabled') && this.config.get('admin.auth') !== 'basic') {
      this.logger.warn('the admin port asks no credentials (admin.auth=none): any local process may use its test control (/v1) and read /metrics, whatever the ACLs; set admin.auth=basic');
    }
    return `${this.admin.scheme}://${this.config.advertisedHost}:${this.admin.port}`;
  }

  async close(): Promise<void> {
    await this.admin?.close();
    await this.registry?.close();
    await this.http?.close();
    this.groups.close();
    this.shares.close();
    this.transactions.close();
    await this.logs.close();
    this.security.close();
    this.topics.saveDeferred();
    await this.topics.flush();
    this.dataDirLock?.release();
  }
}
