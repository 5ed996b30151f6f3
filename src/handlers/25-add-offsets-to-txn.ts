/** AddOffsetsToTxn 0-1: the transaction will commit offsets for this group (sendOffsetsToTransaction). */
import { handler } from './handler.js';
import { AddOffsetsToTxnApi } from '../protocol/generated/index.js';

export default handler(AddOffsetsToTxnApi, async (req, { broker }) => ({
  throttleTimeMs: 0,
  errorCode: await broker.transactions.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId),
}));
