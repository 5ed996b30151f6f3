/**
 * CreatePartitions 0-1: grows topics to `count` partitions (never shrinks), within `max.partitions.per.topic` and
 * `max.partitions`; validate_only runs the same checks and changes nothing. Manual assignments, one per new partition,
 * are checked as Kafka checks them and placed as given, the first replica leading (until restart, as reassignments
 * are; without them a new partition is placed as any). Every check passes before anything is
 * written; the topic catalogue is saved once per request. A topic the principal may not ALTER answers
 * TOPIC_AUTHORIZATION_FAILED.
 */
import { handler } from './handler.js';
import { CreatePartitionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { clientInput } from '../protocol/client-input.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { manualAssignmentProblem } from '../metadata/placement.js';
import { StorageError } from '../log/storage.js';
import { CATALOGUE_NOT_SAVED } from '../metadata/topics.js';

export default handler(CreatePartitionsApi, (req, ctx) => {
  const { broker } = ctx;
  const grow: Array<{ name: string; count: number }> = [];
  // A name asked twice is refused every time, and that topic does not grow (Kafka's ControllerApis drops it).
  const asked = req.topics.reduce((m, t) => m.set(t.name, (m.get(t.name) ?? 0) + 1), new Map<string, number>());
  let pending = 0;
  const assigned: Array<{ name: string; from: number; assignments: Array<{ brokerIds: number[] }> }> = [];
  const results = req.topics.map(({ name, count, assignments }) => {
    const fail = (errorCode: number, errorMessage: string) => ({ name, errorCode, errorMessage });
    if (asked.get(name)! > 1) return fail(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
    if (!authorized(ctx, AclOperation.ALTER, ResourceType.TOPIC, name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'The topic authorization is failed.');
    const topic = broker.clientTopic(name);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${clientInput(name)}' does not exist.`);
    if (count < topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${count}.`);
    if (count === topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${topic.partitions} partitions.`);
    const adding = count - topic.partitions;
    if (assignments) {
      if (assignments.length !== adding) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${adding} additional partition(s), but only ${assignments.length} assignment(s) were specified.`);
      }
      const replicas = topic.replicationFactor ?? 1;
      const problem = assignments.map((a) => manualAssignmentProblem(a.brokerIds, broker.placement.nodeIds, replicas)).find((p) => p !== null);
      if (problem) return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
    }
    const overLimit = broker.partitionLimitProblem(count, adding, pending);
    if (overLimit) return fail(ErrorCode.INVALID_PARTITIONS, overLimit);
    pending += adding;
    grow.push({ name, count });
    if (assignments) assigned.push({ name, from: topic.partitions, assignments });
    return { name, errorCode: ErrorCode.NONE, errorMessage: null as string | null };
  });
  if (!req.validateOnly && grow.length > 0) {
    try {
      broker.addPartitions(grow);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      // The catalogue could not be saved: no topic grew.
      const refused = new Set(grow.map((g) => g.name));
      for (const r of results) if (refused.has(r.name)) Object.assign(r, { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: CATALOGUE_NOT_SAVED });
      return { throttleTimeMs: 0, results };
    }
    // The new partitions placed as given, the first replica leading (as Kafka's ReplicationControlManager).
    for (const { name, from, assignments } of assigned) assignments.forEach((a, i) => broker.placement.assign(name, from + i, a.brokerIds));
  }
  return { throttleTimeMs: 0, results };
});
