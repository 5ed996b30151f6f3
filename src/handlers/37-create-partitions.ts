/** CreatePartitions 0-1: grows a topic to `count` partitions (never shrinks). */
import { handler } from './handler.js';
import { CreatePartitionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { clientInput } from '../protocol/client-input.js';

export default handler(CreatePartitionsApi, (req, { broker }) => ({
  throttleTimeMs: 0,
  results: req.topics.map(({ name, count, assignments }) => {
    const fail = (errorCode: number, errorMessage: string) => ({ name, errorCode, errorMessage });
    const topic = broker.topics.get(name);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${clientInput(name)}' does not exist.`);
    if (count < topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${topic.partitions} partitions, which is higher than the requested ${count}.`);
    if (count === topic.partitions) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${topic.partitions} partitions.`);
    if (assignments && assignments.some((a) => a.brokerIds.some((id) => id !== broker.config.nodeId))) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignment names a broker other than ${broker.config.nodeId}.`);
    }
    if (!req.validateOnly) broker.addPartitions(name, count);
    return { name, errorCode: ErrorCode.NONE, errorMessage: null };
  }),
}));
