/**
 * AlterShareGroupOffsets 0 (KIP-932): sets the share-partition start offsets of an empty share group (NON_EMPTY_GROUP
 * while members remain); each partition then starts over there with nothing in flight. Needs READ on the group and
 * on each topic. A partition that does not exist is UNKNOWN_TOPIC_OR_PARTITION, a negative offset INVALID_REQUEST.
 */
import { handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AlterShareGroupOffsetsApi } from '../protocol/generated/index.js';
import { AclOperation } from '../security/acl.js';
import { refuseShareOffsetsChange, shareTopicError } from './share-admin.js';

const NO_ID = Buffer.alloc(16);

export default handler(AlterShareGroupOffsetsApi, async (req, ctx) => {
  const refused = refuseShareOffsetsChange(ctx, req.groupId, AclOperation.READ);
  if (refused) return { throttleTimeMs: 0, ...refused, responses: [] };
  const responses = [];
  for (const t of req.topics) {
    const topicError = shareTopicError(ctx, t.topicName);
    const meta = ctx.broker.topics.get(t.topicName);
    const partitions = [];
    for (const p of t.partitions) {
      let errorCode = topicError !== ErrorCode.NONE ? topicError
        : p.partitionIndex < 0 || p.partitionIndex >= meta!.partitions ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : p.startOffset < 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE;
      if (errorCode === ErrorCode.NONE && !(await ctx.broker.shares.alterStartOffset(req.groupId, meta!.id, p.partitionIndex, p.startOffset))) errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
      partitions.push({ partitionIndex: p.partitionIndex, errorCode, errorMessage: null });
    }
    // No id of a topic the principal may not see.
    responses.push({ topicName: t.topicName, topicId: topicError === ErrorCode.TOPIC_AUTHORIZATION_FAILED ? NO_ID : meta?.id ?? NO_ID, partitions });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
});
