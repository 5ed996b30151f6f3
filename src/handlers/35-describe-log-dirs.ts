/** DescribeLogDirs 0-1: one log directory (the data dir, or "memory") and the size of each partition in it. */
import { handler } from './handler.js';
import { DescribeLogDirsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

export default handler(DescribeLogDirsApi, (req, { broker }) => {
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
