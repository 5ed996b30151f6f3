/**
 * DescribeLogDirs 0-4: one log directory (the data dir, or "memory") and the size of each partition in it. Without
 * DESCRIBE on the cluster the answer lists no directory, with CLUSTER_AUTHORIZATION_FAILED from v3 (v0-2 have no
 * error code for it). v4 adds the directory's file system size and free space (-1 for the in-memory store).
 */
import { statfsSync } from 'node:fs';
import { handler } from './handler.js';
import { DescribeLogDirsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(DescribeLogDirsApi, (req, ctx) => {
  const { broker } = ctx;
  if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
  const wanted = req.topics ?? broker.clientTopics().map((t) => ({ topic: t.name, partitions: Array.from({ length: t.partitions }, (_, i) => i) }));
  const topics = wanted.filter((t) => broker.clientTopic(t.topic)).map((t) => ({
    name: t.topic,
    partitions: t.partitions.flatMap((p) => {
      const log = broker.logs.figures(t.topic, p); // (sizes of logs not opened yet are known: 0)
      return log ? [{ partitionIndex: p, partitionSize: log.size, offsetLag: 0, isFutureKey: false }] : [];
    }),
  }));
  const space = diskSpace(broker.dataDir);
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: [{ errorCode: ErrorCode.NONE, logDir: broker.dataDir ?? 'memory', topics, ...space }] };
});

/** The file system's size and the bytes free to us under `dir` (-1 when there is no directory or it cannot be read). */
function diskSpace(dir: string | null): { totalBytes: number; usableBytes: number } {
  if (dir === null) return { totalBytes: -1, usableBytes: -1 };
  try {
    const fs = statfsSync(dir);
    return { totalBytes: fs.blocks * fs.bsize, usableBytes: fs.bavail * fs.bsize };
  } catch {
    return { totalBytes: -1, usableBytes: -1 };
  }
}
