/**
 * OffsetCommit 2-7: generation and member checks as Kafka (generation -1 to a group without members is a
 * "standalone" commit), UNKNOWN_TOPIC_OR_PARTITION and OFFSET_METADATA_TOO_LARGE per partition. v2-4 carry a
 * retention time; v6 the leader epoch; v7 the group instance id.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { OffsetCommitApi } from '../protocol/generated/index.js';

export default handler(OffsetCommitApi, async (req, ctx) => {
  if (!coordinates(ctx, req.groupId)) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NOT_COORDINATOR })) })) };
  }
  return { throttleTimeMs: 0, topics: await ctx.broker.groups.offsetCommit(req) };
});
