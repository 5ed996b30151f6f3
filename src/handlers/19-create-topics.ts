/**
 * CreateTopics 2-7: validates names, counts, replication (up to the number of nodes; -1 for the default), configs
 * (each as Kafka's ConfigDef: type and range, INVALID_CONFIG) and the partition limits (`max.partitions.per.topic`,
 * `max.partitions`), then creates (unless validate_only, which runs every check and creates nothing). -1 partitions
 * means `num.partitions`. Nothing is written before every check has passed; the topic catalogue is saved once per
 * request. Needs CREATE on the cluster or on the topic (else TOPIC_AUTHORIZATION_FAILED, checked after duplicates, as
 * Kafka). v5+ answers each created topic's partitions, replication factor and effective configs (sorted by name, as
 * Kafka's controller), or TOPIC_AUTHORIZATION_FAILED in topic_config_error_code when the principal may not
 * DESCRIBE_CONFIGS the topic; v7+ its id (under validate_only a random id no topic has, as Kafka).
 */
import { handler } from './handler.js';
import { CreateTopicsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { CATALOGUE_NOT_SAVED, invalidTopicName, newTopicId } from '../metadata/topics.js';
import { manualAssignmentProblem } from '../metadata/placement.js';
import { validateTopicConfigSet, resolveTopicConfigs } from '../metadata/configs.js';
import type { NewTopic } from '../broker.js';
import { clientInput } from '../protocol/client-input.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { eachInSlices } from '../slices.js';
import { StorageError } from '../log/storage.js';

/** Kafka's controller refuses a whole request asking for more (ReplicationControlManager.MAX_PARTITIONS_PER_BATCH). */
const MAX_PARTITIONS_PER_REQUEST = 10_000;

export default handler(CreateTopicsApi, async (req, ctx) => {
  const { broker } = ctx;
  const defaultPartitions = broker.config.int('num.partitions');
  const countOf = (t: (typeof req.topics)[number]): number => (t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? defaultPartitions : t.numPartitions);
  // Checked first, as Kafka does, with its message: the whole request is refused.
  const requested = req.topics.reduce((n, t) => n + Math.max(countOf(t), 0), 0);
  if (requested > MAX_PARTITIONS_PER_REQUEST) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => failed(t.name, ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.')) };
  }
  // A name asked twice is refused every time, and nothing of that name is created (Kafka's ControllerApis).
  const asked = req.topics.reduce((m, t) => m.set(t.name, (m.get(t.name) ?? 0) + 1), new Map<string, number>());
  const clusterWide = authorized(ctx, AclOperation.CREATE, ResourceType.CLUSTER, CLUSTER_NAME);
  const create: NewTopic[] = [];
  const assigned = new Map<string, Array<{ partitionIndex: number; brokerIds: number[] }>>();
  let pending = 0;
  // Topics without overrides (most, in a request for thousands) share one check of the broker's defaults.
  let defaults: { problem: string | null } | undefined;
  const check = (t: (typeof req.topics)[number]) => {
    const fail = (errorCode: number, errorMessage: string) => failed(t.name, errorCode, errorMessage);
    if (asked.get(t.name)! > 1) return fail(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
    if (!clusterWide && !authorized(ctx, AclOperation.CREATE, ResourceType.TOPIC, t.name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
    const badName = invalidTopicName(t.name);
    if (badName) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, badName);
    if (broker.topics.get(t.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${clientInput(t.name)}' already exists.`);
    const partitions = countOf(t);
    if (partitions < 1) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    const nodes = broker.placement.nodeIds;
    const manual = manualAssignmentsProblem(t, nodes);
    if (manual) return fail(manual.errorCode, manual.message);
    const replicationFactor = t.assignments.length > 0 ? t.assignments[0].brokerIds.length
      : t.replicationFactor === -1 ? broker.config.int('default.replication.factor') : t.replicationFactor;
    if (replicationFactor < 1) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    if (replicationFactor > nodes.length) {
      return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${nodes.length} broker(s) are registered.`);
    }
    const nulls = t.configs.filter((c) => c.value === null).map((c) => c.name);
    if (nulls.length > 0) return fail(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${clientInput(nulls.join(','))}`);
    const configs = Object.fromEntries(t.configs.map((c) => [c.name, c.value!]));
    const problem = t.configs.length > 0 ? validateTopicConfigSet(configs, broker.config) : (defaults ??= { problem: validateTopicConfigSet({}, broker.config) }).problem;
    if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
    const overLimit = broker.partitionLimitProblem(partitions, partitions, pending);
    if (overLimit) return fail(ErrorCode.INVALID_PARTITIONS, overLimit);
    pending += partitions;
    create.push({ name: t.name, partitions, configs, replicationFactor });
    if (t.assignments.length > 0) assigned.set(t.name, t.assignments);
    const describable = authorized(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, t.name);
    return {
      ...failed(t.name, ErrorCode.NONE, null),
      topicConfigErrorCode: describable ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      numPartitions: describable ? partitions : -1,
      replicationFactor: describable ? replicationFactor : -1,
      configs: describable && ctx.version >= 5 ? resolveTopicConfigs(configs, broker.config)
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((c) => ({ name: c.name, value: c.value, readOnly: false, configSource: c.source, isSensitive: false })) : [],
    };
  };
  const topics: Array<ReturnType<typeof check>> = [];
  await eachInSlices(req.topics, (t) => topics.push(check(t)));
  if (!req.validateOnly && create.length > 0) {
    // Created meanwhile by another request (the checks let other requests run between slices): that one stands.
    let existing: Set<string>;
    try {
      existing = broker.createTopics(create);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      // The catalogue could not be saved: none of them was created.
      const refused = new Set(create.map((t) => t.name));
      for (const t of topics) if (refused.has(t.name)) Object.assign(t, failed(t.name, ErrorCode.KAFKA_STORAGE_ERROR, CATALOGUE_NOT_SAVED));
      return { throttleTimeMs: 0, topics };
    }
    for (const t of topics) if (existing.has(t.name)) Object.assign(t, failed(t.name, ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${clientInput(t.name)}' already exists.`));
    // Manual assignments are placed as given, the first replica leading (as Kafka's ReplicationControlManager).
    for (const [name, assignments] of assigned) {
      if (!existing.has(name)) for (const a of assignments) broker.placement.assign(name, a.partitionIndex, a.brokerIds);
    }
  }
  for (const t of topics) {
    if (t.errorCode === ErrorCode.NONE) t.topicId = req.validateOnly ? newTopicId() : broker.topics.get(t.name)?.id ?? t.topicId;
  }
  return { throttleTimeMs: 0, topics };
});

/**
 * Kafka's checks of a manual assignment (ReplicationControlManager.createTopic): counts left at -1, one assignment per
 * partition index 0..n-1, each replica list valid and as long as the first.
 */
function manualAssignmentsProblem(t: { numPartitions: number; replicationFactor: number; assignments: Array<{ partitionIndex: number; brokerIds: number[] }> }, nodes: readonly number[]): { errorCode: number; message: string } | null {
  if (t.assignments.length === 0) return null;
  if (t.replicationFactor !== -1) return { errorCode: ErrorCode.INVALID_REQUEST, message: 'A manual partition assignment was specified, but replication factor was not set to -1.' };
  if (t.numPartitions !== -1) return { errorCode: ErrorCode.INVALID_REQUEST, message: 'A manual partition assignment was specified, but numPartitions was not set to -1.' };
  const indexes = new Set<number>();
  for (const a of t.assignments) {
    if (indexes.has(a.partitionIndex)) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: `Found multiple manual partition assignments for partition ${a.partitionIndex}` };
    indexes.add(a.partitionIndex);
    const problem = manualAssignmentProblem(a.brokerIds, nodes, t.assignments[0].brokerIds.length);
    if (problem) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: problem };
  }
  for (let i = 0; i < t.assignments.length; i++) {
    if (!indexes.has(i)) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: 'partitions should be a consecutive 0-based integer sequence' };
  }
  return null;
}

/** A result with no topic: Kafka's defaults for the v5+ fields (-1 counts, no configs, the zero id). */
function failed(name: string, errorCode: number, errorMessage: string | null) {
  return {
    name, topicId: Buffer.alloc(16) as Buffer, errorCode, errorMessage, topicConfigErrorCode: ErrorCode.NONE as number, numPartitions: -1, replicationFactor: -1,
    configs: [] as Array<{ name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean }>,
  };
}
