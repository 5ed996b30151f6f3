/**
 * ListOffsets 0-10: -1 = latest (the high watermark; the last stable offset under read_committed), -2 = earliest
 * (log start offset), otherwise the first offset whose batch has a timestamp >= the one asked for (time index).
 * v7 -3 = the first record with the largest timestamp (KIP-734); v8 -4 = the earliest local offset, the log start
 * here (no tiered storage); v9 -5 = the latest tiered offset: -1, nothing is tiered (as Kafka without remote storage).
 * v4+ checks the current leader epoch (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH) and answers the epoch of the
 * offset found. v10's timeout is not needed: every answer is immediate.
 *
 * v0 (before KIP-79) answers an array of at most max_num_offsets offsets. Kafka listed segment base offsets "before"
 * the time; we answer the one offset v1 would (none when there is none or max_num_offsets is 0), which is what
 * clients of v0 ask for (-1 or -2, one offset).
 *
 * A topic the principal may not DESCRIBE answers TOPIC_AUTHORIZATION_FAILED.
 */
import { checkLeaderEpoch, handler, leaderLog, type RequestContext } from './handler.js';
import { ListOffsetsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { deniedNames } from '../security/authorizer.js';
import type { PartitionLog } from '../log/index.js';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;
const READ_COMMITTED = 1;

export default handler(ListOffsetsApi, (req, ctx) => {
  const denied = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, req.topics.map((t) => t.name));
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex, timestamp, currentLeaderEpoch, maxNumOffsets }) => {
        const none = { partitionIndex, oldStyleOffsets: [] as number[], timestamp: -1, offset: -1, leaderEpoch: -1 };
        const log = denied.has(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : leaderLog(ctx, t.name, partitionIndex);
        if (typeof log === 'number') return { ...none, errorCode: log };
        const fenced = checkLeaderEpoch(ctx, t.name, partitionIndex, currentLeaderEpoch);
        if (fenced !== ErrorCode.NONE) return { ...none, errorCode: fenced };
        const found = lookup(log, timestamp, req.isolationLevel === READ_COMMITTED);
        if (!found) return { ...none, errorCode: ErrorCode.NONE };
        const oldStyleOffsets = found.offset >= 0 && maxNumOffsets > 0 ? [found.offset] : [];
        return { partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets, ...found, leaderEpoch: found.offset < 0 ? -1 : epochAt(ctx, t.name, partitionIndex, found.offset, log) };
      }),
    })),
  };
});

function lookup(log: PartitionLog, timestamp: number, readCommitted: boolean): { offset: number; timestamp: number } | undefined {
  switch (timestamp) {
    case LATEST: return { offset: readCommitted ? log.lastStableOffset : log.highWatermark, timestamp: -1 };
    case EARLIEST:
    case EARLIEST_LOCAL: return { offset: log.logStartOffset, timestamp: -1 };
    case LATEST_TIERED: return { offset: -1, timestamp: -1 };
    case MAX_TIMESTAMP: return log.offsetOfMaxTimestamp();
    default: return log.offsetForTimestamp(timestamp);
  }
}

/** The leader epoch an offset was written in: the newest epoch that began at or before it. */
function epochAt({ broker }: RequestContext, topic: string, partition: number, offset: number, log: PartitionLog): number {
  for (let epoch = broker.placement.leaderEpochOf(topic, partition); epoch > 0; epoch--) {
    if (broker.placement.epochEndOffset(topic, partition, epoch - 1, log.logEndOffset).endOffset <= offset) return epoch;
  }
  return 0;
}
