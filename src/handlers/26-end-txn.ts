/** EndTxn 0-1: commit or abort, writing COMMIT/ABORT control batches to every partition of the transaction. */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { EndTxnApi } from '../protocol/generated/index.js';

export default handler(EndTxnApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: coordinates(ctx, req.transactionalId)
    ? await ctx.broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed)
    : ErrorCode.NOT_COORDINATOR,
}));
