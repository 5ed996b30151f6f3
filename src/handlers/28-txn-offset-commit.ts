/** TxnOffsetCommit 0-3: offsets held with the transaction; the group sees them only when it commits. */
import { coordinates, handler } from './handler.js';
import { TxnOffsetCommitApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

export default handler(TxnOffsetCommitApi, async (req, ctx) => {
  const { broker } = ctx;
  // Sent to the group's coordinator (which writes the offsets with the transaction's markers).
  if (!coordinates(ctx, req.groupId)) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NOT_COORDINATOR })) })) };
  }
  const unknown = (topic: string, partition: number) => !broker.partition(topic, partition);
  const offsets = req.topics.flatMap((t) => t.partitions.filter((p) => !unknown(t.name, p.partitionIndex)).map((p) => ({
    topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata,
  })));
  const errorCode = await broker.transactions.txnOffsetCommit(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, offsets);
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: unknown(t.name, p.partitionIndex) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : errorCode,
      })),
    })),
  };
});
