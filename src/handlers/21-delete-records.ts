/**
 * DeleteRecords 0-1: advances the log start offset; -1 means up to the high watermark. Sent to the leader.
 * A topic the principal may not DELETE answers TOPIC_AUTHORIZATION_FAILED; an internal one INVALID_TOPIC_EXCEPTION (Kafka's).
 */
import { handler, leaderLog } from './handler.js';
import { DeleteRecordsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { deniedNames } from '../security/authorizer.js';

export default handler(DeleteRecordsApi, (req, ctx) => {
  const denied = deniedNames(ctx, AclOperation.DELETE, ResourceType.TOPIC, req.topics.map((t) => t.name));
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex, offset }) => {
        const log = denied.has(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
          : ctx.broker.topics.get(t.name)?.internal ? ErrorCode.INVALID_TOPIC_EXCEPTION : leaderLog(ctx, t.name, partitionIndex);
        if (typeof log === 'number') return { partitionIndex, lowWatermark: -1, errorCode: log };
        const target = offset === -1 ? log.highWatermark : offset;
        if (target < 0 || target > log.highWatermark) return { partitionIndex, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        log.deleteRecordsBefore(target);
        return { partitionIndex, lowWatermark: log.logStartOffset, errorCode: ErrorCode.NONE };
      }),
    })),
  };
});
