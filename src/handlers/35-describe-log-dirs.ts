/**
 * DescribeLogDirs 0-1: one log directory (the data dir, or "memory") and the size of each partition in it. Without
 * DESCRIBE on the cluster the answer lists no directory (v0-1 have no error code for CLUSTER_AUTHORIZATION_FAILED).
 */
import { handler } from './handler.js';
import { DescribeLogDirsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(DescribeLogDirsApi, (req, ctx) => {
  const { broker } = ctx;
  if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, results: [] };
  const wanted = req.topics ?? broker.topics.list().map((t) => ({ topic: t.name, partitions: Array.from({ length: t.partitions }, (_, i) => i) }));
  const topics = wanted.filter((t) => broker.topics.get(t.topic)).map((t) => ({
    name: t.topic,
    partitions: t.partitions.flatMap((p) => {
      const log = broker.partition(t.topic, p);
      return log ? [{ partitionIndex: p, partitionSize: log.size, offsetLag: 0, isFutureKey: false }] : [];
    }),
  }));
  return { throttleTimeMs: 0, results: [{ errorCode: ErrorCode.NONE, logDir: broker.dataDir ?? 'memory', topics }] };
});
