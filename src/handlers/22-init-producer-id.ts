/**
 * InitProducerId 0-3: a fresh producer id (epoch 0) for idempotent producers; for a transactional id, its producer
 * id with the epoch bumped, fencing the previous incarnation (whose open transaction is aborted). v3 (KIP-360)
 * passes the current id/epoch so a producer can bump its own epoch after an error.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { InitProducerIdApi } from '../protocol/generated/index.js';

export default handler(InitProducerIdApi, async (req, ctx) => {
  if (req.transactionalId !== null && !coordinates(ctx, req.transactionalId)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, producerId: -1, producerEpoch: -1 };
  }
  return { throttleTimeMs: 0, ...await ctx.broker.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, req.producerId, req.producerEpoch) };
});
