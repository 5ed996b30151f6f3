/**
 * OffsetForLeaderEpoch 2: one broker, one steady leader epoch (0) since the log began, so the end offset of epoch 0
 * is the log end offset. A newer current epoch than ours is UNKNOWN_LEADER_EPOCH; asking about an epoch after ours
 * gets the undefined answer (-1, -1), as Kafka gives.
 */
import { handler } from './handler.js';
import { OffsetForLeaderEpochApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

export const LEADER_EPOCH = 0;

export default handler(OffsetForLeaderEpochApi, (req, { broker }) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map(({ partition, currentLeaderEpoch, leaderEpoch }) => {
      const log = broker.partition(t.topic, partition);
      if (!log) return { partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, leaderEpoch: -1, endOffset: -1 };
      if (currentLeaderEpoch > LEADER_EPOCH) return { partition, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, leaderEpoch: -1, endOffset: -1 };
      if (leaderEpoch > LEADER_EPOCH) return { partition, errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1 };
      return { partition, errorCode: ErrorCode.NONE, leaderEpoch: LEADER_EPOCH, endOffset: log.highWatermark };
    }),
  })),
}));
