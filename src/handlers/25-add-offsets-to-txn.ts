/** AddOffsetsToTxn 0-1: the transaction will commit offsets for this group (sendOffsetsToTransaction). */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AddOffsetsToTxnApi } from '../protocol/generated/index.js';

export default handler(AddOffsetsToTxnApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: coordinates(ctx, req.transactionalId)
    ? await ctx.broker.transactions.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId)
    : ErrorCode.NOT_COORDINATOR,
}));
