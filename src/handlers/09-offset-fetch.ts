/**
 * OffsetFetch 1-4: committed offsets, -1 (and metadata "") where none. v2+: null topics = every committed
 * partition of the group, and a top-level error code.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { OffsetFetchApi } from '../protocol/generated/index.js';

export default handler(OffsetFetchApi, (req, ctx) => {
  if (!coordinates(ctx, req.groupId)) {
    // v1 has no top-level error code: each partition carries it.
    const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, metadata: null, errorCode: ErrorCode.NOT_COORDINATOR })) }));
    return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NOT_COORDINATOR };
  }
  return { throttleTimeMs: 0, ...ctx.broker.groups.offsetFetch(req.groupId, req.topics) };
});
