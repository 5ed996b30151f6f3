/**
 * CreatePartitions 0-1: grows a topic to `count` partitions (never shrinks). A topic the principal may not ALTER
 * answers TOPIC_AUTHORIZATION_FAILED.
 */
import { handler } from './handler.js';
import { CreatePartitionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(CreatePartitionsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  results: req.topics.map(({ name, count, assignments }) => {
    const fail = (errorCode: number, errorMessage: string) => ({ name, errorCode, errorMessage });
    const { broker } = ctx;
    if (!authorized(ctx, AclOperation.ALTER, ResourceType.TOPIC, name)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'The topic authorization is failed.');
    const topic = broker.topics.get(name);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    if (count < topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${count}.`);
    if (count === topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${topic.partitions} partitions.`);
    const nodes = broker.placement.nodeIds;
    if (assignments && assignments.some((a) => a.brokerIds.some((id) => !nodes.includes(id)))) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignment names a broker that is not one of ${nodes.join(', ')}.`);
    }
    if (!req.validateOnly) broker.addPartitions(name, count);
    return { name, errorCode: ErrorCode.NONE, errorMessage: null };
  }),
}));
