/**
 * DescribeProducers 0 (KIP-664): each partition's known producers (id, epoch, last sequence) and the first offset of
 * the transaction each holds open, which is how a hanging transaction is found. We keep no per-producer timestamp
 * or marker coordinator epoch: those are -1. A topic the principal may not READ answers TOPIC_AUTHORIZATION_FAILED.
 */
import { handler } from './handler.js';
import { DescribeProducersApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(DescribeProducersApi, (req, ctx) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => {
      if (!authorized(ctx, AclOperation.READ, ResourceType.TOPIC, t.name)) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] };
      const log = ctx.broker.clientTopic(t.name) && ctx.broker.partition(t.name, partitionIndex);
      if (!log) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
      const activeProducers = log.producers.describe().map((p) => ({ ...p, lastTimestamp: -1, coordinatorEpoch: -1 }));
      return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
    }),
  })),
}));
