/** DeleteRecords 0-1: advances the log start offset; -1 means up to the high watermark. Sent to the leader. */
import { handler, leaderLog } from './handler.js';
import { DeleteRecordsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

export default handler(DeleteRecordsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map(({ partitionIndex, offset }) => {
      const log = leaderLog(ctx, t.name, partitionIndex);
      if (typeof log === 'number') return { partitionIndex, lowWatermark: -1, errorCode: log };
      const target = offset === -1 ? log.highWatermark : offset;
      if (target < 0 || target > log.highWatermark) return { partitionIndex, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
      log.deleteRecordsBefore(target);
      return { partitionIndex, lowWatermark: log.logStartOffset, errorCode: ErrorCode.NONE };
    }),
  })),
}));
