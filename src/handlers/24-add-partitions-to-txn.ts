/** AddPartitionsToTxn 0-1: partitions a transaction writes to, so EndTxn knows where to put markers. */
import { handler } from './handler.js';
import { AddPartitionsToTxnApi } from '../protocol/generated/index.js';

export default handler(AddPartitionsToTxnApi, async (req, { broker }) => {
  const wanted = req.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const results = await broker.transactions.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, wanted);
  return {
    throttleTimeMs: 0,
    results: req.topics.map((t) => ({
      name: t.name,
      results: results.filter((r) => r.topic === t.name).map((r) => ({ partitionIndex: r.partition, errorCode: r.errorCode })),
    })),
  };
});
