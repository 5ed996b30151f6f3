/**
 * OffsetForLeaderEpoch 2-4: the end offset of a leader epoch, from the partition's epoch history (epoch 0 from the
 * start; each leader move begins a new one). Only the leader answers; a current epoch older than the partition's is
 * FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH; an epoch after the current one gets the undefined answer
 * (-1, -1), as Kafka gives. A topic the principal may not DESCRIBE answers TOPIC_AUTHORIZATION_FAILED.
 */
import { checkLeaderEpoch, handler, leaderLog } from './handler.js';
import { OffsetForLeaderEpochApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { deniedNames } from '../security/authorizer.js';

export default handler(OffsetForLeaderEpochApi, (req, ctx) => {
  const denied = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, req.topics.map((t) => t.topic));
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map(({ partition, currentLeaderEpoch, leaderEpoch }) => {
        const log = denied.has(t.topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : leaderLog(ctx, t.topic, partition);
        if (typeof log === 'number') return { partition, errorCode: log, leaderEpoch: -1, endOffset: -1 };
        const fenced = checkLeaderEpoch(ctx, t.topic, partition, currentLeaderEpoch);
        if (fenced !== ErrorCode.NONE) return { partition, errorCode: fenced, leaderEpoch: -1, endOffset: -1 };
        return { partition, errorCode: ErrorCode.NONE, ...ctx.broker.placement.epochEndOffset(t.topic, partition, leaderEpoch, log.highWatermark) };
      }),
    })),
  };
});
