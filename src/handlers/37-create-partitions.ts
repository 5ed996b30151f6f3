/**
 * CreatePartitions 0-1: grows topics to `count` partitions (never shrinks), within `max.partitions.per.topic` and
 * `max.partitions`; validate_only runs the same checks and changes nothing. Every check passes before anything is
 * written; the topic catalogue is saved once per request. A topic the principal may not ALTER answers
 * TOPIC_AUTHORIZATION_FAILED.
 */
import { handler } from './handler.js';
import { CreatePartitionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { clientInput } from '../protocol/client-input.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(CreatePartitionsApi, (req, ctx) => {
  const { broker } = ctx;
  const grow: Array<{ name: string; count: number }> = [];
  const seen = new Set<string>();
  let pending = 0;
  const results = req.topics.map(({ name, count, assignments }) => {
    const fail = (errorCode: number, errorMessage: string) => ({ name, errorCode, errorMessage });
    if (seen.has(name)) return fail(ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.');
    seen.add(name);
    if (!authorized(ctx, AclOperation.ALTER, ResourceType.TOPIC, name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'The topic authorization is failed.');
    const topic = broker.topics.get(name);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${clientInput(name)}' does not exist.`);
    if (count < topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${count}.`);
    if (count === topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${topic.partitions} partitions.`);
    const nodes = broker.placement.nodeIds;
    if (assignments && assignments.some((a) => a.brokerIds.some((id) => !nodes.includes(id)))) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignment names a broker that is not one of ${nodes.join(', ')}.`);
    }
    const adding = count - topic.partitions;
    const overLimit = broker.partitionLimitProblem(count, adding, pending);
    if (overLimit) return fail(ErrorCode.INVALID_PARTITIONS, overLimit);
    pending += adding;
    grow.push({ name, count });
    return { name, errorCode: ErrorCode.NONE, errorMessage: null as string | null };
  });
  if (!req.validateOnly && grow.length > 0) broker.addPartitions(grow);
  return { throttleTimeMs: 0, results };
});
