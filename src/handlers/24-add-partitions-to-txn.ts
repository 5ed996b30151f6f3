/** AddPartitionsToTxn 0-1: partitions a transaction writes to, so EndTxn knows where to put markers. */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AddPartitionsToTxnApi } from '../protocol/generated/index.js';

export default handler(AddPartitionsToTxnApi, async (req, ctx) => {
  const wanted = req.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const results = coordinates(ctx, req.transactionalId)
    ? await ctx.broker.transactions.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, wanted)
    : wanted.map((w) => ({ ...w, errorCode: ErrorCode.NOT_COORDINATOR }));
  return {
    throttleTimeMs: 0,
    results: req.topics.map((t) => ({
      name: t.name,
      results: results.filter((r) => r.topic === t.name).map((r) => ({ partitionIndex: r.partition, errorCode: r.errorCode })),
    })),
  };
});
