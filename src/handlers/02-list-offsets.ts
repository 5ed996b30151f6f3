/**
 * ListOffsets 1-3: -1 = latest (the high watermark; the last stable offset under read_committed), -2 = earliest
 * (log start offset), otherwise the first offset whose batch has a timestamp >= the one asked for (time index).
 * A topic the principal may not DESCRIBE answers TOPIC_AUTHORIZATION_FAILED.
 */
import { handler, leaderLog } from './handler.js';
import { ListOffsetsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { deniedNames } from '../security/authorizer.js';

const LATEST = -1;
const EARLIEST = -2;
const READ_COMMITTED = 1;

export default handler(ListOffsetsApi, (req, ctx) => {
  const denied = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, req.topics.map((t) => t.name));
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex, timestamp }) => {
        const log = denied.has(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : leaderLog(ctx, t.name, partitionIndex);
        if (typeof log === 'number') return { partitionIndex, errorCode: log, timestamp: -1, offset: -1 };
        if (timestamp === LATEST) {
          const offset = req.isolationLevel === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
          return { partitionIndex, errorCode: ErrorCode.NONE, timestamp: -1, offset };
        }
        if (timestamp === EARLIEST) return { partitionIndex, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
        const found = log.offsetForTimestamp(timestamp);
        return { partitionIndex, errorCode: ErrorCode.NONE, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1 };
      }),
    })),
  };
});
